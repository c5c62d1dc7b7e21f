// Native only: the test kills a worker process from outside, as the OS or a user would, which
// needs its pid and a signal; in WASM nothing outside the page can end a process worker.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/contract/report.hpp"
#include "engine/platform/process.hpp"
#include "engine/samovar.hpp"

using namespace samovar;
using nlohmann::json;

namespace {

struct Child {
  pid_t pid;
  long cpu_ticks;  // user + system time so far
};

// This process's worker processes, from /proc: name samovar-worker, parent us.
std::vector<Child> workers() {
  std::vector<Child> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (line.substr(open + 1, close - open - 1) != "samovar-worker") continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    long ppid = 0, skip = 0, utime = 0, stime = 0;
    rest >> state >> ppid;
    for (int field = 5; field <= 13; ++field) rest >> skip;  // pgrp .. cmajflt
    rest >> utime >> stime;
    if (ppid == getpid())
      found.push_back({static_cast<pid_t>(std::stol(entry.path().filename())), utime + stime});
  }
  return found;
}

}  // namespace

TEST_CASE("a worker killed in the middle of a scenario fails the run, which leaves none behind",
          "[native][scenario][process]") {
  // Two cards of a billion rounds each: the workers hash for many seconds unless stopped.
  auto run = std::async(std::launch::async, [] {
    return run_json(json{{"scenario", "encrypt"},
                         {"params", {{"items", 2}, {"work", 1'000'000'000}, {"rounds", 1}}},
                         {"deadline_s", 60}});
  });
  // Until a worker has used more CPU time than starting takes (a sanitized build's start-up
  // takes tenths of a second): it is hashing, in its call.
  const long ticks_of_a_call = sysconf(_SC_CLK_TCK);  // one second
  std::vector<Child> busy;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (busy.empty() && std::chrono::steady_clock::now() < give_up) {
    for (const auto& child : workers())
      if (child.cpu_ticks >= ticks_of_a_call) busy.push_back(child);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE_FALSE(busy.empty());
  REQUIRE(kill(busy.front().pid, SIGKILL) == 0);

  REQUIRE(run.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  const json r = run.get();
  CHECK(contract::exit_code(r) == 1);
  INFO(r["error"].dump());
  CHECK(r["error"]["message"].get<std::string>().find("ended abruptly") != std::string::npos);
  CHECK(r["wall_s"].get<double>() < 30);
  CHECK(platform::process::live_workers() == 0);
  CHECK(workers().empty());
}
