#pragma once
#include <memory>
#include <mutex>
#include <type_traits>

#include "engine/asyncio/event_loop.hpp"
#include "engine/concurrent/thread_pool_executor.hpp"

namespace samovar::asyncio {

namespace detail {

// Shared by the awaiting task and the worker's completion, which posts to the loop: if the
// task stopped waiting (cancelled), the completion wakes nobody; if the task's frame is gone
// (the run ended at its deadline and freed its tasks, perhaps the loop too), it posts nothing.
// `waiter` is touched on the loop's thread only; `loop` under `mutex`, from either side.
struct ExecutorBridge {
  std::mutex mutex;
  EventLoop* loop = nullptr;
  Waiter* waiter = nullptr;

  // On the loop's thread: resume the task unless a cancel already did.
  static void resume(const std::shared_ptr<ExecutorBridge>& bridge) {
    Waiter* w = std::exchange(bridge->waiter, nullptr);
    if (w != nullptr && (w->task == nullptr || w->task->waiting == w)) bridge->loop->wake(*w);
  }
  // On the worker's thread (or the adder's, if already done): only posts, and only while the
  // awaiting frame lives; the frame's end waits for a post under way.
  static void completed(const std::shared_ptr<ExecutorBridge>& bridge) {
    std::lock_guard lock(bridge->mutex);
    if (bridge->loop != nullptr) bridge->loop->call_soon_threadsafe([bridge] { resume(bridge); });
  }
  // On the loop's thread, as the awaiting frame ends.
  void detach() {
    waiter = nullptr;
    std::lock_guard lock(mutex);
    loop = nullptr;
  }
};

template <class R>
class AwaitFuture {
 public:
  explicit AwaitFuture(concurrent::Future<R>& future)
      : future_(future), bridge_(std::make_shared<ExecutorBridge>()) {}
  ~AwaitFuture() { bridge_->detach(); }
  AwaitFuture(const AwaitFuture&) = delete;
  AwaitFuture& operator=(const AwaitFuture&) = delete;
  bool await_ready() const { return future_.done(); }
  void await_suspend(coro::coroutine_handle<> h) {
    auto& loop = EventLoop::current();
    loop.suspend(waiter_, h);
    {
      std::lock_guard lock(bridge_->mutex);
      bridge_->loop = &loop;
    }
    bridge_->waiter = &waiter_;
    future_.add_done_callback([bridge = bridge_] { ExecutorBridge::completed(bridge); });
  }
  R await_resume() {
    bridge_->waiter = nullptr;
    EventLoop::resume_point(waiter_.task);
    return future_.result();
  }

 private:
  concurrent::Future<R>& future_;
  std::shared_ptr<ExecutorBridge> bridge_;
  Waiter waiter_;
};

}  // namespace detail

// loop.run_in_executor(pool, fn, args...): submits to the pool (a ThreadPoolExecutor takes a
// callable; a ProcessPoolExecutor a function's name and its argument bytes) and suspends the
// awaiting task (not the loop) until it is done; the loop's thread resumes it with the result
// or the exception. Cancelling the task stops the wait, not the call.
template <class Executor, class... Args>
auto run_in_executor(Executor& executor, Args... args)
    -> Task<typename decltype(executor.submit(std::move(args)...))::value_type> {
  auto future = executor.submit(std::move(args)...);
  co_return co_await detail::AwaitFuture(future);
}

}  // namespace samovar::asyncio
