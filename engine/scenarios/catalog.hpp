#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace samovar::scenarios {

class Context;

enum class ParamType { integer, number, boolean, string };

struct ParamSpec {
  std::string name;
  ParamType type;
  nlohmann::json default_value;
  double min = 0;  // integer and number params
  double max = 0;
  std::vector<std::string> choices;  // string params
  std::string help;
};

// One example of the guide. `models[0]` is its default model.
struct Scenario {
  std::string id;
  std::string title;
  std::string guide;  // section number
  std::string summary;
  std::vector<std::string> models;
  std::vector<ParamSpec> params;
  void (*run)(Context&);
};

const std::vector<Scenario>& catalog();
const Scenario* find(std::string_view id);
const ParamSpec* find_param(const Scenario& scenario, std::string_view name);

// What `samovar list --json` prints and the page builds its forms from.
nlohmann::json catalog_json();
// What `samovar list` prints.
std::string catalog_text();
std::string type_name(ParamType type);
// "integer 1..1000000", "number 0..60", "true or false", "one of: a, b".
std::string allowed(const ParamSpec& spec);

}  // namespace samovar::scenarios
