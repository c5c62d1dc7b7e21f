#include "engine/trace/recorder.hpp"

#include <algorithm>
#include <cstring>

namespace samovar::trace {

const char* to_string(State state) noexcept {
  switch (state) {
    case State::running:
      return "running";
    case State::waiting:
      return "waiting";
    case State::blocked:
      return "blocked";
    case State::instant:
      return "instant";
  }
  return "?";
}

Recorder::Recorder(Level level, Limits limits, platform::Nanos origin)
    : level_(level), limits_(limits), origin_(origin) {}

LaneId Recorder::lane(std::string name, bool was_counted) {
  std::lock_guard lock(mutex_);
  auto [it, added] = lane_ids_.try_emplace(name, static_cast<LaneId>(lanes_.size()));
  if (added) {
    lanes_.push_back(std::move(name));
    lane_count_.store(lanes_.size(), std::memory_order_relaxed);
    if (was_counted) unnamed_untraced_.fetch_sub(1, std::memory_order_relaxed);
  }
  return it->second;
}

std::string Recorder::lane_name(LaneId lane) const {
  std::lock_guard lock(mutex_);
  return lanes_.at(lane);
}

Recorder::Overlap& Recorder::overlap(const char* name) {
  for (auto& o : overlaps_)
    if (o.name == name || std::strcmp(o.name, name) == 0) return o;
  return overlaps_.emplace_back(Overlap{name});
}

void Recorder::open(const char* name) {
  std::lock_guard lock(mutex_);
  auto& o = overlap(name);
  if (++o.open > o.peak) o.peak = o.open;
}

void Recorder::close(const char* name) {
  std::lock_guard lock(mutex_);
  --overlap(name).open;
}

void Recorder::span(LaneId lane, State state, const char* name, platform::Nanos start,
                    platform::Nanos end, LaneId object, LaneId holder) {
  if (level_ == Level::off) return;
  if (spans_full_.load(std::memory_order_relaxed) || lane >= limits_.max_traced_lanes) {
    spans_dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::lock_guard lock(mutex_);
  if (spans_.size() >= limits_.max_spans) {
    // A racing thread may be refused here too, after the first: keep the first refusal's time.
    if (!stopped_s_) stopped_s_ = seconds(state == State::instant ? start : end);
    spans_full_.store(true, std::memory_order_relaxed);
    spans_dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  spans_.push_back({lane, state, name, seconds(start), state == State::instant ? NAN : seconds(end),
                    object, holder});
}

void Recorder::print(LaneId lane, std::string text, bool stable, std::optional<platform::Nanos> at,
                     Source src) {
  std::unique_lock lock(mutex_);
  // Read under the lock, so lines are in time order.
  const double t = seconds(at ? *at : platform::now());
  if (lines_.size() >= limits_.max_lines) {
    lines_full_.store(true, std::memory_order_relaxed);
    drop_line();
    return;
  }
  const auto place = std::upper_bound(lines_.begin(), lines_.end(), t,
                                      [](double time, const Line& l) { return time < l.t_s; });
  const auto kept = lines_.insert(place, {t, lane, std::move(text), stable, src});
  if (sink_) {
    // Copies, so the sink runs unlocked and may take its time.
    Line line = *kept;
    std::string who = lanes_[lane];
    lock.unlock();
    sink_(line, who);
  }
}

std::size_t Recorder::peak_overlap(std::string_view name) const {
  std::lock_guard lock(mutex_);
  for (const auto& o : overlaps_)
    if (name == o.name) return o.peak;
  return 0;
}

std::size_t Recorder::lines_dropped() const {
  return lines_dropped_.load();
}

std::size_t Recorder::spans_dropped() const {
  return spans_dropped_.load();
}

std::optional<double> Recorder::stopped_s() const {
  std::lock_guard lock(mutex_);
  return stopped_s_;
}

std::size_t Recorder::lanes_untraced() const {
  std::lock_guard lock(mutex_);
  if (level_ == Level::off) return 0;
  const std::size_t named =
      lanes_.size() > limits_.max_traced_lanes ? lanes_.size() - limits_.max_traced_lanes : 0;
  return named + unnamed_untraced_.load();
}

std::vector<std::string> Recorder::lanes() const {
  std::lock_guard lock(mutex_);
  return lanes_;
}

std::vector<Span> Recorder::spans() const {
  std::lock_guard lock(mutex_);
  return spans_;
}

std::vector<Line> Recorder::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

}  // namespace samovar::trace
