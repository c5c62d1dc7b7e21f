#include "engine/threading/thread.hpp"

#include <stdexcept>

#include "engine/threading/gil.hpp"
#include "engine/threading/wait_scope.hpp"

namespace samovar::threading {

namespace {
thread_local trace::LaneId this_thread_lane = trace::kNoLane;
}  // namespace

trace::LaneId current_lane(trace::LaneId fallback) {
  return this_thread_lane != trace::kNoLane ? this_thread_lane : fallback;
}

void set_current_lane(trace::LaneId lane) {
  this_thread_lane = lane;
}

Thread::Thread(std::string name, std::function<void()> target, Runtime& runtime, bool daemon)
    : name_(std::move(name)), target_(std::move(target)), runtime_(&runtime), daemon_(daemon) {}

Thread::~Thread() {
  if (!thread_.joinable()) return;
  if (state_ != nullptr) runtime_->finish(*state_);  // an explored schedule: it needs turns to end
  thread_.join();
}

void Thread::start() {
  if (thread_.joinable()) throw std::logic_error("threads can only be started once");
  ThreadState& state = runtime_->add_thread(name_, daemon_);
  state_ = &state;
  thread_ = std::thread([this, &state] {
    runtime_->enter(state);
    runtime_->adopt(state);
    this_thread_lane = state.lane;
    state.running_since = platform::now();
    {
      std::lock_guard lock(finished_->mutex);
      finished_->started = true;
    }
    finished_->cv.notify_all();
    runtime_->changed(finished_->cv);
    Gil* gil = runtime_->gil();
    if (gil != nullptr && gil->take(state)) state.gil = ThreadState::Gil::held;
    try {
      target_();
    } catch (const DaemonStopped&) {
      // The program ended under it: the way a daemon thread goes.
    } catch (...) {
      exception_ = std::current_exception();
    }
    if (state.gil == ThreadState::Gil::held) gil->drop(state, false);
    state.gil = ThreadState::Gil::none;
    runtime_->pause_running(state, platform::now());
    {
      std::lock_guard lock(finished_->mutex);
      finished_->done = true;
    }
    finished_->cv.notify_all();
    runtime_->changed(finished_->cv);
    runtime_->exit(state);  // the last thing it does: the Thread may be gone once the turn passed
  });
  runtime_->point("start", state.lane);
  WaitScope scope(*runtime_, runtime_->current(), finished_->mutex, finished_->cv,
                  {trace::State::blocked, "start", state.lane});
  std::unique_lock lock(finished_->mutex);
  scope.wait(
      lock, [&] { return finished_->started; }, std::nullopt);
}

void Thread::join() {
  if (!thread_.joinable()) return;
  runtime_->point("join", runtime_->recorder().lane(name_));
  {
    WaitScope scope(*runtime_, runtime_->current(), finished_->mutex, finished_->cv,
                    {trace::State::blocked, "join", runtime_->recorder().lane(name_)});
    std::unique_lock lock(finished_->mutex);
    scope.wait(
        lock, [&] { return finished_->done; }, std::nullopt);
  }
  thread_.join();
}

}  // namespace samovar::threading
