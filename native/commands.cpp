#include "native/commands.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <system_error>

#include "engine/samovar.hpp"

namespace samovar::cli {

using nlohmann::json;

int list(bool as_json) {
  std::cout << (as_json ? catalog_json().dump(2) + "\n" : catalog_text());
  return 0;
}

// A value given on the command line (`--set k=v`, `--scale v`): read as JSON when it parses
// to a value a double holds (3, 0.5, true, "x"), else as text, so the engine's validation
// names the field when the type is wrong. Bytes that are not UTF-8 become U+FFFD, as node
// decodes its command line. web/node-run.mjs reads values by the same rule.
static json cli_value(const std::string& typed) {
  const std::string text = valid_utf8(typed);
  try {
    return json::parse(text);
  } catch (const json::exception&) {  // not JSON, or a number too large (1e999)
    return text;
  }
}

// --spec FILE: the file's JSON, or a message for exit 2.
static std::optional<json> read_spec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    std::cerr << "error: --spec " << path << ": cannot be read; allowed: a JSON file\n";
    return std::nullopt;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return json::parse(valid_utf8(text));
  } catch (const json::exception& e) {
    std::cerr << "error: --spec " << path << ": not JSON (" << e.what() << ")\n";
    return std::nullopt;
  }
}

// The request a `run` or `explore` command line describes; nullopt after printing why not (exit 2).
static std::optional<json> request_of(const RunArgs& args, const char* command) {
  if (args.scenario.empty() && args.spec_file.empty()) {
    std::cerr << "error: " << command << " needs a SCENARIO (or --spec FILE)\n";
    return std::nullopt;
  }
  json request{{"schema_version", kSchemaVersion},
               {"scenario", args.scenario.empty() ? "workload" : args.scenario},
               {"params", json::object()}};
  if (!args.spec_file.empty()) {
    const auto spec = read_spec(args.spec_file);
    if (!spec) return std::nullopt;
    request["spec"] = *spec;
  }
  if (!args.model.empty()) request["model"] = args.model;
  if (args.scale) request["scale"] = cli_value(*args.scale);
  if (args.seed) request["seed"] = cli_value(*args.seed);
  if (args.deadline_s) request["deadline_s"] = cli_value(*args.deadline_s);
  if (args.repeat) request["repeat"] = cli_value(*args.repeat);
  if (args.trace_off) request["trace"] = "off";
  if (args.schedule) request["schedule"] = cli_value(*args.schedule);
  if (args.strategy) request["strategy"] = cli_value(*args.strategy);
  if (args.depth) request["depth"] = cli_value(*args.depth);
  if (args.steps) request["steps"] = cli_value(*args.steps);
  for (const auto& s : args.sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "error: --set " << s << ": expected name=value\n";
      return std::nullopt;
    }
    request["params"][valid_utf8(s.substr(0, eq))] = cli_value(s.substr(eq + 1));
  }
  return request;
}

int run(const RunArgs& args) {
  const auto parsed = request_of(args, "run");
  if (!parsed) return 2;
  const json& request = *parsed;

  if (!args.trace_file.empty() && std::filesystem::is_directory(args.trace_file)) {
    std::cerr << "error: --trace " << args.trace_file << ": is a directory; allowed: a file path\n";
    return 2;
  }
  const json report = run_json(request);
  const int code = exit_code(report);
  if (code == 2) {
    std::cerr << render_text(report);
    return code;
  }
  if (args.json)
    std::cout << report.dump(2) << "\n";
  else
    std::cout << render_text(report);
  if (!args.trace_file.empty()) {
    std::cout.flush();
    try {  // after the report, so that a trace that cannot be written loses nothing else
      write_atomically(args.trace_file, chrome_trace(report).dump());
    } catch (const std::exception& e) {
      std::cerr << "samovar: --trace: " << e.what() << "\n";
      return code == 0 ? 1 : code;
    }
  }
  return code;
}

// On a terminal, a bar redrawn in place on stderr; elsewhere nothing, so output stays the summary.
class Bar {
 public:
  Bar() : tty_(::isatty(STDERR_FILENO) == 1) {}
  void clear() {
    if (tty_ && drawn_) std::cerr << "\r\x1b[2K" << std::flush;
  }
  void show(int done, int runs, int wrong) {
    if (!tty_ || (done % step(runs) != 0 && done != runs)) return;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(static_cast<long long>(done) * kWidth / runs);
    std::cerr << "\r\x1b[2K[" << std::string(filled, '#') << std::string(kWidth - filled, '.')
              << "] " << done << "/" << runs << " schedules, " << wrong << " wrong" << std::flush;
    drawn_ = true;
  }

 private:
  static int step(int runs) { return runs > 200 ? runs / 200 : 1; }
  bool tty_;
  bool drawn_ = false;
};

int explore(const ExploreArgs& args) {
  RunArgs run = args.run;
  run.schedule = "explore";
  const auto request = request_of(run, "explore");
  if (!request) return 2;
  Bar bar;
  ExploreOptions options;
  options.runs = args.runs;
  options.on_progress = [&bar](int done, int runs, int wrong) { bar.show(done, runs, wrong); };
  const nlohmann::json summary = explore_json(*request, options);
  bar.clear();
  if (summary.contains("error")) {
    std::cerr << explore_text(summary);
    return exit_code(summary);
  }
  std::cout << (args.run.json ? summary.dump(2) + "\n" : explore_text(summary));
  return 0;
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  if (std::filesystem::is_directory(target))
    throw std::runtime_error("cannot write " + path + ": it is a directory");
  // Beside the target, so that the rename is atomic; synced first, so that after a crash the
  // target holds the old text or the new, never part of it.
  const std::string temporary = path + ".tmp." + std::to_string(getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot write " + temporary);
  std::size_t done = 0;
  int error = 0;
  while (done < text.size() && error == 0) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n > 0)
      done += static_cast<std::size_t>(n);
    else if (errno != EINTR)
      error = errno;
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    throw std::system_error(error, std::generic_category(), "cannot write " + path);
  }
}

}  // namespace samovar::cli
