#pragma once
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/platform/clock.hpp"

namespace samovar::trace {

enum class State { running, waiting, blocked, instant };
const char* to_string(State state) noexcept;

enum class Level { off, spans };

using LaneId = std::uint32_t;
constexpr LaneId kNoLane = ~LaneId{0};

struct Span {
  LaneId lane;
  State state;
  const char* name;  // a string literal: span names are few and fixed
  double start_s;
  double end_s;  // NaN for an instant event
  // What a wait was for or a hold was of (a lock's lane), and who held it: kNoLane if none.
  LaneId object = kNoLane;
  LaneId holder = kNoLane;
};

// Where a line was printed in the engine's source: a scenario's print call, as the compiler
// names its file; none (null file) for a line the engine prints itself.
struct Source {
  const char* file = nullptr;
  unsigned line = 0;
  // std::source_location::current(), which Emscripten 3.1.6's libc++ lacks: the same builtins,
  // which g++ and clang evaluate at the call site when they are a default argument.
  static constexpr Source here(const char* file = __builtin_FILE(),
                               unsigned line = __builtin_LINE()) noexcept {
    return {file, line};
  }
};

struct Line {
  double t_s;
  LaneId lane;
  std::string text;
  bool stable;
  Source src = {};
};

struct Limits {
  std::size_t max_lines = 10'000;
  std::size_t max_spans = 50'000;
  // Spans are kept for the first lanes only, so that a run of 100,000 tasks still shows
  // whole lanes (every run and wait of them) rather than one slice of each.
  std::size_t max_traced_lanes = 1'000;
};

// Records what a run did: lanes (a task, a thread), spans on them, printed lines. It also
// counts, per span name, how many intervals of that name were open at once, whatever the
// level, so checks ("did the brews overlap?") hold with tracing off and past the span cap.
// Thread-safe: every member may be called from any thread of the run.
class Recorder {
 public:
  using LineSink = std::function<void(const Line&, const std::string& who)>;

  Recorder(Level level, Limits limits, platform::Nanos origin);

  // The lane of that name, made on first use: tasks of one name share a lane. `was_counted`:
  // its owner was counted by count_untraced_lane() before it needed a name.
  LaneId lane(std::string name, bool was_counted = false);
  // Whether a lane made now would keep spans (the first max_traced_lanes do). Lock-free.
  bool traces_new_lanes() const noexcept {
    return lane_count_.load(std::memory_order_relaxed) < limits_.max_traced_lanes;
  }
  // A lane past the traced ones, counted without being named: spans there are dropped anyway,
  // and a name and a map entry for each of 100,000 tasks cost more than the steps recorded.
  void count_untraced_lane() noexcept { unnamed_untraced_.fetch_add(1, std::memory_order_relaxed); }
  std::string lane_name(LaneId lane) const;
  bool spans_on() const noexcept { return level_ == Level::spans; }
  // Whether a span ending now could be kept: spans are on and their budget is not spent. A hot
  // path (a lock taken a million times) skips its clock reads once it is false. Lock-free.
  bool keeps_spans() const noexcept {
    return level_ == Level::spans && !spans_full_.load(std::memory_order_relaxed);
  }
  // A span not kept, counted without being made (span() past the budget does the same).
  void drop_span() noexcept { spans_dropped_.fetch_add(1, std::memory_order_relaxed); }
  double seconds(platform::Nanos t) const noexcept { return platform::to_seconds(t - origin_); }
  platform::Nanos origin() const noexcept { return origin_; }

  // An interval of `name` opens and closes: counted for peak_overlap, whatever the level.
  void open(const char* name);
  void close(const char* name);
  // A span on a lane, kept when spans are on (and under the limits).
  void span(LaneId lane, State state, const char* name, platform::Nanos start, platform::Nanos end,
            LaneId object = kNoLane, LaneId holder = kNoLane);
  // `at`: when it happened, if not now (a worker process's line, told by the parent later);
  // it takes its place among the lines in time order.
  void print(LaneId lane, std::string text, bool stable = true,
             std::optional<platform::Nanos> at = std::nullopt, Source src = {});
  // Whether print() now drops every line: the line budget (max_lines) is spent, and kept lines
  // are never removed, so it stays true. Lock-free, so that a line past the budget (a
  // 100,000-task gather prints 200,000) costs a count, not a clock read and a string.
  bool lines_full() const noexcept { return lines_full_.load(std::memory_order_relaxed); }
  void drop_line() noexcept { lines_dropped_.fetch_add(1, std::memory_order_relaxed); }

  // Called for every kept line as it is printed, from the printing thread.
  void on_line(LineSink sink) { sink_ = std::move(sink); }

  std::size_t peak_overlap(std::string_view name) const;
  std::size_t lines_dropped() const;
  std::size_t spans_dropped() const;
  // When the span budget (max_spans) ran out: the end of the first span refused for want of
  // room, in seconds from the origin; nullopt while it never did. Spans of lanes past
  // max_traced_lanes are dropped from the start, so they do not stop the recording.
  std::optional<double> stopped_s() const;
  // How many lanes had no spans kept because they came after the first max_traced_lanes.
  std::size_t lanes_untraced() const;

  // Snapshots for the report; call once the run's threads are done.
  std::vector<std::string> lanes() const;
  std::vector<Span> spans() const;
  std::vector<Line> lines() const;

 private:
  struct Overlap {
    const char* name;
    std::size_t open = 0;
    std::size_t peak = 0;
  };
  Overlap& overlap(const char* name);

  const Level level_;
  const Limits limits_;
  const platform::Nanos origin_;
  LineSink sink_;
  mutable std::mutex mutex_;
  std::vector<std::string> lanes_;
  std::unordered_map<std::string, LaneId> lane_ids_;
  std::vector<Span> spans_;
  std::vector<Line> lines_;
  std::vector<Overlap> overlaps_;
  std::atomic<std::size_t> lane_count_{0};        // lanes_.size(), for traces_new_lanes()
  std::atomic<std::size_t> unnamed_untraced_{0};  // count_untraced_lane() less those named since
  std::atomic<bool> lines_full_{false};           // set once, under the mutex
  std::atomic<std::size_t> lines_dropped_{0};
  // Once the span cap is reached, span() only counts, without the mutex: a run past the cap
  // (a million lock holds) should not pay for a lock per span it does not keep.
  std::atomic<bool> spans_full_{false};
  std::optional<double> stopped_s_;  // set once, under the mutex, as spans_full_ turns true
  std::atomic<std::size_t> spans_dropped_{0};
};

}  // namespace samovar::trace
