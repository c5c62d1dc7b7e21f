#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/samovar.hpp"

// CPython beside the native run: finding a python3, running bench/python's program for a
// request, and reading what it printed into a record shaped as a native one.
namespace samovar::cli {

struct Interpreter {
  std::string path;
  std::string version;            // "3.11.7"
  std::string implementation;     // "CPython"
  double timer_resolution_s = 0;  // time.perf_counter's, what the programs time with
};

// `given` (--python) if set, else the first python3 on PATH; nullopt with `why` when none runs.
std::optional<Interpreter> find_python(const std::string& given, std::string& why);

// The program for `scenario` in `dir` (gather: dir/gather.py), or "" when it has none.
std::string python_program(const std::string& dir, const std::string& scenario);

struct ProgramRun {
  int exit_code = -1;  // -1: it did not exit by itself (killed at the timeout, or a signal)
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv[0] with argv (no shell), in a process group of its own, killed with the group when
// `timeout_s` passes.
ProgramRun run_program(const std::vector<std::string>& argv, double timeout_s);

// What a program printed, as a result record: the request's fields, wall_s, metrics and checks
// from its summary line, and its first `max_lines` lines (output_cut says when there were more).
nlohmann::json cpython_record(const nlohmann::json& request, const ProgramRun& run,
                              std::size_t max_lines);

}  // namespace samovar::cli
