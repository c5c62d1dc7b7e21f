#pragma once
#include <cstdint>
#include <string>
#include <vector>

// The CLI's commands: each translates its arguments to the engine's contract and back.
namespace samovar::cli {

int list(bool json);

struct RunArgs {
  std::string scenario;
  std::string model;
  std::vector<std::string> sets;  // "k=v"
  double scale = -1;              // < 0: the engine's default
  long long seed = -1;
  double deadline_s = -1;
  bool json = false;
  std::string trace_file;
  bool trace_off = false;
};
int run(const RunArgs& args);

struct ServeArgs {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  std::string root;
  std::string results;
};
int serve(const ServeArgs& args);

struct BenchArgs {
  bool quick = false;
  std::string out;
};
int bench(const BenchArgs& args);

// Writes `text` to `path` through a temporary file and a rename, so a reader never sees a
// half-written file.
void write_atomically(const std::string& path, const std::string& text);

}  // namespace samovar::cli
