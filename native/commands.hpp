#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The CLI's commands: each translates its arguments to the engine's contract and back.
namespace samovar::cli {

int list(bool json);

struct RunArgs {
  std::string scenario;
  std::string model;
  std::vector<std::string> sets;  // "k=v"
  // As given, so the engine validates them (and names them) exactly as the node runner's.
  std::optional<std::string> scale;
  std::optional<std::string> seed;
  std::optional<std::string> deadline_s;
  std::optional<std::string> repeat;
  bool json = false;
  std::string trace_file;
  bool trace_off = false;
  std::string spec_file;  // --spec: the request's `spec`, read from this JSON file
  // An explored schedule (request fields schedule, strategy, depth, steps).
  std::optional<std::string> schedule, strategy, depth, steps;
};
int run(const RunArgs& args);

struct ExploreArgs {
  RunArgs run;  // the request explored; run.seed is the first schedule's seed
  int runs = 100;
};
int explore(const ExploreArgs& args);

struct ServeArgs {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  std::string root;
  std::string results;
  // http-get's params.url may name any server, not only this one's /delay.
  bool allow_any_url = false;
};
int serve(const ServeArgs& args);

struct BenchArgs {
  bool quick = false;
  std::string out;
  std::string python;      // the interpreter to compare with; "" for the python3 on PATH
  std::string python_dir;  // bench/python: a program per scenario
  std::string markdown;    // where to write docs/PERFORMANCE.md from this run, if anywhere
  int repeat = 0;          // runs of each request; 0: 1 with --quick, else 3
};
int bench(const BenchArgs& args);

// Writes `text` to `path` through a temporary file and a rename, so a reader never sees a
// half-written file.
void write_atomically(const std::string& path, const std::string& text);

}  // namespace samovar::cli
