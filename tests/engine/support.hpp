#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/asyncio/event_loop.hpp"
#include "engine/platform/clock.hpp"
#include "engine/threading/runtime.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::testing {

// A loop with its own recorder, for tests that drive the engine directly.
struct LoopFixture {
  trace::Recorder recorder{trace::Level::spans, {}, platform::now()};
  asyncio::EventLoop loop{recorder};

  // Generous: the machines are shared and noisy; a hang is what this guards against.
  static constexpr double kDeadlineS = 20;

  template <class T>
  T run(asyncio::Task<T> main) {
    return loop.run_until_complete(std::move(main),
                                   platform::now() + platform::to_nanos(kDeadlineS), kDeadlineS);
  }

  std::vector<trace::Span> spans_named(const std::string& name) const {
    std::vector<trace::Span> out;
    for (const auto& s : recorder.spans())
      if (name == s.name) out.push_back(s);
    return out;
  }
};

// A threading runtime with its own recorder, for tests that drive threads and locks directly.
struct ThreadsFixture {
  static constexpr double kDeadlineS = 20;
  trace::Recorder recorder{trace::Level::spans, {}, platform::now()};
  threading::Runtime rt;

  explicit ThreadsFixture(threading::Runtime::Options options = {})
      : rt(recorder, with_deadline(options)) {}

  static threading::Runtime::Options with_deadline(threading::Runtime::Options options) {
    options.deadline = platform::now() + platform::to_nanos(kDeadlineS);
    options.deadline_s = kDeadlineS;
    return options;
  }

  // Spans of that name on the lane of that name.
  std::vector<trace::Span> spans(const std::string& lane, const std::string& name) const {
    std::vector<trace::Span> out;
    const auto lanes = recorder.lanes();
    for (const auto& s : recorder.spans())
      if (name == s.name && lanes[s.lane] == lane) out.push_back(s);
    return out;
  }
};

inline bool overlap(const trace::Span& a, const trace::Span& b) {
  return a.start_s < b.end_s && b.start_s < a.end_s;
}

}  // namespace samovar::testing
