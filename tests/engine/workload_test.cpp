#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "engine/platform/clock.hpp"
#include "engine/samovar.hpp"
#include "engine/workload/unit_cost.hpp"

using namespace samovar;
using nlohmann::json;

namespace {

json run_spec(const json& spec, const std::string& model, json params = json::object()) {
  return run_json({{"scenario", "workload"},
                   {"model", model},
                   {"params", params},
                   {"scale", 0.05},
                   {"spec", spec}});
}

std::vector<json> spans_named(const json& report, const std::string& name) {
  std::vector<json> out;
  for (const auto& s : report["trace"])
    if (s["name"] == name && s.contains("end_s")) out.push_back(s);
  return out;
}

// Whether two spans of the trace are under way at one moment.
bool overlap(const json& a, const json& b) {
  return a["start_s"].get<double>() < b["end_s"].get<double>() &&
         b["start_s"].get<double>() < a["end_s"].get<double>();
}

bool any_overlap(const std::vector<json>& spans) {
  for (std::size_t i = 0; i < spans.size(); ++i)
    for (std::size_t j = i + 1; j < spans.size(); ++j)
      if (spans[i]["lane"] != spans[j]["lane"] && overlap(spans[i], spans[j])) return true;
  return false;
}

// Two tasks, each: print, sleep 2, block 2, cpu 3 units, incr the counter 1000 times.
json two_tasks(bool shared, bool locked) {
  json steps =
      json::array({{{"step", "print"}, {"text", "brewing"}},
                   {{"step", "sleep"}, {"seconds", 2}},
                   {{"step", "block"}, {"seconds", 2}},
                   {{"step", "cpu"}, {"units", 3}},
                   {{"step", "incr"}, {"counter", "stock"}, {"times", 1000}, {"locked", locked}}});
  return {{"version", 1},
          {"counters", json::array({{{"name", "stock"}, {"shared", shared}}})},
          {"tasks", json::array({{{"name", "chai"}, {"steps", steps}},
                                 {{"name", "coffee"}, {"steps", steps}}})}};
}

}  // namespace

TEST_CASE("a spec runs under every model with the same results", "[workload]") {
  long long primes = -1;
  for (const std::string model : {"sequential", "asyncio", "threading", "multiprocessing"}) {
    INFO(model);
    const json r = run_spec(two_tasks(true, true), model);
    REQUIRE_FALSE(r.contains("error"));
    CHECK(r["checks"]["io_ok"] == true);
    // cpu steps count the same primes under every model.
    if (primes < 0) primes = r["metrics"]["primes"].get<long long>();
    CHECK(r["metrics"]["primes"].get<long long>() == primes);
    // The print steps and each task's start and finish are lines of the task's lane.
    std::vector<std::string> texts;
    for (const auto& line : r["output"]) texts.push_back(line["text"].get<std::string>());
    CHECK(std::count(texts.begin(), texts.end(), "brewing") == 2);
    CHECK(std::count(texts.begin(), texts.end(), "chai started") == 1);
    CHECK(std::count(texts.begin(), texts.end(), "coffee finished") == 1);
    CHECK(spans_named(r, "cpu").size() == 2);
  }
  CHECK(primes == 2 * 3 * 753);
}

TEST_CASE("asyncio: sleeps overlap and a block holds the loop", "[workload]") {
  const json r = run_spec(two_tasks(false, false), "asyncio");
  REQUIRE_FALSE(r.contains("error"));
  CHECK(any_overlap(spans_named(r, "sleep")));
  CHECK_FALSE(any_overlap(spans_named(r, "block")));
  CHECK_FALSE(any_overlap(spans_named(r, "cpu")));
  CHECK(r["metrics"]["peak_sleep"] == 2);
  CHECK(r["metrics"]["peak_block"] == 1);
}

TEST_CASE("sequential: no two steps overlap", "[workload]") {
  const json r = run_spec(two_tasks(false, false), "sequential");
  REQUIRE_FALSE(r.contains("error"));
  CHECK(r["metrics"]["peak_sleep"] == 1);
  CHECK(r["metrics"]["peak_cpu"] == 1);
  CHECK(r["checks"]["counters_exact"] == true);
}

TEST_CASE("threading: blocks overlap and with the GIL one thread runs Python code at a time",
          "[workload]") {
  const json on = run_spec(two_tasks(false, true), "threading");
  REQUIRE_FALSE(on.contains("error"));
  CHECK(on["metrics"]["peak_block"] == 2);
  CHECK(on["checks"]["one_gil_holder_at_a_time"] == true);
  // The GIL's holds, drawn on its lane, never overlap.
  std::vector<json> holds;
  for (const auto& s : on["trace"])
    if (s["name"] == "held" && s["lane"] == "GIL" && s.contains("end_s")) holds.push_back(s);
  REQUIRE(holds.size() >= 2);
  for (std::size_t i = 0; i + 1 < holds.size(); ++i)
    for (std::size_t j = i + 1; j < holds.size(); ++j) CHECK_FALSE(overlap(holds[i], holds[j]));
  CHECK(on["checks"]["counters_exact"] == true);  // locked increments lose nothing
  const json off = run_spec(two_tasks(false, true), "threading", {{"gil", false}});
  REQUIRE_FALSE(off.contains("error"));
  CHECK(off["checks"]["counters_exact"] == true);
}

TEST_CASE("multiprocessing: an unshared counter is each process's own and a shared one is counted",
          "[workload]") {
  const json own = run_spec(two_tasks(false, false), "multiprocessing");
  REQUIRE_FALSE(own.contains("error"));
  CHECK(own["metrics"]["counter/stock"] == 0);  // the parent's: no process touched it
  CHECK(own["metrics"]["increments/stock"] == 2000);
  CHECK(own["checks"]["counters_exact"] == false);
  const json shared = run_spec(two_tasks(true, true), "multiprocessing");
  REQUIRE_FALSE(shared.contains("error"));
  CHECK(shared["metrics"]["counter/stock"] == 2000);  // locked: nothing lost
  CHECK(shared["checks"]["counters_exact"] == true);
}

TEST_CASE("file steps write and fsync and read back under every model", "[workload]") {
  const json spec = {
      {"version", 1},
      {"tasks", json::array({{{"steps", json::array({{{"step", "file"}, {"bytes", 4096}}})}},
                             {{"steps", json::array({{{"step", "file"}}})}}})}};
  for (const std::string model : {"sequential", "asyncio", "threading"}) {
    INFO(model);
    const json r = run_spec(spec, model);
    REQUIRE_FALSE(r.contains("error"));
    CHECK(r["checks"]["io_ok"] == true);
    CHECK(r["metrics"]["files_mismatched"] == 0);
  }
}

TEST_CASE("a lock step serialises what it guards", "[workload]") {
  json steps = json::array({{{"step", "lock"}, {"name", "pot"}},
                            {{"step", "block"}, {"seconds", 2}},
                            {{"step", "unlock"}, {"name", "pot"}}});
  const json spec = {{"version", 1},
                     {"locks", {"pot"}},
                     {"tasks", json::array({{{"steps", steps}}, {{"steps", steps}}})}};
  for (const std::string model : {"threading", "multiprocessing"}) {
    INFO(model);
    const json r = run_spec(spec, model);
    REQUIRE_FALSE(r.contains("error"));
    // block is a time.sleep: without the lock the two would overlap (threading: peak 2).
    CHECK_FALSE(any_overlap(spans_named(r, model == "threading" ? "sleep" : "block")));
  }
}

TEST_CASE("an invalid spec is refused with the path of the bad field", "[workload]") {
  const auto field_of = [](const json& spec) {
    const json r = run_json({{"scenario", "workload"}, {"spec", spec}});
    REQUIRE(r.contains("error"));
    CHECK(r["error"]["code"] == "bad_request");
    return r["error"]["field"].get<std::string>() + " | " +
           r["error"]["message"].get<std::string>();
  };
  const json sleep_x = {
      {"version", 1},
      {"tasks", json::array({{{"steps", json::array({{{"step", "sleep"}, {"seconds", 1}}})}},
                             {{"steps", json::array()}},
                             {{"steps", json::array({{{"step", "sleep"}, {"seconds", "x"}}})}}})}};
  CHECK(field_of(sleep_x) ==
        "spec.tasks[2].steps[0].seconds | spec.tasks[2].steps[0].seconds: expected number 0..60, "
        "got string \"x\"");
  CHECK(field_of({{"version", 2}, {"tasks", json::array()}}).rfind("spec.version | ", 0) == 0);
  CHECK(field_of({{"version", 1}}).rfind("spec.tasks | ", 0) == 0);
  CHECK(field_of({{"version", 1},
                  {"tasks", json::array({{{"steps", json::array({{{"step", "brew"}}})}}})}})
            .rfind("spec.tasks[0].steps[0].step | ", 0) == 0);
  CHECK(
      field_of({{"version", 1},
                {"tasks",
                 json::array({{{"steps", json::array({{{"step", "cpu"}, {"units", 100001}}})}}})}})
          .rfind("spec.tasks[0].steps[0].units | ", 0) == 0);
  CHECK(
      field_of({{"version", 1},
                {"tasks",
                 json::array({{{"steps", json::array({{{"step", "incr"}, {"counter", "x"}}})}}})}})
          .rfind("spec.tasks[0].steps[0].counter | ", 0) == 0);
  CHECK(field_of({{"version", 1},
                  {"locks", {"a"}},
                  {"tasks",
                   json::array({{{"steps", json::array({{{"step", "lock"}, {"name", "a"}}})}}})}})
            .rfind("spec.tasks[0].steps | ", 0) == 0);
  // A spec needs a scenario that runs one, and that scenario needs a spec.
  const json other = run_json({{"scenario", "gather"}, {"spec", json::object()}});
  CHECK(other["error"]["field"] == "spec");
  const json none = run_json({{"scenario", "workload"}});
  CHECK(none["error"]["field"] == "spec");
}

TEST_CASE("compare's report has every cell of Table 4", "[workload][compare]") {
  const json r = run_json(
      {{"scenario", "compare"}, {"scale", 0.02}, {"params", {{"work", 4}, {"bytes", 65536}}}});
  REQUIRE_FALSE(r.contains("error"));
  REQUIRE(r["table"]["columns"].size() == 5);
  REQUIRE(r["table"]["rows"].size() == 4);
  for (const auto& row : r["table"]["rows"]) {
    REQUIRE(row["cells"].size() == 5);
    for (const auto& cell : row["cells"]) {
      CHECK(cell["ideal_s"].is_number());
      // Measured, or a note saying why not (a WASM process has no I/O worker).
      CHECK((cell["measured_s"].is_number() || cell.contains("note")));
    }
    CHECK(row["cells"][3]["guide_s"].is_null());  // the guide has no free-threaded column
  }
  for (const std::string row : {"http", "file", "cpu", "mixed"}) {
    INFO(row);
    CHECK(r["metrics"].contains(row + "/asyncio_s"));
    CHECK(r["metrics"].contains(row + "/asyncio_ideal_s"));
    CHECK(r["metrics"][row + "/asyncio_guide_s"].is_number());
    CHECK(r["checks"].contains(row + "/order_agrees_with_guide"));
  }
  CHECK(r["metrics"]["http/sequential_guide_s"] == 6);
}

// A fake timer: piece i takes base[i] seconds, times `slow(round, i)`, the rest of a busy
// machine's doing. Rounds are counted by the pieces timed.
struct FakePieces {
  std::vector<double> base;
  std::function<double(int round, int piece)> slow;
  int timed = 0;
  double operator()(int i) {
    const int round = timed++ / static_cast<int>(base.size());
    return base[static_cast<std::size_t>(i)] * slow(round, i);
  }
};

TEST_CASE("a cpu unit costs the sum of its pieces' fastest timings, whatever slowed the rest",
          "[workload][unit_cost]") {
  const std::vector<double> base{0.001, 0.002, 0.003, 0.004};
  SECTION("each piece timed clean once, in a different round, the rest three times as long") {
    FakePieces f{base, [](int round, int piece) { return round == piece + 1 ? 1.0 : 3.0; }};
    const auto cost = workload::fastest_pieces(4, std::ref(f));
    CHECK(cost.seconds == Approx(0.010));
    CHECK(cost.pieces == 4);
    CHECK(cost.rounds == 8);  // the last piece's clean round (4), then three that change nothing
  }
  SECTION("steady timings stop once they add up to min_s") {
    FakePieces f{base, [](int, int) { return 1.0; }};
    const auto cost = workload::fastest_pieces(4, std::ref(f));
    CHECK(cost.seconds == Approx(0.010));
    CHECK(cost.rounds == 10);  // 10 rounds of 10 ms: the 0.1 s of min_s
  }
  SECTION("a busy spell shorter than min_s is outlasted") {
    const std::vector<double> tenth{0.0001, 0.0002, 0.0003, 0.0004};
    FakePieces f{tenth, [](int round, int) { return round < 20 ? 4.0 : 1.0; }};
    const auto cost = workload::fastest_pieces(4, std::ref(f));
    CHECK(cost.seconds == Approx(0.001));
    CHECK(cost.rounds == 40);  // 80 ms slowed, then 20 rounds of 1 ms to reach min_s
  }
  SECTION("timings that keep falling stop at the budget") {
    FakePieces f{{0.1}, [](int round, int) { return std::pow(0.95, round); }};
    CHECK(workload::fastest_pieces(1, std::ref(f)).rounds == 6);  // 0.53 s timed
  }
  SECTION("a timer that never moves stops at the most rounds") {
    FakePieces f{base, [](int, int) { return 0.0; }};
    CHECK(workload::fastest_pieces(4, std::ref(f)).rounds == workload::Rounds{}.max);
  }
  SECTION("slow pieces stop at the budget") {
    FakePieces f{{0.2}, [](int, int) { return 1.0; }};
    const auto cost = workload::fastest_pieces(1, std::ref(f));
    CHECK(cost.rounds == 3);  // 0.6 s timed, past the 0.5 s budget
    CHECK(cost.seconds == Approx(0.2));
  }
}

TEST_CASE("this machine's cpu unit is timed in pieces over rounds", "[workload][unit_cost]") {
  const double resolution = platform::timer_resolution_seconds();
  const auto cost = workload::measure_unit_cost(resolution);
  INFO("unit " << cost.seconds << " s, " << cost.pieces << " pieces, " << cost.rounds
               << " rounds, timer " << resolution << " s");
  CHECK(cost.seconds > 0);
  CHECK(cost.pieces >= 1);
  CHECK(cost.pieces <= 10);
  // Each piece lasts 100 ticks of the timer or is the whole unit.
  CHECK((cost.pieces == 1 || cost.seconds / cost.pieces >= 50 * resolution));
  const workload::Rounds r;
  CHECK(cost.rounds <= r.max);
  // Each piece's fastest timing is at most its mean, so the rounds' timings add up to this at
  // least.
  CHECK((cost.rounds >= r.min || cost.seconds * cost.rounds >= r.budget_s));
}
