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

namespace {

Scenario with_headline(Scenario scenario, std::vector<contract::Headline> headline) {
  scenario.spec.headline = std::move(headline);
  return scenario;
}

}  // namespace

// Each with the figures its guide section is about, which the page compares across targets.
const std::vector<Scenario>& catalog() {
  static const std::vector<Scenario> all{
      with_headline(brew_chai(),
                    {{"slept_s", "slept", "s"}, {"thread_busy_s", "loop's thread busy", "s"}}),
      with_headline(gather(), {{"peak_concurrent_sleeps", "sleeps at once", ""}}),
      with_headline(http_get(),
                    {{"peak_in_flight", "requests in flight at once, in the engine", ""},
                     {"served_at_once", "answered at once, on the wire", ""},
                     {"connections_opened", "connections opened", ""},
                     {"failed", "failed", ""}}),
      with_headline(check_stock(), {{"ticks_during_call", "ticks during the blocking call", ""}}),
      with_headline(daemon(), {{"non_daemon_lived_s", "non-daemon thread lived", "s"},
                               {"daemon_lived_s", "daemon thread lived", "s"}}),
      with_headline(race(), {{"ns_per_increment", "per increment", "ns"},
                             {"lost", "updates lost", ""},
                             {"all_at_once_ms", "increment loops overlapping", "ms"}}),
      with_headline(deadlock(), {{"detection_latency_s", "deadlock found after", "s"}}),
      with_headline(encrypt(), {{"speedup", "pool speedup", "×"},
                                {"ipc_round_trip_us", "round trip to a worker", "µs"},
                                {"pool_startup_ms", "pool start-up", "ms"}}),
      with_headline(health_monitor(), {{"health_logs", "health lines logged", ""}}),
      with_headline(producer_consumer(), {{"served", "cups served", ""},
                                          {"puts_that_waited", "puts that waited for room", ""}}),
      with_headline(gil(), {{"speedup_gil_on", "speedup, GIL on", "×"},
                            {"speedup_gil_off", "speedup, GIL off", "×"},
                            {"speedup_processes", "speedup, processes", "×"},
                            {"gil_switches", "GIL hand-overs", ""}}),
      with_headline(scale(), {{"switch_ns", "task switch", "ns"},
                              {"bytes_per_task", "memory per task", "bytes"},
                              {"overhead_us_per_task", "overhead per task", "µs"},
                              {"thread_start_join_us", "thread start + join", "µs"},
                              {"lock_acquire_release_ns", "uncontended Lock", "ns"},
                              {"pool_round_trip_us", "pool round trip", "µs"},
                              {"process_start_ms", "a worker process's start", "ms"},
                              {"process_round_trip_us", "process pool round trip", "µs"}}),
      with_headline(compare(),
                    {{"cpu_unit_s", "a cpu unit", "s"}, {"file_step_s", "a file step", "s"}}),
      with_headline(workload(), {{"model_wall_s", "the tasks' wall time", "s"},
                                 {"peak_sleep", "sleeps at once", ""},
                                 {"peak_cpu", "cpu steps at once", ""}})};
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
