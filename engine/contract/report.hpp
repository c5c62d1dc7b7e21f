#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/contract/explored.hpp"
#include "engine/contract/request.hpp"
#include "engine/platform/machine.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::contract {

struct Error {
  std::string code;  // "bad_request", "deadline", "cancelled", "internal"
  std::string message;
};

// A table of figures a scenario measured beside what it expected (compare: Table 4 of the
// guide). Each cell: the measured wall time, the ideal for this machine, the guide's figure,
// each absent where there is none, and a note saying why a measurement is missing.
struct Table {
  struct Cell {
    std::optional<double> measured_s, ideal_s, guide_s;
    std::string note;
  };
  struct Row {
    std::string name;
    std::vector<Cell> cells;  // one per column
  };
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

// One step of a sweep (scale's): n units waiting at once, what the step took and held.
struct SweepPoint {
  std::string unit;  // "coroutines", "threads"
  std::size_t n = 0;
  double wall_s = 0;
  double us_per_unit = 0;     // wall time beyond the one shared wait, per unit
  double bytes_per_unit = 0;  // memory held while all n waited, less before, per unit
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
  // JSON "trace_stopped_s", present only when the span budget (max_spans) ran out: the time the
  // recorder refused its first span; spans that ended later are missing (metrics.spans_dropped
  // counts them), so the trace is empty after it for want of room, not for want of activity.
  std::optional<double> trace_stopped_s;
  // JSON "trace_lanes_untraced", present only when not 0: lanes after the first
  // Limits::max_traced_lanes (a big gather's tasks), which have no spans in the trace at all.
  std::size_t trace_lanes_untraced = 0;
  std::map<std::string, double> metrics;
  std::map<std::string, std::pair<double, double>> metric_ranges;
  // A scenario's findings, name -> what happened ("deadlock_detected": true), and for each the
  // outcome this variant of the scenario is meant to show, from its params and model
  // ("deadlock_detected" is expected true with fix=none, false with fix=ordering; "concurrent"
  // false under the sequential model). A check agrees when the two are equal; surfaces show
  // that, not the raw boolean, as a pass. Both maps have the same names; JSON "checks" and
  // "expected_checks".
  std::map<std::string, bool> checks;
  std::map<std::string, bool> expected_checks;
  std::optional<Table> table;
  std::vector<SweepPoint> sweep;
  std::string sweep_memory;  // what the bytes were read from
  std::string sweep_limit;   // why the sweep stopped before its end, if it did
  std::optional<Explored> explored;
  std::optional<Error> error;
};

nlohmann::json to_json(const Report& report);
nlohmann::json to_json(const platform::Machine& machine);
nlohmann::json to_json(const Table& table);
// One output line as the report and the page's live stream show it.
nlohmann::json to_json(const trace::Line& line, const std::string& who);

// The answer to a request that could not be read: no run, just the error.
nlohmann::json bad_request_json(const std::string& field, const std::string& message);

// 0 the scenario ran to its end, 1 the run failed, 2 bad input (DESIGN.md, exit codes).
int exit_code(const nlohmann::json& report);

// The CLI's text form: each line with its time and who printed it, then a one-line summary.
std::string render_text(const nlohmann::json& report);

}  // namespace samovar::contract
