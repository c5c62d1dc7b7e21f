#include "engine/scenarios/context.hpp"

#include <algorithm>

#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

namespace {
threading::Runtime::Options threading_options(const contract::Request& request,
                                              platform::Nanos deadline) {
  threading::Runtime::Options options{deadline, request.deadline_s};
  if (auto gil = request.params.find("gil"); gil != request.params.end())
    options.gil = gil->get<bool>();
  if (auto detect = request.params.find("detect_after"); detect != request.params.end())
    options.deadlock_check_s = detect->get<double>() * request.scale;
  return options;
}
}  // namespace

Context::Context(const contract::Request& request, trace::Recorder& recorder,
                 platform::Nanos deadline)
    : request_(request),
      recorder_(recorder),
      deadline_(deadline),
      main_lane_(recorder.lane("main")),
      threading_(recorder, threading_options(request, deadline)) {}

void Context::print(std::string text, bool stable) {
  auto* task = asyncio::detail::running_task();
  recorder_.print(asyncio::detail::lane_of(task, threading::current_lane(main_lane_)),
                  std::move(text), stable);
}

void Context::blocking_sleep(double seconds) {
  const platform::Nanos start = platform::now();
  auto* task = asyncio::detail::running_task();
  const trace::LaneId lane = asyncio::detail::lane_of(task, threading::current_lane(main_lane_));
  struct Busy {
    Context& ctx;
    platform::Nanos start;
    bool counts;
    // Only the run's own thread outside a loop counts here (a loop counts its own steps).
    ~Busy() {
      if (counts) ctx.busy_ += platform::now() - start;
    }
  } busy{*this, start, task == nullptr && lane == main_lane_};
  threading_.sleep(seconds, lane);
}

void Context::end_program() {
  program_end_ = platform::now();
  threading_.stop_daemons();
}

}  // namespace samovar::scenarios
