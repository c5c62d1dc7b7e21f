#pragma once
#include <optional>

#include "engine/asyncio/event_loop.hpp"

namespace samovar::asyncio {

// asyncio.run: a fresh loop runs `main` (as the task "main") to its end, then is closed;
// tasks still pending at the end are destroyed. Throws DeadlineExceeded past `deadline`.
template <class T>
T run(Task<T> main, trace::Recorder& recorder, std::optional<Nanos> deadline = std::nullopt,
      double deadline_s = 0) {
  EventLoop loop(recorder);
  return loop.run_until_complete(std::move(main), deadline, deadline_s);
}

}  // namespace samovar::asyncio
