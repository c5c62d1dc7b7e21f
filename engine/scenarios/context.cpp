#include "engine/scenarios/context.hpp"

#include <stdexcept>

#include "engine/asyncio/current_task.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

Context::Context(const contract::Request& request, trace::Recorder& recorder,
                 platform::Nanos deadline, std::shared_ptr<std::atomic<bool>> cancel)
    : request_(request),
      recorder_(recorder),
      stop_(deadline, request.deadline_s, cancel),
      main_lane_(recorder.lane("main")) {
  threading_options_.deadline = deadline;
  threading_options_.deadline_s = request.deadline_s;
  threading_options_.cancel = std::move(cancel);
  if (request.schedule == "explore") {
    virtual_clock_ = recorder.origin();
    platform::follow_clock(&virtual_clock_);
    threading_options_.explore = threading::Runtime::Options::Explore{
        request.explore.strategy, request.explore.depth,
        request.explore.steps,    static_cast<std::uint64_t>(request.seed),
        &virtual_clock_,          &explored_};
  }
}

Context::~Context() {
  if (threading_options_.explore) platform::follow_clock(nullptr);
}

std::optional<contract::Explored> Context::explored() const {
  if (!threading_options_.explore) return std::nullopt;
  contract::Explored all = explored_;  // runtimes that ended (workload's), then this run's own
  if (threading_) all.add(*threading_->explored());
  return all;
}

threading::Runtime& Context::threading() {
  if (!threading_) threading_.emplace(recorder_, threading_options_);
  return *threading_;
}

void Context::use_gil(bool on) {
  if (threading_) throw std::logic_error("use_gil() after the threading model was made");
  threading_options_.gil = on;
}

void Context::detect_deadlocks_after(double guide_seconds) {
  if (threading_)
    throw std::logic_error("detect_deadlocks_after() after the threading model was made");
  threading_options_.deadlock_check_s = seconds(guide_seconds);
}

void Context::print(std::string text, bool stable, trace::Source src) {
  if (recorder_.lines_full()) return recorder_.drop_line();
  recorder_.print(asyncio::current_lane(threading::current_lane(main_lane_)), std::move(text),
                  stable, std::nullopt, src);
}

void Context::print(std::initializer_list<std::string_view> parts, bool stable, trace::Source src) {
  if (recorder_.lines_full()) return recorder_.drop_line();
  std::string text;
  for (auto part : parts) text += part;
  print(std::move(text), stable, src);
}

void Context::blocking_sleep(double seconds) {
  const platform::Nanos start = platform::now();
  const bool in_task = asyncio::in_task();
  const trace::LaneId lane = asyncio::current_lane(threading::current_lane(main_lane_));
  struct Busy {
    Context& ctx;
    platform::Nanos start;
    bool counts;
    // Only the run's own thread outside a loop counts here (a loop counts its own steps).
    ~Busy() {
      if (counts) ctx.busy_ += platform::now() - start;
    }
  } busy{*this, start, !in_task && lane == main_lane_};
  threading().sleep(seconds, lane);
}

void Context::end_program() {
  program_end_ = platform::now();
  if (threading_) threading_->stop_daemons();
}

}  // namespace samovar::scenarios
