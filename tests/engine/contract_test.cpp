#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "engine/contract/bad_request.hpp"
#include "engine/contract/limits.hpp"
#include "engine/contract/report.hpp"
#include "engine/contract/request.hpp"
#include "engine/platform/machine.hpp"
#include "engine/platform/process.hpp"
#include "engine/samovar.hpp"
#include "engine/scenarios/catalog.hpp"

using namespace samovar;
using nlohmann::json;

namespace {
std::string error_of(const std::string& request) {
  try {
    contract::parse_request_text(request, scenarios::specs());
  } catch (const contract::BadRequest& e) {
    return e.what();
  }
  return "(accepted)";
}
}  // namespace

TEST_CASE("a request gets every default filled in", "[contract]") {
  const auto r = contract::parse_request_text(R"({"scenario": "gather"})", scenarios::specs());
  CHECK(r.model == "asyncio");
  CHECK(r.params == json{{"tasks", 3}, {"delay", 3.0}, {"blocking", false}});
  CHECK(r.scale == 0.1);
  CHECK(r.seed == 1);
  CHECK(r.deadline_s == 60);
  CHECK(r.trace == trace::Level::spans);
  CHECK(r.max_lines == 10000);
}

TEST_CASE("bad requests are refused with the field and what is allowed", "[contract]") {
  CHECK(
      error_of(R"({"scenario": "nope"})") ==
      R"(scenario: "nope" is not allowed; allowed: brew-chai, gather, http-get, check-stock, daemon, race, deadlock, encrypt, health-monitor, producer-consumer, gil, scale, compare, workload)");
  CHECK(error_of(R"({"scenario": "gather", "model": "threading"})") ==
        R"(model: "threading" is not allowed; allowed: asyncio, sequential)");
  CHECK(error_of(R"({"scenario": "gather", "params": {"size": 3}})") ==
        "params.size: unknown field; allowed: tasks, delay, blocking");
  CHECK(error_of(R"({"scenario": "gather", "params": {"tasks": "3"}})") ==
        R"(params.tasks: expected integer 1..1000000, got string "3")");
  CHECK(error_of(R"({"scenario": "gather", "params": {"tasks": 2.5}})") ==
        "params.tasks: expected integer 1..1000000, got number 2.5");
  CHECK(error_of(R"({"scenario": "gather", "params": {"tasks": 0}})") ==
        "params.tasks: 0 is out of range; allowed: integer 1..1000000");
  CHECK(error_of(R"({"scenario": "gather", "params": {"delay": 61}})") ==
        "params.delay: 61 is out of range; allowed: number 0..60");
  CHECK(error_of(R"({"scenario": "gather", "scale": 0})") ==
        "scale: 0 is out of range; allowed: number 0.001..10");
  CHECK(error_of(R"({"scenario": "gather", "trace": "full"})") ==
        R"(trace: "full" is not allowed; allowed: spans, off)");
  CHECK(error_of(R"({"schema_version": 2, "scenario": "gather"})") ==
        "schema_version: 2 is not a schema version this build knows; allowed: 1");
  CHECK(error_of(R"({"scenario": "gather", "colour": "red"})") ==
        "colour: unknown field; allowed: schema_version, scenario, model, params, scale, seed, "
        "deadline_s, trace, max_lines, max_spans, repeat, spec, schedule, strategy, depth, "
        "steps");
  CHECK(error_of(R"({"model": "asyncio"})") == "scenario: required, but missing");
  CHECK(error_of("[1, 2]") == "request: expected a JSON object");
  CHECK(error_of("{").rfind("request: not valid JSON", 0) == 0);
}

// A param that means something with some models only, or allows less with one, is checked
// with the request: nothing is refused mid-run.
TEST_CASE("params that depend on the model are checked with the request", "[contract]") {
  const std::string workers = std::to_string(platform::process::max_workers());
  CHECK(error_of(R"({"scenario": "race", "params": {"value": true}})") ==
        "params.value: true applies to model multiprocessing only; allowed: false");
  CHECK(error_of(R"({"scenario": "race", "model": "threading", "params": {"value": false}})") ==
        "(accepted)");
  CHECK(error_of(R"({"scenario": "race", "model": "multiprocessing", "params": {"gil": true}})") ==
        "params.gil: true applies to model threading only; allowed: false");
  CHECK(
      error_of(
          R"({"scenario": "race", "model": "multiprocessing", "params": {"sync": "atomic"}})") ==
      R"(params.sync: "atomic" is not allowed; allowed: none, lock (with model multiprocessing, Python has no atomic increment))");
  CHECK(error_of(R"({"scenario": "race", "params": {"sync": "atomic"}})") == "(accepted)");
  // This target's worker processes (a few in WASM, started with the module; 64 natively).
  const bool few = platform::process::max_workers() < 16;
  CHECK(
      error_of(R"({"scenario": "race", "model": "multiprocessing", "params": {"threads": 16}})") ==
      (few ? "params.threads: 16 is more than this target allows: at most " + workers +
                 " worker processes with model multiprocessing"
           : "(accepted)"));
  CHECK(error_of(R"({"scenario": "race", "params": {"threads": 16}})") == "(accepted)");
  CHECK(error_of(R"({"scenario": "producer-consumer", "model": "multiprocessing",)"
                 R"( "params": {"producers": 8, "consumers": 8}})") ==
        (few ? "params.consumers: 8 producers + 8 consumers is more than this target allows: at "
               "most " +
                   workers + " worker processes with model multiprocessing"
             : "(accepted)"));
  CHECK(error_of(
            R"({"scenario": "producer-consumer", "params": {"producers": 8, "consumers": 8}})") ==
        "(accepted)");
  CHECK(
      error_of(
          R"({"scenario": "producer-consumer", "model": "asyncio", "params": {"value": true}})") ==
      "params.value: true applies to model multiprocessing only; allowed: false");
}

TEST_CASE("run_json answers bad input with exit code 2 and the field", "[contract]") {
  const json report = run_json_text(R"({"scenario": "gather", "params": {"tasks": -1}})");
  CHECK(contract::exit_code(report) == 2);
  CHECK(report["schema_version"] == 1);
  CHECK(report["error"]["code"] == "bad_request");
  CHECK(report["error"]["field"] == "params.tasks");
}

TEST_CASE("every documented maximum holds: the value just past it is refused, naming the field",
          "[contract]") {
  const auto field_of = [](const json& request) -> std::string {
    try {
      contract::parse_request(request, scenarios::specs());
    } catch (const contract::BadRequest& e) {
      return e.field();
    }
    return "(accepted)";
  };
  // Each numeric param of each scenario, just past its largest and smallest value; the step
  // past is what the type can tell apart (1 for an integer).
  for (const auto& scenario : scenarios::specs())
    for (const auto& p : scenario.params) {
      if (p.type != contract::ParamType::integer && p.type != contract::ParamType::number) continue;
      const double step = p.type == contract::ParamType::integer ? 1 : 1e-6 * (1 + p.max);
      const std::string field = "params." + p.name;
      INFO(scenario.id << " " << field << " " << p.min << ".." << p.max);
      const json over{{"scenario", scenario.id}, {"params", {{p.name, p.max + step}}}};
      const json under{{"scenario", scenario.id}, {"params", {{p.name, p.min - step}}}};
      CHECK(field_of(over) == field);
      CHECK(field_of(under) == field);
    }
  // The request's own fields (contract/limits.hpp).
  namespace limits = contract::limits;
  const std::vector<std::pair<std::string, json>> past{
      {"scale", limits::kMaxScale * 1.000001},
      {"scale", limits::kMinScale * 0.999},
      {"seed", limits::kMaxSeed + 1},
      {"deadline_s", limits::kMaxDeadlineS + 0.001},
      {"deadline_s", limits::kMinDeadlineS - 0.001},
      {"max_lines", limits::kMaxLines + 1},
      {"max_spans", limits::kMaxSpans + 1},
      {"repeat", limits::kMaxRepeat + 1},
      {"repeat", 0},
      {"model", std::string(limits::kMaxText + 1, 'x')},
  };
  for (const auto& [field, value] : past) {
    INFO(field << " = " << value.dump().substr(0, 40));
    CHECK(field_of(json{{"scenario", "gather"}, {field, value}}) == field);
  }
  CHECK(field_of(json{{"scenario", "check-stock"},
                      {"params", {{"item", std::string(limits::kMaxText + 1, 'x')}}}}) ==
        "params.item");
  CHECK(field_of(json{{"scenario", "check-stock"},
                      {"params", {{"item", std::string(limits::kMaxText, 'x')}}}}) == "(accepted)");
}

TEST_CASE("hostile JSON is a bad request naming the field, never a throw or a crash",
          "[contract]") {
  // A number no double holds, anywhere: the path of the value that overflowed.
  const std::string overflow =
      "number 1e400 is out of range; allowed: a number a double holds (about 1e308)";
  CHECK(error_of(R"({"scenario": "gather", "params": {"delay": 1e400}})") ==
        "params.delay: " + overflow);
  CHECK(error_of(R"({"scenario": "gather", "scale": 1e400})") == "scale: " + overflow);
  CHECK(error_of(R"({"scenario": "gather", "seed": -1e400})") ==
        "seed: number -1e400 is out of range; allowed: a number a double holds (about 1e308)");
  CHECK(error_of(R"({"scenario": "gather", "deadline_s": 1e400})") == "deadline_s: " + overflow);
  CHECK(error_of(R"({"scenario": "gather", "params": {"delay": [0, 1e400]}})") ==
        "params.delay[1]: " + overflow);

  // Nesting is bounded while reading, without recursion: 100,000 levels cost no stack.
  const std::string deep = R"({"scenario": "gather", "params": {"delay": )" +
                           std::string(100'000, '[') + std::string(100'000, ']') + "}}";
  const std::string deep_error = error_of(deep);
  CHECK(deep_error.rfind("params.delay[0][0]", 0) == 0);
  CHECK(deep_error.find(": nested too deep; allowed: at most 32 levels") != std::string::npos);
  CHECK(error_of(std::string(100'000, '{')).rfind("request: not valid JSON", 0) == 0);

  // Bytes that are not UTF-8: in text, a syntax error whose message is text again.
  const json bad_text = run_json_text("{\"scenario\": \"gather\", \"params\": {\"de\xff\": 1}}");
  CHECK(bad_text["error"]["code"] == "bad_request");
  CHECK(bad_text["error"]["field"] == "request");
  CHECK_NOTHROW(bad_text.dump());
  // In an object a caller built (the CLI): the path, with U+FFFD where the bad byte was.
  const json bad_key =
      run_json(json{{"scenario", "gather"}, {"params", json{{std::string("de\xff"), 1}}}});
  CHECK(bad_key["error"]["field"] == "params.de\xef\xbf\xbd");
  CHECK(bad_key["error"]["message"] == "params.de\xef\xbf\xbd: is not valid UTF-8 text");
  CHECK_NOTHROW(bad_key.dump());
  const json bad_value = run_json(json{{"scenario", "http-get"}, {"params", {{"url", "\xff"}}}});
  CHECK(bad_value["error"]["field"] == "params.url");
  CHECK(exit_code(bad_value) == 2);

  // Too much text.
  CHECK(error_of(R"({"scenario": "gather", "model": ")" + std::string(2 << 20, 'x') + "\"}") ==
        "request: 2097187 bytes is too large; allowed: at most 1048576");
}

TEST_CASE("a report carries every field of the contract, with its type and value", "[contract]") {
  const json r =
      run_json_text(R"({"scenario": "gather", "params": {"delay": 0.5}, "seed": 7, "scale": 0.2})");
  CHECK(contract::exit_code(r) == 0);
  CHECK_FALSE(r.contains("error"));
  CHECK(r["schema_version"] == contract::kSchemaVersion);
  CHECK(r["schema_version"].is_number_integer());
  // The request as it ran, every default filled in.
  CHECK(r["scenario"] == "gather");
  CHECK(r["model"] == "asyncio");
  CHECK(r["params"] == json{{"tasks", 3}, {"delay", 0.5}, {"blocking", false}});
  CHECK(r["scale"] == 0.2);
  CHECK(r["seed"] == 7);
  CHECK(r["trace_level"] == "spans");
  CHECK(r["platform"] == platform::target_name());
  CHECK((r["platform"] == "native" || r["platform"] == "wasm"));
  // What it ran on: under node there is no browser, so no cross-origin isolation to report.
  const json& m = r["machine"];
  CHECK(m["cores"].is_number_integer());
  CHECK(m["cores"].get<int>() >= 1);
  CHECK(m["os"].is_string());
  CHECK_FALSE(m["os"].get<std::string>().empty());
  CHECK(m["browser"].is_null());
  CHECK(m["cross_origin_isolated"].is_null());
  CHECK(m["timer_resolution_s"].get<double>() > 0);
  CHECK(m["timer_resolution_s"].get<double>() < 0.01);
  // 3 brews of 0.5 guide s at scale 0.2: 0.1 s each, together.
  CHECK(r["wall_s"].is_number_float());
  CHECK(r["wall_s"].get<double>() >= 0.1);
  REQUIRE(r["output"].size() == 6);
  double last_t = 0;
  for (const auto& line : r["output"]) {
    CHECK(line.size() == 5);
    CHECK(line["src"]["file"] == "engine/scenarios/gather.cpp");
    CHECK(line["src"]["line"].get<int>() > 0);
    CHECK(line["t_s"].get<double>() >= last_t);
    last_t = line["t_s"];
    CHECK(line["who"].is_string());
    CHECK(line["text"].is_string());
    CHECK(line["stable"] == true);
  }
  CHECK(r["output"][0]["who"] == "task 1");
  CHECK(r["output"][0]["text"] == "Brewing Masala chai...");
  CHECK(r["metrics"]["tasks"] == 3);
  CHECK(r["metrics"]["lines_dropped"] == 0);
  for (const auto& [name, value] : r["metrics"].items()) CHECK(value.is_number());
  CHECK(r["checks"] == json{{"concurrent", true}});
  // Every span lies within the run and is in one of the contract's states; the three sleeps
  // are waits of 0.1 s.
  int sleeps = 0;
  for (const auto& span : r["trace"]) {
    CHECK(span["lane"].is_string());
    CHECK(span["name"].is_string());
    CHECK(span["start_s"].get<double>() >= 0);
    CHECK(span["end_s"].get<double>() >= span["start_s"].get<double>());
    CHECK(span["end_s"].get<double>() <= r["wall_s"].get<double>() + 1e-6);
    const std::string state = span["state"];
    CHECK((state == "running" || state == "waiting"));
    if (span["name"] == "sleep") {
      ++sleeps;
      CHECK(state == "waiting");
      CHECK(span["end_s"].get<double>() - span["start_s"].get<double>() >= 0.099);
    }
  }
  CHECK(sleeps == 3);
}

TEST_CASE("the text form shows each line and a summary", "[contract]") {
  const json r = run_json_text(R"({"scenario": "brew-chai", "params": {"delay": 0.1}})");
  const std::string text = contract::render_text(r);
  // The column of who printed is as wide as the widest name: on a busy machine asyncio's debug
  // mode may add a line of its own ("asyncio  Executing <Task ...> took 0.120 seconds").
  CHECK(std::regex_search(text, std::regex("main +Brewing chai\\.\\.\\.\n")));
  CHECK(std::regex_search(text, std::regex("main +Chai is ready\n")));
  CHECK(text.find("-- brew-chai (asyncio, ") != std::string::npos);
  // The check's value is timing (how long the thread was held); the text form shows it either way.
  CHECK(text.find("thread_free_while_sleeping: ") != std::string::npos);
}
