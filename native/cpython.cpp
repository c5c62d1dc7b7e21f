#include "native/cpython.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <system_error>

extern char** environ;

namespace samovar::cli {

using nlohmann::json;

namespace {

// What a program prints last, so that no line of its own output is taken for it.
constexpr std::string_view kSummaryPrefix = "@samovar-summary ";

std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate))
      return candidate.string();
  }
  return "";
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::optional<Interpreter> find_python(const std::string& given, std::string& why) {
  const std::string path = given.empty() ? on_path("python3") : given;
  if (path.empty()) {
    why = "no python3 on PATH";
    return std::nullopt;
  }
  const auto run =
      run_program({path, "-c",
                   "import platform, sys, time; print(platform.python_version()); "
                   "print(time.get_clock_info('perf_counter').resolution); print(sys.executable); "
                   "print(platform.python_implementation())"},
                  10);
  if (run.exit_code != 0) {
    why = path + " did not run (" +
          (run.timed_out ? "no answer in 10 s" : "exit " + std::to_string(run.exit_code)) + ")";
    return std::nullopt;
  }
  std::istringstream lines(run.out);
  Interpreter python{path, "", "", 0};
  std::string resolution, executable;
  std::getline(lines, python.version);
  std::getline(lines, resolution);
  // The interpreter itself, not a launcher in front of it (pyenv's shim costs a second a start).
  if (std::getline(lines, executable) && !executable.empty()) python.path = executable;
  std::getline(lines, python.implementation);
  try {
    python.timer_resolution_s = std::stod(resolution);
  } catch (const std::exception&) {
    why = path + " did not say its version and timer";
    return std::nullopt;
  }
  return python;
}

std::string python_program(const std::string& dir, const std::string& scenario) {
  std::string file = scenario;
  for (auto& c : file)
    if (c == '-') c = '_';
  const auto path = std::filesystem::path(dir) / (file + ".py");
  return std::filesystem::is_regular_file(path) ? path.string() : "";
}

ProgramRun run_program(const std::vector<std::string>& argv, double timeout_s) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw std::system_error(errno, std::generic_category(), "pipe");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);  // its own group: killed with its children
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      ::posix_spawn(&pid, argv.front().c_str(), &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(out[1]);
  ::close(err[1]);
  ProgramRun run;
  if (spawned != 0) {
    ::close(out[0]);
    ::close(err[0]);
    run.err = argv.front() + ": " + std::generic_category().message(spawned);
    return run;
  }
  // Until both pipes are closed (the program and every child it started are gone) or the time
  // is up; then the group is ended, so that nothing it started outlives the bench.
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  int open = 2;
  while (open > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          until - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      run.timed_out = true;
      break;
    }
    if (::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000))) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[65536];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  for (auto& fd : fds)
    if (fd.fd >= 0) ::close(fd.fd);
  ::kill(-pid, SIGKILL);  // whatever of the group is left; a no-op when it has all ended
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!run.timed_out && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

json cpython_record(const json& request, const ProgramRun& run, std::size_t max_lines) {
  json record{{"scenario", request["scenario"]}, {"model", request["model"]},
              {"params", request["params"]},     {"scale", request["scale"]},
              {"seed", request["seed"]},         {"exit_code", run.exit_code}};
  std::vector<std::string> lines;
  json summary;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);) {
    if (line.rfind(kSummaryPrefix, 0) == 0) {
      try {
        summary = json::parse(line.substr(kSummaryPrefix.size()));
      } catch (const json::exception&) {
      }
    } else {
      lines.push_back(line);
    }
  }
  std::vector<bool> stable(lines.size(), true);
  if (summary.is_object())
    for (const auto& i : summary.value("unstable_lines", json::array()))
      if (i.is_number_unsigned() && i.get<std::size_t>() < stable.size())
        stable[i.get<std::size_t>()] = false;
  json output = json::array();
  for (std::size_t i = 0; i < lines.size() && i < max_lines; ++i)
    output.push_back({{"text", lines[i]}, {"stable", static_cast<bool>(stable[i])}});
  record["output"] = std::move(output);
  record["output_lines"] = lines.size();
  record["output_cut"] = lines.size() > max_lines;
  if (summary.is_object()) {
    for (const char* field : {"wall_s", "metrics", "checks", "notes", "sweep", "error"})
      if (summary.contains(field)) record[field] = summary[field];
  } else {
    const std::string why = run.timed_out ? "no summary: it was stopped at the bench's timeout"
                                          : "no summary line; stderr: " + trimmed(run.err);
    record["error"] = {{"code", run.timed_out ? "deadline_exceeded" : "internal"},
                       {"message", why.substr(0, 2000)}};
  }
  return record;
}

}  // namespace samovar::cli
