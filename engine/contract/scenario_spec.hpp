#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

// What a request may ask of a scenario: its models and each param's type, default, range, and
// the models (and this target's limits) it applies to. Validation needs nothing else, so no
// scenario ever finds bad input mid-run.
namespace samovar::contract {

enum class ParamType { integer, number, boolean, string };

struct ParamSpec {
  // With `model`, a narrower rule: a lower maximum (this target's worker processes) or fewer
  // choices, and why, in the words of the error.
  struct ForModel {
    std::string model;
    std::optional<double> max;
    std::vector<std::string> choices;
    std::string why;
  };

  std::string name;
  ParamType type = ParamType::integer;
  nlohmann::json default_value;
  double min = 0;  // integer and number params
  double max = 0;
  std::vector<std::string> choices;  // string params; empty: any text
  std::string help;
  std::vector<std::string> models;  // the models it applies to; empty: all the scenario's
  std::vector<ForModel> for_models;
  // Free text's own rule (a URL's form): what is wrong with a value, or "" when it is fine.
  std::function<std::string(const std::string&)> problem;

  // Only with these models; with another, only its default may be given.
  ParamSpec only_with(std::vector<std::string> applies_to) &&;
  // With `model`, at most `limit`; `what` says what the limit counts.
  ParamSpec at_most_with(std::string model, double limit, std::string what) &&;
  // With `model`, only `allowed` of the choices; `why` says why.
  ParamSpec choices_with(std::string model, std::vector<std::string> allowed, std::string why) &&;
  // Free text checked by `rule` too (it returns what is wrong, or "").
  ParamSpec checked_by(std::function<std::string(const std::string&)> rule) &&;
};

ParamSpec integer(std::string name, long long default_value, long long min, long long max,
                  std::string help);
ParamSpec number(std::string name, double default_value, double min, double max, std::string help);
ParamSpec flag(std::string name, bool default_value, std::string help);
ParamSpec choice(std::string name, std::string default_value, std::vector<std::string> choices,
                 std::string help);
ParamSpec text(std::string name, std::string default_value, std::string help);

// A limit on the sum of several integer params with one model (producers + consumers with
// multiprocessing: this target's worker processes). `field` is where the error points.
struct SumLimit {
  std::string model;
  std::vector<std::string> params;
  double max = 0;
  std::string field;
  std::string what;
};

// A figure a reader of the guide's section looks for, beyond the wall time: the page puts both
// targets' values side by side with their ratio. A scenario's models need not all report it.
struct Headline {
  std::string metric;  // a key of the report's metrics
  std::string label;
  std::string unit;  // "s", "ns", "µs", "ms", "bytes", "×", "" (a count)
};

// One example of the guide, as a request sees it. `models[0]` is its default model.
struct ScenarioSpec {
  std::string id;
  std::string title;
  std::string guide;  // section number
  std::string summary;
  std::vector<std::string> models;
  std::vector<ParamSpec> params;
  std::vector<SumLimit> limits = {};
  // A scenario that runs a request's `spec` (a workload) checks it with this: it throws
  // BadRequest naming the spec's bad field. Unset: the scenario takes no spec.
  std::function<void(const nlohmann::json&)> spec_rule = {};
  std::vector<Headline> headline = {};
  // The models whose threads an explored schedule (request "schedule": "explore") can run.
  std::vector<std::string> explore_models = {};

  const ParamSpec* param(std::string_view name) const;
};

std::string type_name(ParamType type);
// "integer 1..1000000", "number 0..60", "true or false", "one of: a, b".
std::string allowed(const ParamSpec& spec);

// What `samovar list --json` prints and the page builds its forms from.
nlohmann::json catalog_json(const std::vector<ScenarioSpec>& scenarios);
// What `samovar list` prints.
std::string catalog_text(const std::vector<ScenarioSpec>& scenarios);

}  // namespace samovar::contract
