#include "engine/scenarios/context.hpp"

#include <algorithm>

#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

Context::Context(const contract::Request& request, trace::Recorder& recorder, platform::Nanos deadline)
    : request_(request), recorder_(recorder), deadline_(deadline), main_lane_(recorder.lane("main")) {}

void Context::print(std::string text, bool stable) {
  auto* task = asyncio::detail::running_task();
  recorder_.print(asyncio::detail::lane_of(task, threading::current_lane(main_lane_)), std::move(text), stable);
}

void Context::blocking_sleep(double seconds) {
  const platform::Nanos start = platform::now();
  const platform::Nanos wanted = start + platform::to_nanos(seconds);
  auto* task = asyncio::detail::running_task();
  const trace::LaneId lane = asyncio::detail::lane_of(task, threading::current_lane(main_lane_));
  recorder_.open("sleep");
  bool stopped = false;
  {
    // A real sleep, cut short only when the program ends under a daemon thread.
    std::unique_lock lock(stop_mutex_);
    stopped = stop_cv_.wait_for(lock, std::chrono::nanoseconds(std::min(wanted, deadline_) - start),
                                [this] { return daemons_stopping_; });
  }
  const platform::Nanos end = platform::now();
  recorder_.close("sleep");
  recorder_.span(lane, trace::State::waiting, "sleep", start, end);
  // Only the run's own thread outside a loop counts here (a loop counts its own steps).
  if (task == nullptr && lane == main_lane_) busy_ += end - start;
  if (stopped) throw threading::DaemonStopped();
  if (wanted > deadline_) throw asyncio::DeadlineExceeded(request_.deadline_s);
}

void Context::end_program() {
  program_end_ = platform::now();
  {
    std::lock_guard lock(stop_mutex_);
    daemons_stopping_ = true;
  }
  stop_cv_.notify_all();
}

}  // namespace samovar::scenarios
