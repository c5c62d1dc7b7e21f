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
  recorder_.open("sleep");
  platform::sleep_for(std::min(wanted, deadline_) - start);
  const platform::Nanos end = platform::now();
  recorder_.close("sleep");
  recorder_.span(asyncio::detail::lane_of(task, threading::current_lane(main_lane_)), trace::State::waiting, "sleep",
                 start, end);
  if (task == nullptr) busy_ += end - start;  // inside a loop, the loop counts it already
  if (wanted > deadline_) throw asyncio::DeadlineExceeded(request_.deadline_s);
}

}  // namespace samovar::scenarios
