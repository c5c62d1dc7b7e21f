#pragma once
#include "engine/asyncio/detail/task_state.hpp"
#include "engine/platform/clock.hpp"
#include "engine/trace/recorder.hpp"

// What code outside the loop (a print, a client, a scenario) may know of the task that is
// running it. Called on the loop's thread, inside a task's step, or anywhere for `fallback`.
namespace samovar::asyncio {

// Whether the calling thread is running a step of an event loop's task.
bool in_task() noexcept;

// The trace lane of the running task (made on first use); `fallback` outside any task.
trace::LaneId current_lane(trace::LaneId fallback);

// A wait of the running task, drawn on its lane from construction to destruction (a request
// under way, however it ends), and counted as open meanwhile (Recorder::peak_overlap).
class WaitSpan {
 public:
  explicit WaitSpan(const char* name, trace::LaneId fallback = 0);
  ~WaitSpan();
  WaitSpan(const WaitSpan&) = delete;
  WaitSpan& operator=(const WaitSpan&) = delete;

 private:
  trace::Recorder& recorder_;
  detail::TaskState* task_;
  const char* name_;
  platform::Nanos start_;
  trace::LaneId fallback_;
};

}  // namespace samovar::asyncio
