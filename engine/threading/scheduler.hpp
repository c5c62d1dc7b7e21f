#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/contract/explored.hpp"
#include "engine/contract/stop.hpp"
#include "engine/platform/clock.hpp"
#include "engine/threading/strategy.hpp"

namespace samovar::threading {

// An explored schedule: the run's threads take turns, one at a time, each on its own OS thread
// (its own stack) but never two at once. A thread gives up its turn only at an instrumented
// point (a lock taken or let go, a shared read or write, a queue or event operation, a start, a
// join, a sleep) or when it must wait; the strategy then chooses who goes on, from the seed
// alone, so a seed is a schedule. Time is virtual: it moves one microsecond a step, and when
// every thread waits for a time, it jumps there, so sleeps cost no real time. When every thread
// waits for another, nothing can ever change: the run calls `all_blocked` to break it.
// Every member but the constructor is called by the thread that holds the turn, except enter().
class Scheduler {
 public:
  static constexpr platform::Nanos kStep = 1000;

  struct Options {
    std::string strategy = "random";
    int depth = 2;
    std::int64_t steps = 1000;
    std::uint64_t seed = 1;
    contract::Stop stop;
    // The virtual clock: this schedule moves it; its threads read it. Outlives the scheduler.
    std::atomic<platform::Nanos>* clock = nullptr;
  };
  struct Outcome {
    std::int64_t steps = 0;     // instrumented points passed
    std::int64_t switches = 0;  // turns that went to another thread
    // Who ran, in turns: {thread, steps in a row}; the first contract::Explored::kMaxTurns only.
    std::vector<std::pair<int, std::int64_t>> turns;
    bool all_blocked = false;  // every thread waited on another at once
  };

  // The calling thread is thread 0 and holds the first turn; it already reads the clock.
  explicit Scheduler(Options options);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Called when every thread waits on another and none waits for a time: it must make one
  // runnable again (wake()), or the run stops as stuck.
  void on_all_blocked(std::function<void()> handler) { all_blocked_ = std::move(handler); }

  // A new thread, runnable; its OS thread calls enter() before it does anything else.
  int add(std::string name);
  // On the new thread: waits for its first turn, and from then on reads the virtual clock.
  void enter(int unit);
  // A point where the turn may pass. Throws DeadlineExceeded or contract::Cancelled when the run
  // must stop (`may_throw`); a release, which must not throw, passes false.
  // Returns whether another thread had turns in between.
  bool point(int unit, bool may_throw = true);
  // What threads wait on, `object` (a lock, a queue: any address that names it), changed: they
  // may run again, and look.
  void changed(const void* object) noexcept;
  // `unit` cannot go on until `object` changes (nullptr: nothing but time ends the wait) or time
  // reaches `until`: the turn passes, and comes back when one of those happened (or wake() was
  // called), whereupon the caller looks again. Throws as point() does, when `may_throw`.
  void block(int unit, std::optional<platform::Nanos> until, const void* object,
             bool may_throw = true);
  // Makes a blocked thread runnable: it was interrupted (a deadlock broken, a daemon stopped).
  void wake(int unit) noexcept;
  // `unit` is done: the turn passes for good.
  void exit(int unit);
  std::string name(int unit) const;
  bool done(int unit) const;
  Outcome outcome() const;

 private:
  struct Unit {
    std::string name;
    enum class State { runnable, blocked, done } state = State::runnable;
    const void* waits_on = nullptr;
    bool woken = false;  // what it waits on changed, or it was interrupted
    std::optional<platform::Nanos> until;
    std::condition_variable turn;
  };
  bool enabled(const Unit& u) const noexcept;
  // Chooses who runs next (maybe `unit` itself) and hands over; returns when `unit` has the turn
  // again, or at once if it is done.
  bool pass(int unit, bool may_throw);
  std::vector<int> enabled_units();
  void wait_turn(int unit);
  void step(int unit);
  // Every kStopEvery points and blocks: throws if the run must stop.
  void look_at_stop();

  const Options options_;
  std::unique_ptr<Strategy> strategy_;
  std::atomic<platform::Nanos>& clock_;
  std::function<void()> all_blocked_;
  mutable std::mutex mutex_;  // the units' list and the turn hand-over
  std::deque<Unit> units_;
  std::atomic<int> running_{0};
  Outcome outcome_;
  std::int64_t passes_ = 0;
};

}  // namespace samovar::threading
