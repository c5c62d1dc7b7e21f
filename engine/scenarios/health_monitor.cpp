#include <atomic>

#include "engine/asyncio/sleep.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

namespace {

// Guide 4.2: a daemon thread logs forever; the event loop awaits fetch_orders; the program
// ends when the loop is done, and the daemon thread with it.
void background_worker(Context& ctx, double period, std::atomic<int>& logs) {
  for (;;) {
    ctx.blocking_sleep(period);
    // How many times it got to log before the end depends on timing.
    ctx.print("Logging system health", false);
    ++logs;
  }
}

asyncio::Task<void> fetch_orders(Context& ctx, double seconds) {
  co_await asyncio::sleep(seconds);
  ctx.print("Order fetched");
}

void run(Context& ctx) {
  std::atomic<int> logs{0};
  threading::Thread worker(
      "Thread-1 (background_worker)",
      [&] { background_worker(ctx, ctx.seconds(ctx.number("period")), logs); }, ctx.threading(),
      /*daemon=*/true);
  worker.start();
  ctx.run_asyncio(fetch_orders(ctx, ctx.seconds(ctx.number("delay"))));
  ctx.end_program();
  worker.join();  // it stops at its next wait; the run's wall time ended above
  const int logged = logs.load();
  ctx.metric("health_logs", logged);
  // fetch_orders waits `delay`, the worker logs every `period`: it had time for this many.
  const double expected = ctx.number("delay") / ctx.number("period");
  ctx.metric("health_logs_expected", expected);
  ctx.check("logged_while_loop_waited", logged >= 1, ctx.number("delay") > ctx.number("period"));
}

}  // namespace

Scenario health_monitor() {
  return {{"health-monitor",
           "Mixed asyncio and threading",
           "4.2",
           "A daemon thread logs system health every second while the event loop awaits "
           "fetch_orders for 3 s; when the loop is done the program ends, and the daemon thread "
           "with it.",
           {"asyncio"},
           {param::number("delay", 3.0, 0, 60, "guide seconds fetch_orders waits"),
            param::number("period", 1.0, 0.01, 60, "guide seconds between health logs")}},
          run};
}

}  // namespace samovar::scenarios
