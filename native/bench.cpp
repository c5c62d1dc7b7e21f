#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "engine/samovar.hpp"
#include "native/commands.hpp"
#include "native/cpython.hpp"
#include "native/performance.hpp"

namespace samovar::cli {

using nlohmann::json;

namespace {

// Output lines kept per record: enough for the page to show both runs side by side.
constexpr std::size_t kKeptLines = 200;
// What a CPython program gets beyond its request's deadline: the interpreter's own start.
constexpr double kPythonGraceS = 15;
// The request's default deadline, for each of a request's runs.
constexpr double kDeadlineS = 60;

// A request of the plan, and why CPython does not run it ("" when it does).
struct Planned {
  json request;
  std::string cpython_skip;
};

const char* const kQuickSkip = "left out of --quick, to keep it under a minute";

// The requests whose native results the page puts beside its own runs: each scenario with
// its defaults, and gather as it grows. The page matches them by the whole request.
// Each is run `repeat` times (BenchArgs): the record keeps every wall time, wall_s their median.
std::vector<Planned> plan(bool quick) {
  std::vector<Planned> p;
  auto add = [&](json request, std::string skip = "") {
    p.push_back({std::move(request), std::move(skip)});
  };
  for (const char* model : {"asyncio", "sequential"}) {
    add({{"scenario", "brew-chai"}, {"model", model}});
    for (int tasks : {3, 10})  // ten brews one after another: 3 s of sleep, once is enough
      add({{"scenario", "gather"}, {"model", model}, {"params", {{"tasks", tasks}}}},
          quick && tasks == 10 && std::string(model) == "sequential" ? kQuickSkip : "");
  }
  std::vector<int> sizes{100, 1000, 10000, 100000};
  if (!quick) sizes.push_back(1000000);
  // CPython takes ~0.1 ms a task here: a million would outlast the run's deadline.
  for (int tasks : sizes)
    add({{"scenario", "gather"}, {"params", {{"tasks", tasks}}}},
        tasks >= 1000000 ? "a million tasks take CPython longer than the run's 60 s deadline"
        : quick && tasks >= 1000 ? kQuickSkip
                                 : "");
  add({{"scenario", "gather"}, {"params", {{"blocking", true}}}});
  add({{"scenario", "http-get"}});
  for (bool blocking : {false, true})
    add({{"scenario", "check-stock"}, {"params", {{"blocking", blocking}}}});
  add({{"scenario", "health-monitor"}});
  for (const char* variant : {"both", "daemon", "non-daemon"})
    add({{"scenario", "daemon"}, {"params", {{"variant", variant}}}});
  for (const char* sync : {"none", "lock", "atomic"})
    add({{"scenario", "race"}, {"params", {{"sync", sync}}}});
  add({{"scenario", "race"}, {"params", {{"gil", true}}}});
  add({{"scenario", "race"}, {"params", {{"sync", "lock"}}}, {"trace", "off"}});
  add({{"scenario", "race"}, {"model", "multiprocessing"}});
  for (const char* sync : {"none", "lock"})
    add({{"scenario", "race"},
         {"model", "multiprocessing"},
         {"params", {{"value", true}, {"sync", sync}}}});
  for (const char* fix : {"none", "ordering", "timeout"})
    add({{"scenario", "deadlock"}, {"params", {{"fix", fix}}}});
  for (const char* model : {"threading", "asyncio", "multiprocessing"})
    add({{"scenario", "producer-consumer"}, {"model", model}});
  add({{"scenario", "producer-consumer"},
       {"model", "multiprocessing"},
       {"params", {{"value", true}}}});
  // CPython hashes and counts primes about a hundred times slower than native code: at the
  // defaults it would take minutes, so the smaller requests below are the ones compared.
  const std::string slow =
      "at this work CPython takes minutes; the request with less work compares";
  add({{"scenario", "encrypt"}}, slow);
  // The measurements with tracing off take as long again: the full bench has them.
  if (!quick) add({{"scenario", "encrypt"}, {"params", {{"items", 8}}}, {"trace", "off"}}, slow);
  add({{"scenario", "encrypt"}, {"params", {{"work", 20000}}}});
  // The GIL's speedups as the page runs it, and as measured.
  add({{"scenario", "gil"}}, slow);
  if (!quick) add({{"scenario", "gil"}, {"trace", "off"}}, slow);
  add({{"scenario", "gil"}, {"params", {{"work", 100000}, {"rounds", 1}}}});
  add({{"scenario", "http-get"}, {"params", {{"requests", 1000}}}}, quick ? kQuickSkip : "");
  // The guide's Table 4 (8.1): its four workloads under every model, a few seconds in all.
  add({{"scenario", "compare"}});
  // The loop's own costs: as the page runs it (spans on), and as measured (tracing off).
  add({{"scenario", "scale"}});
  add({{"scenario", "scale"}, {"trace", "off"}});
  add({{"scenario", "scale"}, {"model", "threading"}});
  if (!quick) add({{"scenario", "scale"}, {"model", "threading"}, {"trace", "off"}});
  // Table 3 and 8.2: per unit, as coroutines, threads and processes grow (the page's sweep
  // charts draw these beside its own).
  add({{"scenario", "scale"}, {"params", {{"sweep_to", quick ? 100000 : 1000000}}}});
  add({{"scenario", "scale"},
       {"model", "threading"},
       {"params", {{"sweep_to", quick ? 100 : 1000}}}});
  add({{"scenario", "scale"},
       {"model", "multiprocessing"},
       {"params", {{"sweep_to", quick ? 8 : 64}}}});
  return p;
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::ostringstream s;
  s << std::put_time(std::gmtime(&t), "%Y-%m-%dT%H:%M:%SZ");
  return s.str();
}

// The processor's name, for the reader of the results: the first "model name" the kernel gives.
std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown";
}

// At most kKeptLines of the run's output, marked when cut, in place of the whole.
void keep_first_lines(json& record) {
  json& output = record["output"];
  const std::size_t lines = output.size();
  const double dropped = record["metrics"].value("lines_dropped", 0.0);
  if (lines > kKeptLines) output.erase(output.begin() + kKeptLines, output.end());
  record["output_lines"] = static_cast<double>(lines) + dropped;
  record["output_cut"] = lines > kKeptLines || dropped > 0;
}

// One line per request: a bar redrawn in place on a terminal, plain lines elsewhere.
class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), tty_(::isatty(STDOUT_FILENO) == 1) {}
  void line(const std::string& text) {
    if (tty_) std::cout << "\r\x1b[2K";
    std::cout << text << std::endl;  // a line as it happens, into a log file too
    bar();
  }
  void start(const std::string& what) {
    what_ = what;
    bar();
  }
  void done() {
    ++done_;
    bar();
  }
  void finish() {
    if (tty_) std::cout << "\r\x1b[2K" << std::flush;
  }

 private:
  void bar() {
    if (!tty_) return;
    constexpr std::size_t kWidth = 30;
    const std::size_t filled = total_ == 0 ? kWidth : done_ * kWidth / total_;
    std::cout << "\r\x1b[2K[" << std::string(filled, '#') << std::string(kWidth - filled, '.')
              << "] " << done_ << "/" << total_ << "  " << what_ << std::flush;
  }
  std::size_t total_, done_ = 0;
  bool tty_;
  std::string what_;
};

std::string row(const std::string& side, const json& r) {
  std::ostringstream s;
  s << std::left << std::setw(8) << side << std::setw(18) << r["scenario"].get<std::string>()
    << std::setw(16) << r["model"].get<std::string>() << std::setw(7) << r.value("trace_level", "")
    << std::right << std::fixed << std::setprecision(4);
  if (r.contains("wall_s"))
    s << std::setw(9) << r["wall_s"].get<double>() << " s  ";
  else
    s << std::setw(11) << "-"
      << "  ";
  s << std::left << r["params"].dump();
  if (r.contains("skipped")) s << "  (" << r["skipped"].get<std::string>() << ")";
  if (r.contains("error")) s << "  error: " << r["error"].value("message", "");
  return s.str();
}

// The request as the native run resolved it (every param given), for the CPython program.
json cpython_request(const json& report) {
  return {{"schema_version", kSchemaVersion}, {"scenario", report["scenario"]},
          {"model", report["model"]},         {"params", report["params"]},
          {"scale", report["scale"]},         {"seed", report["seed"]},
          {"deadline_s", kDeadlineS}};
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The program `repeat` times, each run a process of its own: the first run's lines and checks,
// every wall time, and the medians of wall_s and of each metric, as the native report of a
// repeated request has them.
json run_cpython(const Interpreter& python, const std::string& program, const json& report,
                 int repeat) {
  const json request = cpython_request(report);
  json record;
  std::vector<double> walls;
  std::map<std::string, std::vector<double>> metrics;
  for (int i = 0; i < repeat; ++i) {
    json once = cpython_record(
        request,
        run_program({python.path, "-B", program, request.dump()}, kDeadlineS + kPythonGraceS),
        kKeptLines);
    if (once.contains("error") || !once.contains("wall_s")) return once;
    walls.push_back(once["wall_s"].get<double>());
    for (const auto& [name, value] : once["metrics"].items())
      if (value.is_number()) metrics[name].push_back(value.get<double>());
    if (i == 0) record = std::move(once);
  }
  record["repeat"] = repeat;
  record["walls_s"] = walls;
  record["wall_s"] = median_of(walls);
  for (const auto& [name, values] : metrics) record["metrics"][name] = median_of(values);
  return record;
}

}  // namespace

int bench(const BenchArgs& args) {
  std::string why_no_python;
  const auto python = find_python(args.python, why_no_python);
  const auto planned = plan(args.quick);
  Progress progress(planned.size());
  json results = json::array();
  json cpython_results = json::array();
  std::map<std::string, std::size_t> ran;  // a CPython request -> its record
  for (const auto& [plan_request, cpython_skip] : planned) {
    json request = plan_request;
    request["schema_version"] = kSchemaVersion;
    request["repeat"] = args.repeat;
    request["deadline_s"] = kDeadlineS * args.repeat;  // the deadline bounds all the runs
    progress.start(request["scenario"].get<std::string>());
    json report = run_json(request);
    if (exit_code(report) != 0) {
      progress.finish();
      std::cerr << "bench: " << request.dump() << " failed: " << report["error"]["message"] << "\n";
      return 1;
    }
    progress.line(row("native", report));
    // The page needs the figures and the first lines, not the spans.
    report.erase("trace");
    report.erase("machine");
    keep_first_lines(report);
    if (python) {
      json record;
      const std::string program = python_program(args.python_dir, report["scenario"]);
      if (program.empty() || !cpython_skip.empty()) {
        record = {
            {"scenario", report["scenario"]},
            {"model", report["model"]},
            {"params", report["params"]},
            {"scale", report["scale"]},
            {"seed", report["seed"]},
            {"skipped", program.empty() ? "no CPython program for this scenario" : cpython_skip}};
      } else if (const auto same = ran.find(cpython_request(report).dump()); same != ran.end()) {
        // CPython records no trace: a request that differs only in it is the same run.
        record = cpython_results[same->second];
      } else {
        ran[cpython_request(report).dump()] = cpython_results.size();
        record = run_cpython(*python, program, report, args.repeat);
      }
      record["trace_level"] = report["trace_level"];  // the native request it stands beside
      progress.line(row("cpython", record));
      cpython_results.push_back(std::move(record));
    }
    results.push_back(std::move(report));
    progress.done();
  }
  progress.finish();
  json machine = machine_json();
  machine["cpu"] = cpu_model();
  json cpython = python ? json{{"path", python->path},
                               {"version", python->version},
                               {"implementation", python->implementation},
                               {"timer_resolution_s", python->timer_resolution_s},
                               {"programs", args.python_dir},
                               {"results", std::move(cpython_results)}}
                        : json{{"missing", why_no_python}};
  const json file{{"schema_version", kSchemaVersion},
                  {"recorded_at", utc_now()},
                  {"quick", args.quick},
                  {"repeat", args.repeat},
                  {"machine", std::move(machine)},
                  {"results", std::move(results)},
                  {"cpython", std::move(cpython)}};
  write_atomically(args.out, file.dump(1));
  std::cout << "wrote " << args.out << "\n";
  if (!python) std::cout << "cpython: " << why_no_python << "\n";
  if (!args.markdown.empty()) {
    write_atomically(args.markdown, performance_markdown(file, catalog_json()));
    std::cout << "wrote " << args.markdown << "\n";
  }
  return 0;
}

}  // namespace samovar::cli
