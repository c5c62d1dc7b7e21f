#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/asyncio/task.hpp"
#include "engine/asyncio/task_handle.hpp"
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

  trace::Recorder& recorder() noexcept { return recorder_; }
  detail::TaskState* current_task() const noexcept { return current_; }

  // Schedules `coro` as a task of its own, named `name` or "task N" (N counts from 1).
  template <class T>
  TaskHandle<T> create_task(Task<T> coro, std::string name = {}) {
    auto frame = coro.release();
    auto* state = adopt(frame, std::move(name));
    frame.promise().root_of = state;
    return TaskHandle<T>(state, frame);
  }

  void call_soon(coro::coroutine_handle<> h, detail::TaskState* task);
  void call_at(Nanos when, coro::coroutine_handle<> h, detail::TaskState* task);
  // Thread-safe: runs `fn` on the loop's thread at its next step.
  void call_soon_threadsafe(std::function<void()> fn);

  // Resumes `h` when `fd` is ready for `interest` or at `deadline`, whichever comes first;
  // `*timed_out` says which. One waiter per fd at a time.
  void wait_fd(int fd, std::uint32_t interest, std::optional<Nanos> deadline,
               coro::coroutine_handle<> h, bool* timed_out);
  void forget_fd(int fd);

  // One iteration: runs what is ready; if nothing is, waits for the next timer, fd or wake-up,
  // but not past `deadline`.
  void run_once(std::optional<Nanos> deadline = std::nullopt);
  // Runs what is ready and what is due now, without waiting, until nothing is left.
  void run_until_idle();
  bool has_work() const noexcept;
  // Time spent running task steps: the thread was held, nothing else could run on the loop.
  Nanos busy() const noexcept { return busy_; }

  // asyncio.run's core: runs `main` as a task named "main" until it is done; throws
  // DeadlineExceeded if `deadline` passes first.
  template <class T>
  T run_until_complete(Task<T> main, std::optional<Nanos> deadline = std::nullopt,
                       double deadline_s = 0) {
    Activation active(*this);
    auto handle = create_task(std::move(main), "main");
    while (!handle.done()) {
      if (deadline && platform::now() >= *deadline) throw DeadlineExceeded(deadline_s);
      run_once(deadline);
    }
    return handle.result();
  }

 private:
  friend void detail::on_root_done(detail::TaskState&) noexcept;
  friend void detail::release(detail::TaskState*) noexcept;

  struct Ready {
    coro::coroutine_handle<> handle;
    detail::TaskState* task;
  };
  struct FdWait {
    coro::coroutine_handle<> handle;
    detail::TaskState* task;
    bool* timed_out;
    std::uint64_t id;
  };
  struct Timer {
    Nanos when;
    std::uint64_t seq;
    coro::coroutine_handle<> handle;
    detail::TaskState* task;
    int fd;  // >= 0: the timeout of an fd wait with id `seq`
    bool operator>(const Timer& o) const noexcept { return when != o.when ? when > o.when : seq > o.seq; }
  };
  struct Activation {
    explicit Activation(EventLoop& loop);
    ~Activation();
    EventLoop* previous;
  };

  detail::TaskState* adopt(coro::coroutine_handle<> frame, std::string name);
  void finish(detail::TaskState& state) noexcept;
  void run_ready();
  void move_due_timers(Nanos now);
  void drain_threadsafe();

  trace::Recorder& recorder_;
  platform::Poller poller_;
  std::deque<Ready> ready_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::unordered_map<int, FdWait> fd_waits_;
  std::vector<platform::Readiness> readiness_;
  std::vector<detail::TaskState*> finished_;  // freed after the step that finished them
  detail::TaskState* live_ = nullptr;         // unfinished tasks, newest first
  detail::TaskState* current_ = nullptr;
  Nanos busy_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t unnamed_tasks_ = 0;
  std::mutex threadsafe_mutex_;
  std::vector<std::function<void()>> threadsafe_;
};

}  // namespace samovar::asyncio
