#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace samovar::contract {

// What an explored schedule did (request "schedule": "explore"), JSON "explore": the points it
// passed (steps_taken), how often the turn went to another thread, who ran in turn (the first
// kMaxTurns turns: a thread and how many steps it took in a row), and whether every thread
// waited on another at once (a deadlock, or threads stuck for good).
struct Explored {
  static constexpr std::size_t kMaxTurns = 100'000;
  std::int64_t steps_taken = 0;
  std::int64_t switches = 0;
  std::vector<std::pair<std::string, std::int64_t>> turns;
  bool all_blocked = false;

  // A run whose model made several threading runtimes (workload's) did what they all did.
  void add(const Explored& other) {
    steps_taken += other.steps_taken;
    switches += other.switches;
    all_blocked = all_blocked || other.all_blocked;
    for (const auto& turn : other.turns)
      if (turns.size() < kMaxTurns) turns.push_back(turn);
  }
};

}  // namespace samovar::contract
