#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/contract/explored.hpp"
#include "engine/contract/stop.hpp"
#include "engine/platform/clock.hpp"
#include "engine/threading/scheduler.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::threading {

class Gil;
class Runtime;

namespace detail {
// What a lock cycle is made of: a lock with an owner (Lock, RLock), named by its trace lane.
struct Owned;
}  // namespace detail

// One thread of a run as the threading model sees it. The runtime owns it for the whole run,
// so a lock's owner pointer never dangles. Fields marked "graph" are guarded by the runtime's
// graph mutex; "own" ones are touched by the thread itself only.
struct ThreadState {
  trace::LaneId lane = trace::kNoLane;
  bool daemon = false;
  bool records_running = false;  // a Thread: its lane alternates running and waits
  std::atomic<bool> stop{false};
  std::atomic<bool> in_deadlock{false};
  std::atomic<bool> stuck{false};  // an explored schedule found everyone waiting: AllBlocked
  int unit = -1;                   // its number in an explored schedule
  std::string deadlock;            // graph; read by the thread once in_deadlock is seen
  const detail::Owned* waiting_for = nullptr;  // graph
  bool timed_wait = false;            // graph: a wait that ends by itself is not a deadlock
  platform::Nanos wait_start = 0;     // graph
  platform::Nanos running_since = 0;  // own
  enum class Gil { none, held, dropped } gil = Gil::none;  // own
  // Where the thread is blocked, so the run can wake it (interrupt_mutex guards the two).
  std::mutex interrupt_mutex;
  std::mutex* wait_mutex = nullptr;
  std::condition_variable* wait_cv = nullptr;
  // For waits on nothing else (time.sleep).
  std::mutex park_mutex;
  std::condition_variable park_cv;
};

struct DeadlockFound {
  std::string cycle;
  double latency_s;  // from the cycle's last wait beginning to its detection
};

// The threading model of one run: its threads, the deadline every wait honours, the GIL when
// modelled, and the wait-for graph over engine locks. Thread-safe.
class Runtime {
 public:
  struct Options {
    platform::Nanos deadline = 0;
    double deadline_s = 0;
    bool gil = false;
    double switch_interval_s = 0.005;  // sys.getswitchinterval()
    // A lock wait looks for a cycle this long after it began, and then as often.
    double deadlock_check_s = 1.0;
    // Set from any thread to stop the run (contract::Stop): every wait ends within a slice.
    std::shared_ptr<std::atomic<bool>> cancel;
    // Set: the threads take turns on an explored schedule (Scheduler) instead of running at once.
    struct Explore {
      std::string strategy = "random";
      int depth = 2;
      std::int64_t steps = 1000;
      std::uint64_t seed = 1;
      // The run's virtual clock, which its threads read (platform::follow_clock); the calling
      // thread already does.
      std::atomic<platform::Nanos>* clock = nullptr;
      // Where a runtime adds what its schedule did when it ends (a model may make several).
      contract::Explored* ended = nullptr;
    };
    std::optional<Explore> explore;
  };
  Runtime(trace::Recorder& recorder, Options options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  trace::Recorder& recorder() noexcept { return recorder_; }
  const Options& options() const noexcept { return options_; }
  // The deadline and cancel flag every wait honours.
  const contract::Stop& stop() const noexcept { return stop_; }
  Gil* gil() noexcept { return gil_.get(); }

  // The calling thread's state, registered on first use (its lane: threading::current_lane).
  ThreadState& current();
  // A new thread's state, named for its lane; the thread adopts it with adopt().
  ThreadState& add_thread(const std::string& name, bool daemon);
  void adopt(ThreadState& state);

  // time.sleep: a real sleep, cut short only by stop_daemons() on a daemon thread. Traced on
  // `lane`, or the thread's own.
  void sleep(double seconds, trace::LaneId lane = trace::kNoLane);
  // The interpreter's eval-loop check: gives the modelled GIL up if asked; a daemon thread
  // stops here (DaemonStopped) once the program has ended.
  void checkpoint() {
    if (gil_ || daemons_stopped_.load(std::memory_order_relaxed)) checkpoint_slow();
  }
  // For long Python-level work between checkpoints: throws DeadlineExceeded once it is past,
  // contract::Cancelled once the run is cancelled.
  void check_deadline() const;
  // Python's exit: every daemon thread fails its current or next wait with DaemonStopped.
  void stop_daemons();

  // Looks for a lock cycle through `me`; if there is one, its waits fail with DeadlockError.
  void check_deadlock(ThreadState& me);
  std::optional<DeadlockFound> deadlock_found() const;
  // How many times a lock wait has looked for a cycle.
  std::size_t deadlock_checks() const noexcept { return deadlock_checks_.load(); }

  // Wakes `state` wherever it is blocked, so it sees its flags.
  void interrupt(ThreadState& state);

  // An explored schedule, if this run has one; else every call below costs a test of a pointer.
  bool explores() const noexcept { return scheduler_ != nullptr; }
  Scheduler* scheduler() noexcept { return scheduler_.get(); }
  // An instrumented point of a synchronising operation (a lock, a queue, an event, a start or
  // a join): the turn may pass here. `what` and `object` name it in the trace.
  void point(const char* what, trace::LaneId object, bool may_throw = true) {
    if (scheduler_) [[unlikely]]
      point_slow(what, object, may_throw);
  }
  // A read or a write of shared data in Python-level code (chai_stock's): a point, unless the
  // GIL is modelled, which lets threads switch only at checkpoints (CPython's eval breaker).
  void shared(const char* what, trace::LaneId object) {
    if (scheduler_ && !options_.gil) [[unlikely]]
      point_slow(what, object, true);
  }
  // What threads may wait on has changed (named by the condition variable its waits use):
  // under an explored schedule, its waiters look again.
  void changed(const std::condition_variable& waits) noexcept {
    if (scheduler_) [[unlikely]]
      scheduler_->changed(&waits);
  }
  // Under an explored schedule, the first and last things a Thread does on its own OS thread.
  void enter(ThreadState& state);
  void exit(ThreadState& state);
  // Under an explored schedule: stops `state` at its next wait and passes turns until it is done
  // (a Thread destroyed unjoined). Never throws.
  void finish(ThreadState& state) noexcept;
  // What the explored schedule did: its steps, switches and turns ("main 3, Thread-1 40, ...").
  std::optional<contract::Explored> explored() const;
  // A Thread's lane shows it running between its waits: the span up to `now` ends here.
  void pause_running(ThreadState& me, platform::Nanos now);

 private:
  friend class WaitScope;
  void checkpoint_slow();
  void point_slow(const char* what, trace::LaneId object, bool may_throw);
  // Every thread waits on another: break a lock cycle at once, or stop them all as stuck.
  void all_blocked();
  bool find_cycle(ThreadState& me, bool at_once);
  trace::Recorder& recorder_;
  const Options options_;
  const contract::Stop stop_;
  const std::uint64_t id_;
  std::unique_ptr<Gil> gil_;
  std::unique_ptr<Scheduler> scheduler_;
  trace::LaneId main_lane_;
  mutable std::mutex graph_mutex_;  // the wait-for graph, the thread list, deadlock_found_
  std::deque<ThreadState> threads_;
  std::optional<DeadlockFound> deadlock_found_;
  std::atomic<bool> daemons_stopped_{false};
  std::atomic<std::size_t> deadlock_checks_{0};
};

}  // namespace samovar::threading
