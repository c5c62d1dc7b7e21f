#pragma once
#include <map>
#include <string>

#include "engine/contract/stop.hpp"
#include "engine/threading/runtime.hpp"
#include "engine/trace/recorder.hpp"
#include "engine/workload/spec.hpp"

// Runs a spec's tasks under one of the guide's models, for real:
//   sequential       the tasks one after another on the calling thread;
//   asyncio          each task a coroutine on one event loop: sleep, http and file suspend it,
//                    block and cpu hold the loop (as time.sleep and Python code do);
//   threading        each task on a thread of its own, with the GIL model on (CPython) or off
//                    (free-threaded): waits drop the GIL, cpu needs it;
//   multiprocessing  each task a call in a ProcessPoolExecutor of one process per task (as far
//                    as the target has them): counters are each process's own unless shared.
// Each task has a trace lane named for it (after `lane_prefix`), with a span per step; its
// start, its finish and its print steps are lines. Call from the run's thread.
namespace samovar::workload {

enum class Model { sequential, asyncio, threading, threading_free, multiprocessing };
const char* to_string(Model model) noexcept;

struct Env {
  trace::Recorder& recorder;
  contract::Stop stop;
  threading::Runtime::Options threading;  // deadline, cancel; `gil` is set from the model
  double scale = 0.1;                     // guide seconds to real seconds
  std::string lane_prefix;                // "" for a lone run
  bool announce = true;                   // print each task's start and finish
};

struct Outcome {
  double wall_s = 0;
  // Each counter's value in this process at the end, and how many increments the tasks made.
  std::map<std::string, long long> counters;
  std::map<std::string, long long> increments;
  long long primes = 0;              // over every cpu step: the same under every model
  std::size_t files_mismatched = 0;  // files read back unlike what was written
  std::size_t http_failed = 0;       // GETs with no 200 answer
  std::size_t gil_switches = 0;
};

// Whether this target can run the spec under `model`: "" if so, else why not.
std::string unavailable(const Spec& spec, Model model);

// Throws DeadlineExceeded / contract::Cancelled as any run does, std::runtime_error when the
// model cannot run the spec here (unavailable()).
Outcome run(const Spec& spec, Model model, Env& env);

}  // namespace samovar::workload
