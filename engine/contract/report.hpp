#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/contract/request.hpp"
#include "engine/platform/machine.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::contract {

struct Error {
  std::string code;  // "bad_request", "deadline", "cancelled", "internal"
  std::string message;
};

struct Report {
  Request request;
  std::string platform;
  platform::Machine machine;
  // With repeat > 1: the median of walls_s, every run's wall time in order; each metric the
  // median of its runs, metric_ranges its least and greatest.
  double wall_s = 0;
  std::vector<double> walls_s;
  std::vector<std::string> lanes;
  std::vector<trace::Line> output;
  std::vector<trace::Span> trace;
  std::map<std::string, double> metrics;
  std::map<std::string, std::pair<double, double>> metric_ranges;
  std::map<std::string, bool> checks;
  std::optional<Error> error;
};

nlohmann::json to_json(const Report& report);
nlohmann::json to_json(const platform::Machine& machine);
// One output line as the report and the page's live stream show it.
nlohmann::json to_json(const trace::Line& line, const std::string& who);

// The answer to a request that could not be read: no run, just the error.
nlohmann::json bad_request_json(const std::string& field, const std::string& message);

// 0 the scenario ran to its end, 1 the run failed, 2 bad input (DESIGN.md, exit codes).
int exit_code(const nlohmann::json& report);

// The CLI's text form: each line with its time and who printed it, then a one-line summary.
std::string render_text(const nlohmann::json& report);

}  // namespace samovar::contract
