#include "engine/contract/scenario_spec.hpp"

#include "engine/contract/bad_request.hpp"
#include "engine/contract/request.hpp"

namespace samovar::contract {

ParamSpec ParamSpec::only_with(std::vector<std::string> applies_to) && {
  models = std::move(applies_to);
  return std::move(*this);
}

ParamSpec ParamSpec::checked_by(std::function<std::string(const std::string&)> rule) && {
  problem = std::move(rule);
  return std::move(*this);
}

ParamSpec ParamSpec::at_most_with(std::string model, double limit, std::string what) && {
  for_models.push_back({std::move(model), limit, {}, std::move(what)});
  return std::move(*this);
}

ParamSpec ParamSpec::choices_with(std::string model, std::vector<std::string> allowed,
                                  std::string why) && {
  for_models.push_back({std::move(model), std::nullopt, std::move(allowed), std::move(why)});
  return std::move(*this);
}

ParamSpec integer(std::string name, long long default_value, long long min, long long max,
                  std::string help) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = ParamType::integer;
  p.default_value = default_value;
  p.min = static_cast<double>(min);
  p.max = static_cast<double>(max);
  p.help = std::move(help);
  return p;
}

ParamSpec number(std::string name, double default_value, double min, double max, std::string help) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = ParamType::number;
  p.default_value = default_value;
  p.min = min;
  p.max = max;
  p.help = std::move(help);
  return p;
}

ParamSpec flag(std::string name, bool default_value, std::string help) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = ParamType::boolean;
  p.default_value = default_value;
  p.help = std::move(help);
  return p;
}

ParamSpec choice(std::string name, std::string default_value, std::vector<std::string> choices,
                 std::string help) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = ParamType::string;
  p.default_value = std::move(default_value);
  p.choices = std::move(choices);
  p.help = std::move(help);
  return p;
}

ParamSpec text(std::string name, std::string default_value, std::string help) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = ParamType::string;
  p.default_value = std::move(default_value);
  p.help = std::move(help);
  return p;
}

const ParamSpec* ScenarioSpec::param(std::string_view name) const {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

std::string type_name(ParamType type) {
  switch (type) {
    case ParamType::integer:
      return "int";
    case ParamType::number:
      return "number";
    case ParamType::boolean:
      return "bool";
    case ParamType::string:
      return "string";
  }
  return "?";
}

std::string allowed(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::integer:
      return message::range(true, spec.min, spec.max);
    case ParamType::number:
      return message::range(false, spec.min, spec.max);
    case ParamType::boolean:
      return "true or false";
    case ParamType::string:
      return spec.choices.empty() ? "a string" : "one of: " + message::list(spec.choices);
  }
  return "?";
}

std::string catalog_text(const std::vector<ScenarioSpec>& scenarios) {
  std::string out;
  for (const auto& s : scenarios) {
    out += s.id + "  (guide " + s.guide + ")  " + s.title +
           "\n    models: " + message::list(s.models) + " (default " + s.models.front() + ")\n";
    for (const auto& p : s.params) {
      out +=
          "    --set " + p.name + "=" + p.default_value.dump() + "  " + allowed(p) + "; " + p.help;
      if (!p.models.empty()) out += " (model " + message::list(p.models) + ")";
      out += "\n";
    }
  }
  return out;
}

nlohmann::json catalog_json(const std::vector<ScenarioSpec>& scenarios) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& s : scenarios) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : s.params) {
      nlohmann::json j{{"name", p.name},
                       {"type", type_name(p.type)},
                       {"default", p.default_value},
                       {"help", p.help}};
      if (p.type == ParamType::integer || p.type == ParamType::number) {
        j["min"] = p.min;
        j["max"] = p.max;
      }
      if (p.type == ParamType::string && !p.choices.empty()) j["choices"] = p.choices;
      if (!p.models.empty()) j["models"] = p.models;
      for (const auto& rule : p.for_models) {
        nlohmann::json narrower{{"why", rule.why}};
        if (rule.max) narrower["max"] = *rule.max;
        if (!rule.choices.empty()) narrower["choices"] = rule.choices;
        j["with_model"][rule.model] = std::move(narrower);
      }
      params.push_back(std::move(j));
    }
    nlohmann::json headline = nlohmann::json::array();
    for (const auto& h : s.headline)
      headline.push_back({{"metric", h.metric}, {"label", h.label}, {"unit", h.unit}});
    all.push_back({{"id", s.id},
                   {"title", s.title},
                   {"guide", s.guide},
                   {"summary", s.summary},
                   {"models", s.models},
                   {"default_model", s.models.front()},
                   {"params", params},
                   {"headline", std::move(headline)},
                   {"explore_models", s.explore_models}});
    if (s.spec_rule) all.back()["takes_spec"] = true;  // the request's `spec` field
  }
  return {{"schema_version", kSchemaVersion}, {"scenarios", all}};
}

}  // namespace samovar::contract
