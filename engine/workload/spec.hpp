#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

// A workload: tasks written as steps, in a versioned JSON spec, that the engine runs under each
// of the guide's models (run.hpp). Parsed and checked here only; a bad field is a
// contract::BadRequest naming its JSON path ("spec.tasks[2].steps[0].seconds").
namespace samovar::workload {

inline constexpr int kSpecVersion = 1;

// The spec's limits, each checked where its field is read.
namespace limits {
inline constexpr std::size_t kMaxTasks = 64;
inline constexpr std::size_t kMaxSteps = 200;  // per task
inline constexpr double kMaxSeconds = 60;      // guide seconds, per sleep, block or http step
inline constexpr long long kMaxUnits = 100'000;
inline constexpr long long kMaxBytes = 16 << 20;
inline constexpr long long kMaxTimes = 10'000'000;
inline constexpr std::size_t kMaxNames = 32;  // counters, locks
inline constexpr std::size_t kMaxText = 200;  // a print's text, a name
}  // namespace limits

enum class Kind { sleep, block, cpu, http, file, lock, unlock, incr, print };
const char* to_string(Kind kind) noexcept;

struct Step {
  Kind kind = Kind::print;
  double seconds = 0;   // sleep, block: guide seconds; http: the /delay the server waits
  long long units = 0;  // cpu: units of work (cpu_unit.hpp)
  long long bytes = 0;  // file
  long long times = 1;  // incr
  bool locked = false;  // incr: each increment under the counter's own lock
  std::string url;      // http: "" is samovar's own /delay/<seconds x scale>
  std::string name;     // lock, unlock: the lock; incr: the counter
  std::string text;     // print
};

struct Task {
  std::string name;
  std::vector<Step> steps;
};

struct Counter {
  std::string name;
  bool shared = false;  // multiprocessing: one Value for every process, else each its own
};

struct Spec {
  std::vector<Task> tasks;
  std::vector<Counter> counters;
  std::vector<std::string> locks;
};

// Checks `json` as a spec; throws contract::BadRequest whose field is `root` then the path.
Spec parse(const nlohmann::json& json, const std::string& root = "spec");
nlohmann::json to_json(const Spec& spec);

}  // namespace samovar::workload
