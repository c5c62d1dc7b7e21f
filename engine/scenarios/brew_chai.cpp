#include "engine/asyncio/sleep.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"

namespace samovar::scenarios {

namespace {

// Guide 2.2: asyncio.run(brew_chai()); `blocking` swaps in time.sleep, which holds the loop.
asyncio::Task<void> brew_chai_coroutine(Context& ctx, double seconds, bool blocking) {
  ctx.print("Brewing chai...");
  if (blocking)
    ctx.blocking_sleep(seconds);
  else
    co_await asyncio::sleep(seconds);
  ctx.print("Chai is ready");
}

void run(Context& ctx) {
  const double seconds = ctx.seconds(ctx.number("delay"));
  if (ctx.model() == "sequential") {
    ctx.print("Brewing chai...");
    ctx.blocking_sleep(seconds);
    ctx.print("Chai is ready");
  } else {
    ctx.run_asyncio(brew_chai_coroutine(ctx, seconds, ctx.flag("blocking")));
  }
  // asyncio.sleep hands the thread back to the loop for the whole wait; time.sleep keeps it.
  ctx.metric("thread_busy_s", ctx.busy_s());
  ctx.metric("slept_s", seconds);
  ctx.metric("slow_steps", static_cast<double>(ctx.slow_steps()));
  ctx.check("thread_free_while_sleeping", ctx.busy_s() < seconds / 2,
            ctx.model() != "sequential" && !ctx.flag("blocking") && seconds > 0);
}

}  // namespace

Scenario brew_chai() {
  return {{"brew-chai",
           "A simple coroutine",
           "2.2",
           "A coroutine sleeps without blocking: asyncio.sleep hands the thread back to the event "
           "loop for the whole wait; the sequential model's time.sleep holds it.",
           {"asyncio", "sequential"},
           {param::number("delay", 2.0, 0, 60, "guide seconds the brew sleeps"),
            param::flag("blocking", false,
                        "sleep with time.sleep inside the coroutine (asyncio model): the loop is "
                        "held")}},
          run};
}

}  // namespace samovar::scenarios
