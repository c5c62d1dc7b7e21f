#include "engine/scenarios/catalog.hpp"

#include "engine/contract/bad_request.hpp"
#include "engine/contract/request.hpp"

namespace samovar::scenarios {

Scenario brew_chai();
Scenario gather();
Scenario http_get();
Scenario scale();
Scenario race();
Scenario check_stock();
Scenario health_monitor();
Scenario daemon();
Scenario deadlock();
Scenario producer_consumer();
Scenario gil();
Scenario encrypt();

const std::vector<Scenario>& catalog() {
  static const std::vector<Scenario> all{
      brew_chai(), gather(),  http_get(),       check_stock(),       daemon(), race(),
      deadlock(),  encrypt(), health_monitor(), producer_consumer(), gil(),    scale()};
  return all;
}

const Scenario* find(std::string_view id) {
  for (const auto& s : catalog())
    if (s.id == id) return &s;
  return nullptr;
}

const ParamSpec* find_param(const Scenario& scenario, std::string_view name) {
  for (const auto& p : scenario.params)
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

namespace {
std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}
}  // namespace

std::string allowed(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::integer:
      return contract::message::range(true, spec.min, spec.max);
    case ParamType::number:
      return contract::message::range(false, spec.min, spec.max);
    case ParamType::boolean:
      return "true or false";
    case ParamType::string:
      return spec.choices.empty() ? "a string" : "one of: " + join(spec.choices);
  }
  return "?";
}

std::string catalog_text() {
  std::string out;
  for (const auto& s : catalog()) {
    out += s.id + "  (guide " + s.guide + ")  " + s.title + "\n    models: " + join(s.models) +
           " (default " + s.models.front() + ")\n";
    for (const auto& p : s.params)
      out += "    --set " + p.name + "=" + p.default_value.dump() + "  " + allowed(p) + "; " +
             p.help + "\n";
  }
  return out;
}

nlohmann::json catalog_json() {
  nlohmann::json scenarios = nlohmann::json::array();
  for (const auto& s : catalog()) {
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
      params.push_back(std::move(j));
    }
    scenarios.push_back({{"id", s.id},
                         {"title", s.title},
                         {"guide", s.guide},
                         {"summary", s.summary},
                         {"models", s.models},
                         {"default_model", s.models.front()},
                         {"params", params}});
  }
  return {{"schema_version", contract::kSchemaVersion}, {"scenarios", scenarios}};
}

}  // namespace samovar::scenarios
