#include <chrono>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "engine/samovar.hpp"
#include "native/commands.hpp"

namespace samovar::cli {

using nlohmann::json;

namespace {

// The requests whose native results the page puts beside its own runs: each scenario with
// its defaults, and gather as it grows. The page matches them by the whole request.
std::vector<json> plan(bool quick) {
  std::vector<json> requests;
  for (const char* model : {"asyncio", "sequential"}) {
    requests.push_back({{"scenario", "brew-chai"}, {"model", model}});
    for (int tasks : {3, 10})
      requests.push_back(
          {{"scenario", "gather"}, {"model", model}, {"params", {{"tasks", tasks}}}});
  }
  std::vector<int> sizes{100, 1000, 10000, 100000};
  if (!quick) sizes.push_back(1000000);
  for (int tasks : sizes)
    requests.push_back({{"scenario", "gather"}, {"params", {{"tasks", tasks}}}});
  requests.push_back({{"scenario", "gather"}, {"params", {{"blocking", true}}}});
  requests.push_back({{"scenario", "http-get"}});
  for (bool blocking : {false, true})
    requests.push_back({{"scenario", "check-stock"}, {"params", {{"blocking", blocking}}}});
  requests.push_back({{"scenario", "health-monitor"}});
  for (const char* variant : {"both", "daemon", "non-daemon"})
    requests.push_back({{"scenario", "daemon"}, {"params", {{"variant", variant}}}});
  for (const char* sync : {"none", "lock", "atomic"})
    requests.push_back({{"scenario", "race"}, {"params", {{"sync", sync}}}});
  requests.push_back({{"scenario", "race"}, {"params", {{"gil", true}}}});
  requests.push_back({{"scenario", "race"}, {"params", {{"sync", "lock"}}}, {"trace", "off"}});
  requests.push_back({{"scenario", "race"}, {"model", "multiprocessing"}});
  for (const char* sync : {"none", "lock"})
    requests.push_back({{"scenario", "race"},
                        {"model", "multiprocessing"},
                        {"params", {{"value", true}, {"sync", sync}}}});
  for (const char* fix : {"none", "ordering", "timeout"})
    requests.push_back({{"scenario", "deadlock"}, {"params", {{"fix", fix}}}});
  for (const char* model : {"threading", "asyncio", "multiprocessing"})
    requests.push_back({{"scenario", "producer-consumer"}, {"model", model}});
  requests.push_back({{"scenario", "producer-consumer"},
                      {"model", "multiprocessing"},
                      {"params", {{"value", true}}}});
  requests.push_back({{"scenario", "encrypt"}});
  requests.push_back({{"scenario", "encrypt"}, {"params", {{"items", 8}}}, {"trace", "off"}});
  // The GIL's speedups as the page runs it, and as measured.
  requests.push_back({{"scenario", "gil"}});
  requests.push_back({{"scenario", "gil"}, {"trace", "off"}});
  requests.push_back({{"scenario", "http-get"}, {"params", {{"requests", 1000}}}});
  // The loop's own costs: as the page runs it (spans on), and as measured (tracing off).
  requests.push_back({{"scenario", "scale"}});
  requests.push_back({{"scenario", "scale"}, {"trace", "off"}});
  requests.push_back({{"scenario", "scale"}, {"model", "threading"}});
  requests.push_back({{"scenario", "scale"}, {"model", "threading"}, {"trace", "off"}});
  return requests;
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::ostringstream s;
  s << std::put_time(std::gmtime(&t), "%Y-%m-%dT%H:%M:%SZ");
  return s.str();
}

}  // namespace

int bench(const BenchArgs& args) {
  json results = json::array();
  for (auto request : plan(args.quick)) {
    request["schema_version"] = kSchemaVersion;
    json report = run_json(request);
    if (exit_code(report) != 0) {
      std::cerr << "bench: " << request.dump() << " failed: " << report["error"]["message"] << "\n";
      return 1;
    }
    // The params last: they are as long as they are.
    std::cout << std::left << std::setw(18) << report["scenario"].get<std::string>()
              << std::setw(16) << report["model"].get<std::string>() << std::setw(7)
              << report["trace_level"].get<std::string>() << std::right << std::fixed
              << std::setprecision(4) << std::setw(9) << report["wall_s"].get<double>() << " s  "
              << std::left << report["params"].dump() << "\n";
    // The page needs the figures, not the lines and spans.
    report.erase("output");
    report.erase("trace");
    report.erase("machine");
    results.push_back(std::move(report));
  }
  const json file{{"schema_version", kSchemaVersion},
                  {"recorded_at", utc_now()},
                  {"machine", machine_json()},
                  {"results", std::move(results)}};
  write_atomically(args.out, file.dump(1));
  std::cout << "wrote " << args.out << "\n";
  return 0;
}

}  // namespace samovar::cli
