#include <string>
#include <string_view>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"

namespace samovar::scenarios {

namespace {

// The guide's three teas; more tasks cycle through them.
std::string_view tea(long long i) {
  static const char* const teas[] = {"Masala chai", "Green chai", "Ginger chai"};
  return teas[i % 3];
}

// Guide 2.3: brew(name), three of them under asyncio.gather. `blocking` is the mistake the
// guide warns of (7.1): time.sleep inside a coroutine holds the loop, so nothing overlaps.
// `name` is one of the static teas, so the frame holds a view of it.
asyncio::Task<void> brew(Context& ctx, std::string_view name, double seconds, bool blocking) {
  ctx.print({"Brewing ", name, "..."});
  if (blocking)
    ctx.blocking_sleep(seconds);
  else
    co_await asyncio::sleep(seconds);
  ctx.print({name, " is ready..."});
}

asyncio::Task<void> brew_all(Context& ctx, long long tasks, double seconds, bool blocking) {
  std::vector<asyncio::Task<void>> brews;
  brews.reserve(static_cast<std::size_t>(tasks));
  for (long long i = 0; i < tasks; ++i) {
    // A million frames take a second to allocate here (page faults): the run's stop is looked
    // at as they are made, not only once they are.
    if (i % 4096 == 4095) ctx.stop().check();
    brews.push_back(brew(ctx, tea(i), seconds, blocking));
  }
  co_await asyncio::gather(std::move(brews));
}

void run(Context& ctx) {
  const long long tasks = ctx.integer("tasks");
  const double seconds = ctx.seconds(ctx.number("delay"));
  if (ctx.model() == "sequential") {
    for (long long i = 0; i < tasks; ++i) {
      ctx.print({"Brewing ", tea(i), "..."});
      ctx.blocking_sleep(seconds);
      ctx.print({tea(i), " is ready..."});
    }
  } else {
    ctx.run_asyncio(brew_all(ctx, tasks, seconds, ctx.flag("blocking")));
  }
  const auto peak = ctx.recorder().peak_overlap("sleep");
  ctx.metric("tasks", static_cast<double>(tasks));
  ctx.metric("peak_concurrent_sleeps", static_cast<double>(peak));
  ctx.metric("slow_steps", static_cast<double>(ctx.slow_steps()));
  ctx.check("concurrent", peak > 1,
            ctx.model() != "sequential" && !ctx.flag("blocking") && tasks > 1);
}

}  // namespace

Scenario gather() {
  return {{"gather",
           "Concurrent execution with asyncio.gather()",
           "2.3",
           "Three brews of 3 s each finish in about 3 s under asyncio.gather, not 9: their sleeps "
           "overlap. The sequential model brews one after another for contrast; tasks scales to "
           "100,000 and more.",
           {"asyncio", "sequential"},
           {param::integer("tasks", 3, 1, 1'000'000,
                           "brews to gather; names cycle through the guide's three teas"),
            param::number("delay", 3.0, 0, 60, "guide seconds each brew sleeps"),
            param::flag("blocking", false,
                        "brew with time.sleep inside the coroutine (asyncio model): the loop is "
                        "held, nothing overlaps")}},
          run};
}

}  // namespace samovar::scenarios
