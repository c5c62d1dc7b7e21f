#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/contract/scenario_spec.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::contract {

inline constexpr int kSchemaVersion = 1;

// A validated request: every field present, defaults filled in, params checked against
// the scenario's spec (so `params` holds exactly the scenario's params, typed).
struct Request {
  std::string scenario;
  std::string model;
  nlohmann::json params = nlohmann::json::object();
  double scale = 0.1;
  std::int64_t seed = 1;
  double deadline_s = 60;
  trace::Level trace = trace::Level::spans;
  std::size_t max_lines = 10'000;
  std::size_t max_spans = 50'000;
  // A workload spec (JSON), for a scenario that runs one (ScenarioSpec::spec_rule); null else.
  nlohmann::json spec;
  // Runs of the same request: the report's wall time and metrics are their medians, its lines,
  // trace and checks the first run's. deadline_s bounds all of them together.
  int repeat = 1;
  // How the threading model's threads take turns: "os" (real threads at once), or "explore"
  // (one at a time, switching only at instrumented points, as `strategy` chooses from `seed`:
  // the same request gives the same schedule, lines and trace on every target).
  std::string schedule = "os";
  struct Explore {
    std::string strategy = "random";  // "random" (a random walk) or "pct"
    int depth = 2;                    // pct: the bug depth d, so d - 1 change points
    std::int64_t steps = 1000;        // pct: the change points fall in steps 1..steps
  } explore;
};

// Checks `json` against the scenario's spec among `scenarios`; throws BadRequest naming the
// field and what is allowed.
Request parse_request(const nlohmann::json& json, const std::vector<ScenarioSpec>& scenarios);
Request parse_request_text(const std::string& text, const std::vector<ScenarioSpec>& scenarios);
nlohmann::json to_json(const Request& request);

// A JSON value in the words of an error message: 3, "three", true, an object.
std::string describe(const nlohmann::json& value);

}  // namespace samovar::contract
