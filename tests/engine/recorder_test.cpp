#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <string>

#include "engine/platform/clock.hpp"
#include "engine/samovar.hpp"
#include "engine/trace/recorder.hpp"

using namespace samovar;
using nlohmann::json;

namespace {
platform::Nanos at(platform::Nanos origin, double seconds) {
  return origin + platform::to_nanos(seconds);
}
}  // namespace

TEST_CASE("the recorder says when the span budget ran out", "[trace]") {
  const platform::Nanos origin = platform::now();
  trace::Recorder recorder(trace::Level::spans, {.max_lines = 10, .max_spans = 3}, origin);
  const trace::LaneId lane = recorder.lane("task 1");
  for (int i = 0; i < 3; ++i)
    recorder.span(lane, trace::State::running, "step", at(origin, i), at(origin, i + 0.5));
  CHECK_FALSE(recorder.stopped_s().has_value());

  recorder.span(lane, trace::State::waiting, "sleep", at(origin, 3), at(origin, 4.25));
  recorder.span(lane, trace::State::running, "step", at(origin, 5), at(origin, 6));
  REQUIRE(recorder.stopped_s().has_value());
  // The first refused span's end: the recording stopped when that span could not be kept.
  CHECK(*recorder.stopped_s() == Approx(4.25).margin(1e-6));
  CHECK(recorder.spans_dropped() == 2);
  CHECK(recorder.spans().size() == 3);
}

TEST_CASE("past the line budget a line is counted, not kept, and says so before it is built",
          "[trace]") {
  trace::Recorder recorder(trace::Level::off, {.max_lines = 2}, platform::now());
  const trace::LaneId lane = recorder.lane("main");
  recorder.print(lane, "Brewing Masala chai...");
  recorder.print(lane, "Brewing Green chai...");
  CHECK_FALSE(recorder.lines_full());
  recorder.print(lane, "Brewing Ginger chai...");
  CHECK(recorder.lines_full());
  recorder.drop_line();  // what a print past the budget does instead of building its line
  CHECK(recorder.lines_dropped() == 2);
  REQUIRE(recorder.lines().size() == 2);
  CHECK(recorder.lines()[1].text == "Brewing Green chai...");
}

TEST_CASE("lanes past the traced ones are counted, and do not stop the recording", "[trace]") {
  const platform::Nanos origin = platform::now();
  trace::Recorder recorder(trace::Level::spans, {.max_traced_lanes = 2}, origin);
  const trace::LaneId traced = recorder.lane("task 1");
  recorder.lane("task 2");
  const trace::LaneId untraced = recorder.lane("task 3");
  recorder.lane("task 4");
  recorder.span(untraced, trace::State::waiting, "sleep", at(origin, 0), at(origin, 1));
  recorder.span(traced, trace::State::waiting, "sleep", at(origin, 0), at(origin, 1));
  CHECK(recorder.spans_dropped() == 1);
  CHECK(recorder.spans().size() == 1);
  CHECK_FALSE(recorder.stopped_s().has_value());
  CHECK(recorder.lanes_untraced() == 2);

  // A lane counted before it has a name is not counted again when it gets one.
  CHECK_FALSE(recorder.traces_new_lanes());
  recorder.count_untraced_lane();
  CHECK(recorder.lanes_untraced() == 3);
  recorder.lane("task 5", /*was_counted=*/true);
  CHECK(recorder.lanes_untraced() == 3);

  trace::Recorder off(trace::Level::off, {.max_traced_lanes = 1}, origin);
  off.lane("a");
  off.lane("b");
  CHECK(off.lanes_untraced() == 0);  // nothing is traced, so no lane is left out for want of room
}

TEST_CASE("a report whose spans ran out says when: race with a lock", "[trace][scenario][race]") {
  // A lock hold per increment: 2 x 5,000 increments overflow a budget of 1,000 spans early.
  const json r = run_json({{"scenario", "race"},
                           {"params", {{"sync", "lock"}, {"increments", 5000}}},
                           {"max_spans", 1000}});
  REQUIRE_FALSE(r.contains("error"));
  REQUIRE(r.contains("trace_stopped_s"));
  CHECK(r["metrics"]["spans_dropped"].get<double>() > 0);
  const double stopped = r["trace_stopped_s"].get<double>();
  CHECK(stopped > 0);
  CHECK(stopped <= r["wall_s"].get<double>());
  // Threads submit their spans as they end, so all but the few in flight at the cut end before it.
  std::size_t before = 0, spans = 0;
  for (const auto& s : r["trace"]) {
    if (!s.contains("end_s")) continue;
    ++spans;
    if (s["end_s"].get<double>() <= stopped) ++before;
  }
  CHECK(spans > 900);
  CHECK(before >= spans * 95 / 100);
  CHECK_FALSE(r.contains("trace_lanes_untraced"));
}

TEST_CASE("a report whose spans all fit has no stop, and a big gather counts its untraced lanes",
          "[trace][scenario][gather]") {
  const json small = run_json({{"scenario", "gather"}});
  CHECK_FALSE(small.contains("trace_stopped_s"));
  CHECK_FALSE(small.contains("trace_lanes_untraced"));

  const auto traced = trace::Limits{}.max_traced_lanes;
  const auto tasks = static_cast<long long>(traced) + 200;
  const json big =
      run_json({{"scenario", "gather"}, {"params", {{"tasks", tasks}, {"delay", 0.5}}}});
  REQUIRE_FALSE(big.contains("error"));
  // Spans of the tasks past the traced lanes are dropped from the start: not a stop of the
  // recording.
  CHECK_FALSE(big.contains("trace_stopped_s"));
  REQUIRE(big.contains("trace_lanes_untraced"));
  // Lanes are main, then task 1, task 2, ...: main and the first 999 tasks are traced.
  // (One more if a slow step made the loop's own "asyncio" lane.) Each task is counted once,
  // named (it printed a kept line) or not.
  CHECK(big["trace_lanes_untraced"].get<long long>() >= tasks + 1 - static_cast<long long>(traced));
  CHECK(big["trace_lanes_untraced"].get<long long>() <= tasks + 2 - static_cast<long long>(traced));
}
