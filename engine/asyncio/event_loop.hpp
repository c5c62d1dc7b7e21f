#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/asyncio/detail/waiter.hpp"
#include "engine/asyncio/task.hpp"
#include "engine/asyncio/task_handle.hpp"
#include "engine/concurrent/thread_pool_executor.hpp"
#include "engine/contract/deadline.hpp"
#include "engine/contract/stop.hpp"
#include "engine/platform/clock.hpp"
#include "engine/platform/poller.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::asyncio {

using platform::Nanos;

// asyncio's event loop: one thread runs every task on it, one step at a time. Tasks resume
// only on the thread that runs the loop; call_soon_threadsafe is the one entry for others.
// It can be stepped (run_once, run_until_idle) so tests script interleavings exactly.
class EventLoop {
 public:
  explicit EventLoop(trace::Recorder& recorder);
  ~EventLoop();  // destroys the frames of tasks that never finished
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // The loop running on this thread (asyncio.get_running_loop()); throws if none.
  static EventLoop& current();
  // The same for awaiters, which only ever run on a loop's thread: no check, no throw (in
  // WASM a call that may throw costs a trip through JS).
  static EventLoop& running() noexcept;

  trace::Recorder& recorder() noexcept { return recorder_; }
  // The executor run_in_executor(None, ...) would use: made on first use, shut down (waiting
  // for its work) when the loop is destroyed.
  concurrent::ThreadPoolExecutor& default_executor();
  detail::TaskState* current_task() const noexcept { return current_; }

  // Schedules `coro` as a task of its own, named `name` or "task N" (N counts from 1).
  template <class T>
  TaskHandle<T> create_task(Task<T> coro, std::string name = {}) {
    auto frame = coro.release();
    auto* state = adopt(frame, &frame.promise(), std::move(name));
    frame.promise().root_of = state;
    return TaskHandle<T>(state, frame);
  }

  // asyncio's debug mode: a task step that holds the loop longer than `slow` is reported in
  // the output ("Executing <Task 'task 1'> took 2.000 seconds").
  void set_debug(bool on, double slow_callback_s = 0.1) noexcept;

  // Suspends the running task on `w` (put on its list or fd first, if any) until woken,
  // cancelled, or `deadline` (then w.timed_out is set).
  // Allocation failure here ends the process (noexcept): a wait cannot be half registered.
  void suspend(detail::Waiter& w, coro::coroutine_handle<> h,
               std::optional<Nanos> deadline = std::nullopt) noexcept;
  // Resumes w's task at the next step, unhooked from its list, fd and deadline.
  void wake(detail::Waiter& w) noexcept;
  // Hooks `w` to `fd`; call suspend() next. One waiter per fd at a time.
  void watch_fd(detail::Waiter& w, int fd, std::uint32_t interest);
  void forget_fd(int fd);
  // asyncio's Task.cancel(): false if the task is already done. The task sees CancelledError
  // at the await it is suspended at, or at its first step if it has not started.
  bool cancel(detail::TaskState& task);
  // At every await's resumption: throws CancelledError once if a cancel was requested.
  static void resume_point(detail::TaskState* task) {
    if (task != nullptr && task->cancel_requested) throw_cancelled(*task);
  }
  [[noreturn]] static void throw_cancelled(detail::TaskState& task);

  void call_soon(coro::coroutine_handle<> h, detail::TaskState* task) noexcept;
  // Thread-safe: runs `fn` on the loop's thread at its next step.
  void call_soon_threadsafe(std::function<void()> fn);

  // One iteration: runs what is ready; if nothing is, waits for the next timer, fd or wake-up,
  // but not past `deadline`. noexcept like the steps it runs (tasks keep their exceptions).
  void run_once(std::optional<Nanos> deadline = std::nullopt) noexcept;
  // Runs what is ready and what is due now, without waiting, until nothing is left.
  void run_until_idle();
  // Time spent running task steps: the thread was held, nothing else could run on the loop.
  // Measured in debug mode or with spans on (it costs two clock reads a step).
  Nanos busy() const noexcept { return busy_; }
  // Task steps that held the loop longer than the debug threshold.
  std::size_t slow_steps() const noexcept { return slow_steps_; }

  // asyncio.run's core: runs `main` as a task named "main" until it is done; throws
  // DeadlineExceeded if `deadline` passes first.
  template <class T>
  T run_until_complete(Task<T> main, std::optional<Nanos> deadline = std::nullopt,
                       double deadline_s = 0) {
    return run_until_complete(std::move(main),
                              deadline ? contract::Stop(*deadline, deadline_s) : contract::Stop());
  }
  // The same, stopped by `stop`: throws DeadlineExceeded or contract::Cancelled, seen between
  // steps, inside a step every kStopCheckEvery resumes (a step may run a million ready tasks),
  // and within Stop::kSlice while the loop waits idle.
  template <class T>
  T run_until_complete(Task<T> main, const contract::Stop& stop) {
    Activation active(*this);
    StopScope scoped(*this, stop);
    auto handle = create_task(std::move(main), "main");
    // The clock is read every 64 steps only (a read costs more than a step in WASM), and
    // before a step that will wait, which is bounded by what the stop allows.
    Nanos until = 0;  // set at step 0
    for (unsigned step = 0; !handle.done(); ++step) {
      if (step % 64 == 0 || ready_.empty() || stopping_) {
        const Nanos now = platform::now();
        stop.check(now);
        until = stop.wake_by(now);
      }
      run_once(until);
    }
    return handle.result();
  }
  static constexpr unsigned kStopCheckEvery = 4096;

 private:
  friend void detail::on_root_done(detail::TaskState&) noexcept;
  friend void detail::release(detail::TaskState*) noexcept;

  struct Ready {
    coro::coroutine_handle<> handle;
    detail::TaskState* task;
  };
  struct Timer {
    Nanos when;
    std::uint64_t seq;
    detail::Waiter* waiter;
    bool operator>(const Timer& o) const noexcept {
      return when != o.when ? when > o.when : seq > o.seq;
    }
  };
  struct Activation {
    explicit Activation(EventLoop& loop);
    ~Activation();
    EventLoop* previous;
  };
  // The stop run_ready looks at inside long steps, for one run_until_complete.
  struct StopScope {
    StopScope(EventLoop& loop, const contract::Stop& stop) noexcept
        : loop(loop), previous(std::exchange(loop.stop_, &stop)) {}
    ~StopScope() { loop.stop_ = previous; }
    EventLoop& loop;
    const contract::Stop* previous;
  };

  detail::TaskState* adopt(coro::coroutine_handle<> frame, detail::PromiseBase* promise,
                           std::string name);
  void finish(detail::TaskState& state) noexcept;
  void report_unretrieved(detail::TaskState& state) noexcept;
  void unhook(detail::Waiter& w) noexcept;
  // noexcept: a task's own exceptions stay in its promise, so nothing here throws; in WASM
  // that also spares every step a trip through JS's exception trampolines.
  void run_ready() noexcept;
  void move_due_timers(Nanos now) noexcept;
  void drain_threadsafe() noexcept;

  trace::Recorder& recorder_;
  platform::Poller poller_;
  std::deque<Ready> ready_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::unordered_set<std::uint64_t> cancelled_timers_;
  std::unordered_map<int, detail::Waiter*> fd_waits_;
  std::vector<platform::Readiness> readiness_;
  std::vector<detail::TaskState*> finished_;  // freed after the step that finished them
  detail::TaskState* live_ = nullptr;         // unfinished tasks, newest first
  detail::TaskState* current_ = nullptr;
  Nanos busy_ = 0;
  bool debug_ = false;
  bool closing_ = false;  // the destructor is destroying unfinished frames
  const contract::Stop* stop_ = nullptr;
  bool stopping_ = false;
  std::uint64_t created_ = 0;  // run_ready left ready tasks behind because the stop was due
  std::size_t slow_steps_ = 0;
  Nanos slow_callback_ = platform::to_nanos(0.1);
  std::uint64_t next_timer_ = 1;
  std::uint64_t unnamed_tasks_ = 0;
  std::unique_ptr<concurrent::ThreadPoolExecutor> default_executor_;
  std::atomic<bool> has_threadsafe_{false};  // skips the mutex on steps with nothing posted
  std::mutex threadsafe_mutex_;
  std::vector<std::function<void()>> threadsafe_;
};

}  // namespace samovar::asyncio
