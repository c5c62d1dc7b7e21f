#include "engine/asyncio/event_loop.hpp"

#include <stdexcept>

namespace samovar::asyncio {

namespace {
thread_local EventLoop* running_loop = nullptr;
}

EventLoop::Activation::Activation(EventLoop& loop) : previous(running_loop) { running_loop = &loop; }
EventLoop::Activation::~Activation() { running_loop = previous; }

EventLoop& EventLoop::current() {
  if (running_loop == nullptr) throw std::logic_error("no running event loop on this thread");
  return *running_loop;
}

EventLoop::EventLoop(trace::Recorder& recorder) : recorder_(recorder) {}

EventLoop::~EventLoop() {
  ready_ = {};
  timers_ = {};
  fd_waits_.clear();
  // Destroying a frame runs its destructors, which may drop handles of other unfinished
  // tasks: those only clear a flag, so unlinking one task at a time stays safe.
  while (live_ != nullptr) {
    detail::TaskState* state = live_;
    live_ = state->next;
    if (live_ != nullptr) live_->prev = nullptr;
    state->loop = nullptr;
    state->root.destroy();
    state->root = {};
    state->done = true;
    state->cancelled = true;
    if (!state->handle_alive) delete state;
  }
  for (auto* state : finished_) {
    state->root.destroy();
    delete state;
  }
}

detail::TaskState* EventLoop::adopt(coro::coroutine_handle<> frame, std::string name) {
  auto* state = new detail::TaskState;
  state->loop = this;
  state->root = frame;
  state->lane = recorder_.lane(name.empty() ? "task " + std::to_string(++unnamed_tasks_) : std::move(name));
  state->next = live_;
  if (live_ != nullptr) live_->prev = state;
  live_ = state;
  call_soon(frame, state);
  return state;
}

void EventLoop::call_soon(coro::coroutine_handle<> h, detail::TaskState* task) { ready_.push_back({h, task}); }

void EventLoop::call_at(Nanos when, coro::coroutine_handle<> h, detail::TaskState* task) {
  timers_.push({when, next_seq_++, h, task, -1});
}

void EventLoop::call_soon_threadsafe(std::function<void()> fn) {
  {
    std::lock_guard lock(threadsafe_mutex_);
    threadsafe_.push_back(std::move(fn));
  }
  poller_.wake();
}

void EventLoop::drain_threadsafe() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(threadsafe_mutex_);
    batch.swap(threadsafe_);
  }
  for (auto& fn : batch) fn();
}

void EventLoop::wait_fd(int fd, std::uint32_t interest, std::optional<Nanos> deadline,
                        coro::coroutine_handle<> h, bool* timed_out) {
  const std::uint64_t id = next_seq_++;
  fd_waits_[fd] = {h, current_, timed_out, id};
  poller_.arm(fd, interest);
  if (deadline) timers_.push({*deadline, id, h, current_, fd});
}

void EventLoop::forget_fd(int fd) {
  fd_waits_.erase(fd);
  poller_.forget(fd);
}

void EventLoop::move_due_timers(Nanos now) {
  while (!timers_.empty() && timers_.top().when <= now) {
    Timer t = timers_.top();
    timers_.pop();
    if (t.fd >= 0) {
      // An fd wait's timeout: it counts only if that same wait is still pending.
      auto it = fd_waits_.find(t.fd);
      if (it == fd_waits_.end() || it->second.id != t.seq) continue;
      *it->second.timed_out = true;
      poller_.disarm(t.fd);
      fd_waits_.erase(it);
    }
    ready_.push_back({t.handle, t.task});
  }
}

void EventLoop::run_ready() {
  // Only what was ready when the step began runs in it, as in asyncio: a task that keeps
  // rescheduling itself cannot starve timers and I/O.
  const bool spans = recorder_.spans_on();
  for (std::size_t n = ready_.size(); n > 0; --n) {
    Ready r = ready_.front();
    ready_.pop_front();
    current_ = r.task;
    const Nanos start = platform::now();
    r.handle.resume();
    const Nanos end = platform::now();
    busy_ += end - start;
    if (spans && r.task != nullptr) recorder_.span(r.task->lane, trace::State::running, "run", start, end);
    current_ = nullptr;
  }
  for (auto* state : finished_) {
    state->root.destroy();
    delete state;
  }
  finished_.clear();
}

bool EventLoop::has_work() const noexcept { return !ready_.empty() || !timers_.empty() || !fd_waits_.empty(); }

void EventLoop::run_once(std::optional<Nanos> deadline) {
  Activation active(*this);
  drain_threadsafe();
  if (ready_.empty()) {
    std::optional<Nanos> until = deadline;
    if (!timers_.empty() && (!until || timers_.top().when < *until)) until = timers_.top().when;
    readiness_.clear();
    poller_.wait(until, readiness_);
    for (const auto& r : readiness_) {
      auto it = fd_waits_.find(r.fd);
      if (it == fd_waits_.end()) continue;
      ready_.push_back({it->second.handle, it->second.task});
      fd_waits_.erase(it);
    }
    drain_threadsafe();
  }
  move_due_timers(platform::now());
  run_ready();
}

void EventLoop::run_until_idle() {
  Activation active(*this);
  for (;;) {
    drain_threadsafe();
    move_due_timers(platform::now());
    if (ready_.empty()) return;
    run_ready();
  }
}

void EventLoop::finish(detail::TaskState& state) noexcept {
  state.done = true;
  if (state.prev != nullptr) state.prev->next = state.next;
  else live_ = state.next;
  if (state.next != nullptr) state.next->prev = state.prev;
  state.prev = state.next = nullptr;
  if (state.waiter) call_soon(state.waiter, state.waiter_task);
  // The frame is still suspended inside its final awaiter: free it after this step.
  if (!state.handle_alive) finished_.push_back(&state);
}

namespace detail {

void on_root_done(TaskState& state) noexcept { state.loop->finish(state); }

void release(TaskState* state) noexcept {
  if (state->root) state->root.destroy();
  delete state;
}

TaskState* running_task() noexcept { return running_loop != nullptr ? running_loop->current_task() : nullptr; }

}  // namespace detail

}  // namespace samovar::asyncio
