#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace samovar::threading {

// SplitMix64: the same numbers from the same seed on every target (the standard library's
// distributions are not specified bit for bit, and differ between libstdc++ and libc++).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in 0..n-1 for n far below 2^64.
  std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }

 private:
  std::uint64_t state_;
};

// Chooses which thread of an explored schedule runs at each step. Called by the thread that
// holds the turn only.
class Strategy {
 public:
  virtual ~Strategy() = default;
  // A new thread, numbered in the order threads were started.
  virtual void added(int unit) = 0;
  // `enabled`: the threads that may run, in order, never empty. `running`: the thread at this
  // step (it may be blocked, and so not among them). `step` counts from 1.
  virtual int choose(const std::vector<int>& enabled, int running, std::int64_t step) = 0;
};

// "random": each step, any thread that may run, with equal chance (a random walk).
// "pct": probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010). Each thread gets a
// random priority above `depth`; depth - 1 change points are drawn among steps 1..steps; the
// highest-priority thread that may run runs, and at the i-th change point the running thread
// drops to priority depth - i. A bug that needs `depth` ordered events is found with a chance of
// at least 1 / (n * steps^(depth-1)) for n threads.
std::unique_ptr<Strategy> make_strategy(const std::string& name, int depth, std::int64_t steps,
                                        std::uint64_t seed);

}  // namespace samovar::threading
