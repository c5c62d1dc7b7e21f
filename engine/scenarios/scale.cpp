#include <cstdio>
#include <string>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/platform/memory.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"

namespace samovar::scenarios {

namespace {

struct Measured {
  platform::Nanos spawn_start = 0;
  platform::Nanos spawned = 0;  // every task created and started, all now asleep
  std::size_t heap_before = 0;
  std::size_t heap_asleep = 0;
  std::size_t finished = 0;
};

asyncio::Task<void> nap(double seconds, Measured& m) {
  co_await asyncio::sleep(seconds);
  ++m.finished;
}

// Holds the heap reading while every task sleeps: that is what a task costs to keep.
asyncio::Task<void> observe(double seconds, Measured& m) {
  co_await asyncio::sleep(seconds / 2);
  m.heap_asleep = platform::heap_in_use();
}

asyncio::Task<void> gather_naps(long long tasks, double seconds, Measured& m) {
  m.heap_before = platform::heap_in_use();
  m.spawn_start = platform::now();
  std::vector<asyncio::Task<void>> naps;
  naps.reserve(static_cast<std::size_t>(tasks) + 1);
  for (long long i = 0; i < tasks; ++i) naps.push_back(nap(seconds, m));
  auto watcher = asyncio::EventLoop::current().create_task(observe(seconds, m), "observer");
  co_await asyncio::gather(std::move(naps));
  co_await watcher;
}

asyncio::Task<void> switches(long long n) {
  for (long long i = 0; i < n; ++i) co_await asyncio::sleep(0);
}

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void run(Context& ctx) {
  const long long tasks = ctx.integer("tasks");
  const long long n_switches = ctx.integer("switches");
  const double seconds = ctx.seconds(ctx.number("delay"));

  Measured m;
  const platform::Nanos start = platform::now();
  ctx.run_asyncio(gather_naps(tasks, seconds, m), false);
  const double wall = platform::to_seconds(platform::now() - start);
  // Scheduling overhead: everything the run took beyond the one sleep all tasks shared.
  const double overhead_us = (wall - seconds) * 1e6 / static_cast<double>(tasks);
  const double bytes = (static_cast<double>(m.heap_asleep) - static_cast<double>(m.heap_before)) / static_cast<double>(tasks);
  ctx.print(std::to_string(tasks) + " tasks gathered, each sleeping " + fixed(seconds, 3) + " s: " +
                fixed(overhead_us, 3) + " us and " + fixed(bytes, 0) + " bytes per task",
            false);

  const platform::Nanos switch_start = platform::now();
  ctx.run_asyncio(switches(n_switches), false);
  const double switch_ns =
      static_cast<double>(platform::now() - switch_start) / static_cast<double>(std::max(1LL, n_switches));
  ctx.print(std::to_string(n_switches) + " suspend/resume through the loop (sleep(0)): " + fixed(switch_ns, 1) +
                " ns each",
            false);

  ctx.metric("tasks", static_cast<double>(tasks));
  ctx.metric("overhead_us_per_task", overhead_us);
  ctx.metric("bytes_per_task", bytes);
  ctx.metric("switch_ns", switch_ns);
  ctx.check("all_tasks_finished", m.finished == static_cast<std::size_t>(tasks));
}

}  // namespace

Scenario scale() {
  return {"scale",
          "Resource usage as tasks grow",
          "8.2",
          "What a task costs: the time asyncio.gather spends per task beyond the sleep itself, the "
          "memory each sleeping task holds, and one suspend/resume through the loop. Measure with "
          "trace off (--no-spans) for the engine's own figures.",
          {"asyncio"},
          {{"tasks", ParamType::integer, 100'000, 1, 1'000'000, {}, "tasks gathered at once"},
           {"delay", ParamType::number, 1.0, 0, 60, {}, "guide seconds each task sleeps"},
           {"switches", ParamType::integer, 1'000'000, 1, 100'000'000, {}, "sleep(0) round trips to time"}},
          run};
}

}  // namespace samovar::scenarios
