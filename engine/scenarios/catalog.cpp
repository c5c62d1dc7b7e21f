#include "engine/scenarios/catalog.hpp"

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
Scenario workload();
Scenario compare();

const std::vector<Scenario>& catalog() {
  static const std::vector<Scenario> all{
      brew_chai(), gather(),   http_get(), check_stock(),    daemon(),
      race(),      deadlock(), encrypt(),  health_monitor(), producer_consumer(),
      gil(),       scale(),    compare(),  workload()};
  return all;
}

const Scenario* find(std::string_view id) {
  for (const auto& s : catalog())
    if (s.spec.id == id) return &s;
  return nullptr;
}

const std::vector<contract::ScenarioSpec>& specs() {
  static const std::vector<contract::ScenarioSpec> all = [] {
    std::vector<contract::ScenarioSpec> out;
    for (const auto& s : catalog()) out.push_back(s.spec);
    return out;
  }();
  return all;
}

}  // namespace samovar::scenarios
