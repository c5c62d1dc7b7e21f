#include "engine/samovar.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <vector>

#include "engine/contract/bad_request.hpp"
#include "engine/contract/deadline.hpp"
#include "engine/contract/stop.hpp"
#include "engine/multiprocessing/worker.hpp"
#include "engine/platform/clock.hpp"
#include "engine/platform/machine.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/scenarios/median.hpp"
#include "engine/trace/chrome_trace.hpp"

namespace samovar {

namespace {

// One run of the request, into `report`: its error, wall time, metrics and checks, and, when
// `keep` says so, its lines and spans. Every run of a repeated request ends by `deadline`.
void run_once(const contract::Request& request, const RunOptions& options, platform::Nanos deadline,
              bool keep, contract::Report& report) {
  const platform::Nanos start = platform::now();
  trace::Recorder recorder(request.trace, {request.max_lines, request.max_spans}, start);
  if (keep && options.on_line) recorder.on_line(options.on_line);
  scenarios::Context ctx(request, recorder, deadline, options.cancel);
  const double deadline_s = request.deadline_s;
  const auto deadline_error = [&] {
    return contract::Error{"deadline", contract::DeadlineExceeded(deadline_s).what()};
  };
  const auto cancelled_error = [] {
    return contract::Error{"cancelled", contract::Cancelled().what()};
  };
  try {
    // A run cancelled while it waited to start (a queued job, a later repeat) runs nothing.
    ctx.stop().check();
    scenarios::find(request.scenario)->run(ctx);
    // A passed deadline is always the run's error, even when the scenario got to its end
    // without a wait to see it (a thread that died of it, its last work done late).
    if (ctx.stop().cancelled())
      report.error = cancelled_error();
    else if (ctx.time_left() <= 0)
      report.error = deadline_error();
  } catch (const contract::DeadlineExceeded& e) {
    report.error = contract::Error{"deadline", e.what()};
  } catch (const contract::Cancelled& e) {
    report.error = contract::Error{"cancelled", e.what()};
  } catch (const std::exception& e) {
    // Cancelled or past the deadline, a failure is the stop's: a wait the scenario bounded by
    // the time left (a future, a process's queue) gave up with its own error.
    if (ctx.stop().cancelled())
      report.error = cancelled_error();
    else if (ctx.time_left() <= 0)
      report.error = deadline_error();
    else
      report.error = contract::Error{"internal", e.what()};
  }
  report.walls_s.push_back(
      platform::to_seconds(ctx.program_end().value_or(platform::now()) - start));
  if (keep) report.explored = ctx.explored();
  report.metrics = ctx.metrics();
  report.metrics["lines_dropped"] = static_cast<double>(recorder.lines_dropped());
  report.metrics["spans_dropped"] = static_cast<double>(recorder.spans_dropped());
  if (!keep) return;
  report.checks = ctx.checks();
  report.expected_checks = ctx.expected_checks();
  report.table = ctx.table();
  report.sweep = ctx.sweep();
  report.sweep_limit = ctx.sweep_limit();
  report.sweep_memory = ctx.sweep_memory();
  report.lanes = recorder.lanes();
  report.output = recorder.lines();
  report.trace = recorder.spans();
  report.trace_stopped_s = recorder.stopped_s();
  report.trace_lanes_untraced = recorder.lanes_untraced();
}

}  // namespace

contract::Report run(const contract::Request& request, const RunOptions& options) {
  contract::Report report;
  report.request = request;
  report.platform = platform::target_name();
  // Probed once per process: the timer-resolution probe alone takes ~1 ms in a browser, and
  // none of it changes between runs.
  static const platform::Machine machine = platform::machine();
  report.machine = machine;

  const platform::Nanos deadline = platform::now() + platform::to_nanos(request.deadline_s);
  // The first run is the one shown (its lines stream as they are printed); the others repeat it
  // at the same trace level, for the medians. A failed run ends the request with its error.
  std::map<std::string, std::vector<double>> runs;
  for (int i = 0; i < request.repeat && !report.error; ++i) {
    run_once(request, options, deadline, i == 0, report);
    for (const auto& [name, value] : report.metrics) runs[name].push_back(value);
  }
  report.wall_s = scenarios::median(report.walls_s);
  if (report.walls_s.size() > 1) {
    for (auto& [name, values] : runs) {
      const auto [least, most] = std::minmax_element(values.begin(), values.end());
      report.metric_ranges[name] = {*least, *most};
      report.metrics[name] = scenarios::median(values);
    }
  }
  return report;
}

Request parse_request(const nlohmann::json& request) {
  return contract::parse_request(request, scenarios::specs());
}

namespace {

// A bad request is an answer, not an error: the report names the field and what it allows.
template <class Parse>
nlohmann::json run_parsed(Parse parse, const RunOptions& options) {
  try {
    return contract::to_json(run(parse(), options));
  } catch (const contract::BadRequest& e) {
    return contract::bad_request_json(e.field(), e.what());
  }
}

}  // namespace

nlohmann::json run_json(const nlohmann::json& request, const RunOptions& options) {
  return run_parsed([&] { return parse_request(request); }, options);
}

nlohmann::json run_json_text(const std::string& request_text, const RunOptions& options) {
  return run_parsed([&] { return contract::parse_request_text(request_text, scenarios::specs()); },
                    options);
}

nlohmann::json catalog_json() {
  return contract::catalog_json(scenarios::specs());
}
std::string catalog_text() {
  return contract::catalog_text(scenarios::specs());
}

nlohmann::json chrome_trace(const nlohmann::json& report) {
  return trace::chrome_trace(report);
}

nlohmann::json machine_json() {
  return contract::to_json(platform::machine());
}

bool is_worker_process() {
  return multiprocessing::is_worker_process();
}
int worker_main() {
  return multiprocessing::worker_main();
}

}  // namespace samovar
