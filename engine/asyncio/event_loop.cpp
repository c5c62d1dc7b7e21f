#include "engine/asyncio/event_loop.hpp"

#include <stdexcept>

#include "engine/asyncio/current_task.hpp"
#include "engine/contract/format.hpp"

namespace samovar::asyncio {

namespace {
thread_local EventLoop* running_loop = nullptr;

// A step may resume 100,000 tasks. Under WASM with tail calls (Emscripten 3.1.6), a coroutine
// step that ends in a symmetric transfer leaves the shadow stack pointer a few bytes lower
// (the tail call skips the epilogue that restores it), and gather of 80,000 tasks overflowed
// the run's 2 MB stack. A function with a stack frame of its own sets the pointer back from
// its saved copy as it returns; natively this is one call more.
[[gnu::noinline]] void resume_in_own_frame(coro::coroutine_handle<> handle) {
  volatile char frame[16];
  frame[0] = 0;
  handle.resume();
  static_cast<void>(frame[0]);
}
}  // namespace

EventLoop::Activation::Activation(EventLoop& loop) : previous(running_loop) {
  running_loop = &loop;
}
EventLoop::Activation::~Activation() {
  running_loop = previous;
}

EventLoop& EventLoop::current() {
  if (running_loop == nullptr) throw std::logic_error("no running event loop on this thread");
  return *running_loop;
}

EventLoop& EventLoop::running() noexcept {
  return *running_loop;
}

EventLoop::EventLoop(trace::Recorder& recorder) : recorder_(recorder) {}

EventLoop::~EventLoop() {
  // Its work may post completions here: it finishes before the loop's state goes.
  if (default_executor_) default_executor_->shutdown(true);
  // What the frames' destructors do must need no running loop (none may be, as the loop is
  // destroyed after run_until_complete threw) and must not schedule or cancel: every task is
  // going, in no particular order, so a wake or cancel could reach a frame already gone.
  closing_ = true;
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

concurrent::ThreadPoolExecutor& EventLoop::default_executor() {
  if (!default_executor_) default_executor_ = std::make_unique<concurrent::ThreadPoolExecutor>();
  return *default_executor_;
}

void EventLoop::set_debug(bool on, double slow_callback_s) noexcept {
  debug_ = on;
  slow_callback_ = platform::to_nanos(slow_callback_s);
}

detail::TaskState* EventLoop::adopt(coro::coroutine_handle<> frame, detail::PromiseBase* promise,
                                    std::string name) {
  // A task may create a million others in one step: the run's stop is looked at now and then,
  // and thrown into the creating task.
  if (stop_ != nullptr && ++created_ % kStopCheckEvery == 0) stop_->check(platform::now());
  auto* state = new detail::TaskState;
  state->loop = this;
  state->root = frame;
  state->promise = promise;
  if (name.empty())
    state->number = ++unnamed_tasks_;
  else
    state->name = std::move(name);
  state->next = live_;
  if (live_ != nullptr) live_->prev = state;
  live_ = state;
  call_soon(frame, state);
  return state;
}

void EventLoop::call_soon(coro::coroutine_handle<> h, detail::TaskState* task) noexcept {
  ready_.push_back({h, task});
}

void EventLoop::call_soon_threadsafe(std::function<void()> fn) {
  {
    std::lock_guard lock(threadsafe_mutex_);
    threadsafe_.push_back(std::move(fn));
    has_threadsafe_.store(true, std::memory_order_release);
  }
  poller_.wake();
}

void EventLoop::drain_threadsafe() noexcept {
  if (!has_threadsafe_.load(std::memory_order_acquire)) return;
  has_threadsafe_.store(false, std::memory_order_relaxed);
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(threadsafe_mutex_);
    batch.swap(threadsafe_);
  }
  for (auto& fn : batch) fn();
}

void EventLoop::suspend(detail::Waiter& w, coro::coroutine_handle<> h,
                        std::optional<Nanos> deadline) noexcept {
  w.handle = h;
  w.task = current_;
  w.timed_out = false;
  w.cancelled = false;
  if (deadline) {
    w.timer = next_timer_++;
    timers_.push({*deadline, w.timer, &w});
  }
  if (current_ != nullptr) current_->waiting = &w;
}

void EventLoop::unhook(detail::Waiter& w) noexcept {
  if (w.list != nullptr) w.list->remove(w);
  if (w.fd >= 0) {
    fd_waits_.erase(w.fd);
    poller_.disarm(w.fd);
    w.fd = -1;
  }
  if (w.timer != 0) {
    cancelled_timers_.insert(w.timer);
    w.timer = 0;
  }
  if (w.task != nullptr && w.task->waiting == &w) w.task->waiting = nullptr;
}

void EventLoop::wake(detail::Waiter& w) noexcept {
  if (closing_) return;  // the waiter's list or task may be gone already
  unhook(w);
  call_soon(w.handle, w.task);
}

void EventLoop::watch_fd(detail::Waiter& w, int fd, std::uint32_t interest) {
  w.fd = fd;
  fd_waits_[fd] = &w;
  poller_.arm(fd, interest);
}

void EventLoop::forget_fd(int fd) {
  fd_waits_.erase(fd);
  poller_.forget(fd);
}

bool EventLoop::cancel(detail::TaskState& task) {
  if (task.done || closing_) return false;
  task.cancel_requested = true;
  if (task.waiting != nullptr) {
    detail::Waiter& w = *task.waiting;
    w.cancelled = true;
    detail::TaskState* awaited = w.awaited;
    wake(w);
    // As in asyncio: a task cancelled while awaiting another task cancels that one too.
    if (awaited != nullptr) cancel(*awaited);
  }
  return true;
}

void EventLoop::throw_cancelled(detail::TaskState& task) {
  task.cancel_requested = false;
  throw CancelledError();
}

void EventLoop::move_due_timers(Nanos now) noexcept {
  while (!timers_.empty() && timers_.top().when <= now) {
    const Timer t = timers_.top();
    timers_.pop();
    if (cancelled_timers_.erase(t.seq) != 0) continue;
    t.waiter->timer = 0;  // it fired: nothing to cancel any more
    t.waiter->timed_out = true;
    wake(*t.waiter);
  }
}

void EventLoop::run_ready() noexcept {
  // Only what was ready when the step began runs in it, as in asyncio: a task that keeps
  // rescheduling itself cannot starve timers and I/O.
  const bool spans = recorder_.spans_on();
  const bool timed = spans || debug_;  // clock reads cost more than a resume: only when used
  stopping_ = false;
  for (std::size_t n = ready_.size(); n > 0; --n) {
    // A step may hold a million ready tasks: the run's stop is looked at now and then, and
    // the rest left ready for the caller, who throws.
    if (stop_ != nullptr && n % kStopCheckEvery == 0 && stop_->due(platform::now())) {
      stopping_ = true;
      break;
    }
    Ready r = ready_.front();
    ready_.pop_front();
    if (r.task != nullptr && !r.task->started) {
      r.task->started = true;
      if (r.task->cancel_requested) {  // cancelled before its first step: it never runs
        r.task->cancelled = true;
        finish(*r.task);
        continue;
      }
    }
    current_ = r.task;
    if (!timed) {
      resume_in_own_frame(r.handle);
      current_ = nullptr;
      continue;
    }
    const Nanos start = platform::now();
    resume_in_own_frame(r.handle);
    const Nanos end = platform::now();
    busy_ += end - start;
    if (r.task != nullptr) {
      if (spans)
        recorder_.span(detail::span_lane(recorder_, r.task, 0), trace::State::running, "run", start,
                       end);
      if (debug_ && end - start > slow_callback_) {
        ++slow_steps_;
        const std::string took = contract::fixed(platform::to_seconds(end - start), 3);
        recorder_.print(recorder_.lane("asyncio"),
                        "Executing <Task '" + recorder_.lane_name(detail::lane_of(r.task)) +
                            "'> took " + took + " seconds",
                        false);
      }
    }
    current_ = nullptr;
  }
  for (auto* state : finished_) {
    state->root.destroy();
    delete state;
  }
  finished_.clear();
}

void EventLoop::run_once(std::optional<Nanos> deadline) noexcept {
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
      detail::Waiter& w = *it->second;
      fd_waits_.erase(it);
      w.fd = -1;  // the poller disarmed it as it reported it (one-shot): nothing to undo
      wake(w);
    }
    drain_threadsafe();
  }
  if (!timers_.empty()) move_due_timers(platform::now());
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

void EventLoop::report_unretrieved(detail::TaskState& state) noexcept {
  if (state.retrieved || state.cancelled || !state.promise || !state.promise->error) return;
  try {
    std::rethrow_exception(state.promise->error);
  } catch (const std::exception& e) {
    recorder_.print(recorder_.lane("asyncio"), "Task exception was never retrieved: " +
                                                   recorder_.lane_name(detail::lane_of(&state)) +
                                                   ": " + e.what());
  } catch (...) {
    recorder_.print(recorder_.lane("asyncio"), "Task exception was never retrieved: " +
                                                   recorder_.lane_name(detail::lane_of(&state)));
  }
}

void EventLoop::finish(detail::TaskState& state) noexcept {
  state.done = true;
  if (state.promise != nullptr && state.promise->error) {
    try {
      std::rethrow_exception(state.promise->error);
    } catch (const CancelledError&) {
      state.cancelled = true;
    } catch (...) {
    }
  }
  if (state.prev != nullptr)
    state.prev->next = state.next;
  else
    live_ = state.next;
  if (state.next != nullptr) state.next->prev = state.prev;
  state.prev = state.next = nullptr;
  while (!state.waiters.empty()) wake(*state.waiters.front());
  if (state.on_done != nullptr) state.on_done(state.on_done_context, state);
  // The frame is still suspended inside its final awaiter: free it after this step.
  if (!state.handle_alive) {
    report_unretrieved(state);
    finished_.push_back(&state);
  }
}

namespace detail {

void on_root_done(TaskState& state) noexcept {
  state.loop->finish(state);
}

void release(TaskState* state) noexcept {
  if (state->loop != nullptr) state->loop->report_unretrieved(*state);
  if (state->root) state->root.destroy();
  delete state;
}

TaskState* running_task() noexcept {
  return running_loop != nullptr ? running_loop->current_task() : nullptr;
}

bool cancel(TaskState& state) {
  return state.loop != nullptr && state.loop->cancel(state);
}

void await_done(TaskState& awaited, Waiter& w, coro::coroutine_handle<> h,
                std::optional<platform::Nanos> deadline) {
  w.awaited = &awaited;
  awaited.waiters.push_back(w);
  EventLoop::current().suspend(w, h, deadline);
}

void resume_point(TaskState* task) {
  EventLoop::resume_point(task);
}

namespace {
trace::LaneId lane_in(trace::Recorder& recorder, TaskState* task, trace::LaneId fallback) {
  if (task == nullptr) return fallback;
  if (task->lane == kNoLane || task->lane == kUntracedLane)
    task->lane =
        recorder.lane(task->number != 0 ? "task " + std::to_string(task->number) : task->name,
                      task->lane == kUntracedLane);
  return task->lane;
}

}  // namespace

// The lane a span of `task` goes on: none (the span is dropped, counted) for a task that first
// needs one once the traced lanes are all taken.
trace::LaneId span_lane(trace::Recorder& recorder, TaskState* task, trace::LaneId fallback) {
  if (task != nullptr && task->lane == kNoLane && !recorder.traces_new_lanes()) {
    task->lane = kUntracedLane;
    recorder.count_untraced_lane();
  }
  if (task != nullptr && task->lane == kUntracedLane) return trace::kNoLane;
  return lane_in(recorder, task, fallback);
}

trace::LaneId lane_of(TaskState* task, trace::LaneId fallback) {
  if (task == nullptr ||
      ((task->lane == kNoLane || task->lane == kUntracedLane) && task->loop == nullptr))
    return fallback;
  return lane_in(task->loop->recorder(), task, fallback);
}

void record_wait(trace::Recorder& recorder, TaskState* task, const char* name,
                 platform::Nanos start, trace::LaneId fallback) {
  recorder.close(name);
  if (recorder.spans_on())
    recorder.span(span_lane(recorder, task, fallback), trace::State::waiting, name, start,
                  platform::now());
}

}  // namespace detail

bool in_task() noexcept {
  return detail::running_task() != nullptr;
}

trace::LaneId current_lane(trace::LaneId fallback) {
  return detail::lane_of(detail::running_task(), fallback);
}

WaitSpan::WaitSpan(const char* name, trace::LaneId fallback)
    : recorder_(EventLoop::current().recorder()),
      task_(detail::running_task()),
      name_(name),
      start_(platform::now()),
      fallback_(fallback) {
  recorder_.open(name_);  // record_wait closes it
}

// It may run as the loop destroys an unfinished task's frame, when no loop is running: it
// needs none (its recorder outlives the loop).
WaitSpan::~WaitSpan() {
  detail::record_wait(recorder_, task_, name_, start_, fallback_);
}

}  // namespace samovar::asyncio
