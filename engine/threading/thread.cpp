#include "engine/threading/thread.hpp"

#include <stdexcept>

namespace samovar::threading {

namespace {
constexpr trace::LaneId kNoLane = ~trace::LaneId{0};
thread_local trace::LaneId this_thread_lane = kNoLane;
}  // namespace

trace::LaneId current_lane(trace::LaneId fallback) {
  return this_thread_lane != kNoLane ? this_thread_lane : fallback;
}

void set_current_lane(trace::LaneId lane) { this_thread_lane = lane; }

Thread::Thread(std::string name, std::function<void()> target, trace::Recorder& recorder, bool daemon)
    : name_(std::move(name)), target_(std::move(target)), recorder_(&recorder), daemon_(daemon) {}

Thread::~Thread() {
  if (thread_.joinable()) thread_.join();
}

void Thread::start() {
  if (thread_.joinable()) throw std::logic_error("threads can only be started once");
  const trace::LaneId lane = recorder_->lane(name_);
  thread_ = std::thread([this, lane] {
    this_thread_lane = lane;
    const auto start = platform::now();
    try {
      target_();
    } catch (const DaemonStopped&) {
      // The program ended under it: the way a daemon thread goes.
    }
    recorder_->span(lane, trace::State::running, "run", start, platform::now());
  });
}

void Thread::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace samovar::threading
