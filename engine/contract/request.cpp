#include "engine/contract/request.hpp"

#include <algorithm>
#include <cmath>

#include "engine/contract/bad_request.hpp"
#include "engine/contract/json_input.hpp"
#include "engine/contract/limits.hpp"

namespace samovar::contract {

using nlohmann::json;

std::string describe(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return "string " + value.dump();
    case json::value_t::boolean:
      return "boolean " + value.dump();
    case json::value_t::null:
      return "null";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "number " + value.dump();
  }
}

namespace {

using limits::kMaxText;
constexpr const char* kFields =
    "schema_version, scenario, model, params, scale, seed, deadline_s, trace, max_lines, "
    "max_spans, repeat, spec, schedule, strategy, depth, steps";

bool has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

bool is_integer(const json& v) {
  if (v.is_number_integer()) return true;
  return v.is_number_float() && std::isfinite(v.get<double>()) &&
         v.get<double>() == std::floor(v.get<double>()) && std::fabs(v.get<double>()) < 9e15;
}

double number(const std::string& field, const json& v, double min, double max, bool integer) {
  if (!v.is_number() || (integer && !is_integer(v)))
    throw BadRequest(field, message::wrong_type(message::range(integer, min, max), describe(v)));
  const double d = v.get<double>();
  if (!(d >= min && d <= max))
    throw BadRequest(field, message::out_of_range(v.dump(), message::range(integer, min, max)));
  return d;
}

std::string text(const std::string& field, const json& v) {
  if (!v.is_string()) throw BadRequest(field, message::wrong_type("a string", describe(v)));
  return v.get<std::string>();
}

json param(const std::string& field, const ParamSpec& spec, const json& v) {
  switch (spec.type) {
    case ParamType::integer:
      return static_cast<long long>(number(field, v, spec.min, spec.max, true));
    case ParamType::number:
      return number(field, v, spec.min, spec.max, false);
    case ParamType::boolean:
      if (!v.is_boolean())
        throw BadRequest(field, message::wrong_type("true or false", describe(v)));
      return v;
    case ParamType::string: {
      const std::string s = text(field, v);
      if (spec.choices.empty()) {
        if (s.size() > kMaxText) throw BadRequest(field, message::too_long(s.size(), kMaxText));
        for (std::size_t i = 0; i < s.size(); ++i)
          if (static_cast<unsigned char>(s[i]) < 0x20 || s[i] == 0x7f)
            throw BadRequest(field, message::control_character(i));
        if (spec.problem) {
          const std::string problem = spec.problem(s);
          if (!problem.empty()) throw BadRequest(field, problem);
        }
        return s;
      }
      for (const auto& c : spec.choices)
        if (c == s) return s;
      throw BadRequest(field, message::not_one_of(v.dump(), message::list(spec.choices)));
    }
  }
  return v;
}

// The rules a param has only with some models: applies at all, a lower maximum, fewer choices.
void check_for_model(const std::string& field, const ParamSpec& spec, const std::string& model,
                     const json& value) {
  if (!spec.models.empty() && !has(spec.models, model) && value != spec.default_value)
    throw BadRequest(field, value.dump() + " applies to model " + message::list(spec.models) +
                                " only; allowed: " + spec.default_value.dump());
  for (const auto& rule : spec.for_models) {
    if (rule.model != model) continue;
    if (rule.max && value.get<double>() > *rule.max)
      throw BadRequest(field, message::over_target_limit(
                                  value.dump(), static_cast<std::size_t>(*rule.max), rule.why));
    if (!rule.choices.empty() && !has(rule.choices, value.get<std::string>()))
      throw BadRequest(field, message::not_one_of(value.dump(), message::list(rule.choices) + " (" +
                                                                    rule.why + ")"));
  }
}

void check_limit(const SumLimit& limit, const json& params) {
  double sum = 0;
  std::string terms;
  for (const auto& name : limit.params) {
    sum += params[name].get<double>();
    terms += (terms.empty() ? "" : " + ") + params[name].dump() + " " + name;
  }
  if (sum > limit.max)
    throw BadRequest(limit.field, message::over_target_limit(
                                      terms, static_cast<std::size_t>(limit.max), limit.what));
}

// schedule, strategy, depth, steps: the last three mean something only to an explored schedule,
// which runs only the models a scenario lists for it.
void parse_schedule(const json& j, const ScenarioSpec& scenario, Request& r) {
  if (j.contains("schedule")) {
    r.schedule = text("schedule", j["schedule"]);
    if (r.schedule != "os" && r.schedule != "explore")
      throw BadRequest("schedule", message::not_one_of(j["schedule"].dump(), "os, explore"));
  }
  const bool explore = r.schedule == "explore";
  for (const char* field : {"strategy", "depth", "steps"})
    if (j.contains(field) && !explore)
      throw BadRequest(field, "allowed with schedule explore only");
  if (!explore) return;
  if (!has(scenario.explore_models, r.model)) {
    std::string where = "the threading model of race, deadlock, producer-consumer";
    if (!scenario.explore_models.empty())
      where = "model " + message::list(scenario.explore_models) + " of " + scenario.id;
    throw BadRequest("schedule",
                     "explore runs " + where + "; got " + r.scenario + " with model " + r.model);
  }
  if (j.contains("strategy")) {
    r.explore.strategy = text("strategy", j["strategy"]);
    if (r.explore.strategy != "random" && r.explore.strategy != "pct")
      throw BadRequest("strategy", message::not_one_of(j["strategy"].dump(), "random, pct"));
  }
  if (j.contains("depth"))
    r.explore.depth =
        static_cast<int>(number("depth", j["depth"], 1, limits::kMaxExploreDepth, true));
  if (j.contains("steps"))
    r.explore.steps =
        static_cast<std::int64_t>(number("steps", j["steps"], 1, limits::kMaxExploreSteps, true));
}

}  // namespace

Request parse_request(const json& j, const std::vector<ScenarioSpec>& scenarios) {
  if (!j.is_object()) throw BadRequest("request", message::not_an_object());
  check_json_value(j);
  for (const auto& [key, value] : j.items()) {
    static const std::vector<std::string> known{
        "schema_version", "scenario", "model",     "params",    "scale",  "seed",
        "deadline_s",     "trace",    "max_lines", "max_spans", "repeat", "spec",
        "schedule",       "strategy", "depth",     "steps"};
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw BadRequest(key, message::unknown_field(kFields));
  }
  if (j.contains("schema_version")) {
    const json& v = j["schema_version"];
    if (!v.is_number_integer() || v.get<long long>() != kSchemaVersion)
      throw BadRequest("schema_version", message::unsupported_version(v.dump(), kSchemaVersion));
  }
  if (!j.contains("scenario")) throw BadRequest("scenario", message::missing());
  Request r;
  r.scenario = text("scenario", j["scenario"]);
  const ScenarioSpec* scenario = nullptr;
  for (const auto& s : scenarios)
    if (s.id == r.scenario) scenario = &s;
  if (scenario == nullptr) {
    std::vector<std::string> ids;
    for (const auto& s : scenarios) ids.push_back(s.id);
    throw BadRequest("scenario", message::not_one_of(j["scenario"].dump(), message::list(ids)));
  }
  r.model = scenario->models.front();
  if (j.contains("model")) {
    r.model = text("model", j["model"]);
    if (!has(scenario->models, r.model))
      throw BadRequest("model",
                       message::not_one_of(j["model"].dump(), message::list(scenario->models)));
  }
  json given = json::object();
  if (j.contains("params")) {
    given = j["params"];
    if (!given.is_object())
      throw BadRequest("params", message::wrong_type("an object", describe(given)));
  }
  for (const auto& [key, value] : given.items()) {
    if (scenario->param(key) == nullptr) {
      std::vector<std::string> names;
      for (const auto& p : scenario->params) names.push_back(p.name);
      throw BadRequest("params." + key,
                       message::unknown_field(names.empty() ? "(none)" : message::list(names)));
    }
  }
  for (const auto& spec : scenario->params) {
    const std::string field = "params." + spec.name;
    r.params[spec.name] =
        given.contains(spec.name) ? param(field, spec, given[spec.name]) : spec.default_value;
    check_for_model(field, spec, r.model, r.params[spec.name]);
  }
  for (const auto& limit : scenario->limits)
    if (limit.model == r.model) check_limit(limit, r.params);
  if (scenario->spec_rule) {
    if (!j.contains("spec")) throw BadRequest("spec", message::missing());
    scenario->spec_rule(j["spec"]);
    r.spec = j["spec"];
  } else if (j.contains("spec")) {
    std::vector<std::string> ids;
    for (const auto& s : scenarios)
      if (s.spec_rule) ids.push_back(s.id);
    throw BadRequest("spec", "scenario " + r.scenario + " takes no spec; allowed with scenario " +
                                 message::list(ids) + " only");
  }
  if (j.contains("scale"))
    r.scale = number("scale", j["scale"], limits::kMinScale, limits::kMaxScale, false);
  if (j.contains("seed"))
    r.seed = static_cast<std::int64_t>(number("seed", j["seed"], 0, limits::kMaxSeed, true));
  if (j.contains("deadline_s"))
    r.deadline_s =
        number("deadline_s", j["deadline_s"], limits::kMinDeadlineS, limits::kMaxDeadlineS, false);
  if (j.contains("trace")) {
    const std::string t = text("trace", j["trace"]);
    if (t == "off")
      r.trace = trace::Level::off;
    else if (t != "spans")
      throw BadRequest("trace", message::not_one_of(j["trace"].dump(), "spans, off"));
  }
  if (j.contains("max_lines"))
    r.max_lines =
        static_cast<std::size_t>(number("max_lines", j["max_lines"], 0, limits::kMaxLines, true));
  if (j.contains("max_spans"))
    r.max_spans =
        static_cast<std::size_t>(number("max_spans", j["max_spans"], 0, limits::kMaxSpans, true));
  if (j.contains("repeat"))
    r.repeat = static_cast<int>(number("repeat", j["repeat"], 1, limits::kMaxRepeat, true));
  parse_schedule(j, *scenario, r);
  return r;
}

Request parse_request_text(const std::string& text, const std::vector<ScenarioSpec>& scenarios) {
  return parse_request(parse_json_text(text), scenarios);
}

json to_json(const Request& r) {
  json j{{"schema_version", kSchemaVersion},
         {"scenario", r.scenario},
         {"model", r.model},
         {"params", r.params},
         {"scale", r.scale},
         {"seed", r.seed},
         {"deadline_s", r.deadline_s},
         {"trace", r.trace == trace::Level::spans ? "spans" : "off"},
         {"max_lines", r.max_lines},
         {"max_spans", r.max_spans},
         {"repeat", r.repeat},
         {"schedule", r.schedule}};
  if (r.schedule == "explore") {
    j["strategy"] = r.explore.strategy;
    j["depth"] = r.explore.depth;
    j["steps"] = r.explore.steps;
  }
  if (!r.spec.is_null()) j["spec"] = r.spec;
  return j;
}

}  // namespace samovar::contract
