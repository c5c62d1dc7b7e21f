#pragma once
#include <string_view>
#include <vector>

#include "engine/contract/scenario_spec.hpp"

namespace samovar::scenarios {

class Context;

// The builders a scenario describes its params with: param::integer(...), param::flag(...).
namespace param = contract;

// One example of the guide: what a request may ask of it, and how it runs.
struct Scenario {
  contract::ScenarioSpec spec;
  void (*run)(Context&);
};

const std::vector<Scenario>& catalog();
const Scenario* find(std::string_view id);
// Every scenario's spec, in catalog order: what requests are checked against.
const std::vector<contract::ScenarioSpec>& specs();

}  // namespace samovar::scenarios
