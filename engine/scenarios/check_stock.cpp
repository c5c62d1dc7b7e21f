#include <string>

#include "engine/asyncio/run_in_executor.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/concurrent/thread_pool_executor.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

namespace {

// Guide 3.2: the blocking function, time.sleep and all.
std::string check_stock(Context& ctx, const std::string& item, double seconds) {
  ctx.print("Checking " + item + " in store...");
  ctx.blocking_sleep(seconds);
  return item + " stock: 42";
}

// Not in the guide's code: a coroutine that ticks while main waits, so the timeline and the
// checks show whether the loop stayed free. It prints nothing, to keep the guide's lines.
asyncio::Task<void> ticker(double period, bool& stop, long long& ticks) {
  while (!stop) {
    ++ticks;
    co_await asyncio::sleep(period);
  }
}

struct Ticks {
  long long all = 0;
  long long during_call = 0;  // before check_stock's result was back
};

asyncio::Task<std::string> main_coroutine(Context& ctx, std::string item, double seconds,
                                          bool blocking, Ticks& ticks) {
  auto& loop = asyncio::EventLoop::current();
  bool stop = false;
  auto tick = loop.create_task(ticker(seconds / 30, stop, ticks.all), "ticker");
  std::string result;
  if (blocking) {
    result = check_stock(ctx, item, seconds);  // on the loop's own thread: everything waits
  } else {
    concurrent::ThreadPoolExecutor pool;  // `with ThreadPoolExecutor() as pool`
    const auto lane = ctx.recorder().lane("ThreadPoolExecutor-0_0");
    result = co_await asyncio::run_in_executor(pool, [&] {
      threading::set_current_lane(lane);
      return check_stock(ctx, item, seconds);
    });
  }
  ticks.during_call = ticks.all;  // the ticker cannot have run before the call began
  ctx.print(result);
  stop = true;
  co_await tick;
  co_return result;
}

void run(Context& ctx) {
  const double seconds = ctx.seconds(ctx.number("delay"));
  Ticks ticks;
  ctx.run_asyncio(main_coroutine(ctx, ctx.text("item"), seconds, ctx.flag("blocking"), ticks));
  // The ticker asks for 30 ticks over the call. A loop held by the call gives it none until
  // the call is over; a free loop gives it most of them (a few, at least, on a busy machine).
  ctx.metric("ticks", static_cast<double>(ticks.all));
  ctx.metric("ticks_during_call", static_cast<double>(ticks.during_call));
  ctx.metric("slow_steps", static_cast<double>(ctx.slow_steps()));
  ctx.check("ticker_kept_ticking", ticks.during_call >= 2, !ctx.flag("blocking") && seconds > 0);
}

}  // namespace

Scenario check_stock() {
  return {
      {"check-stock",
       "Thread executors with asyncio",
       "3.2",
       "run_in_executor runs the blocking check_stock on a pool thread, so the event loop stays "
       "responsive: a ticker coroutine keeps ticking. With blocking=true the loop calls it "
       "itself, the ticker stalls, and debug mode reports the held loop.",
       {"asyncio"},
       {param::text("item", "Masala chai", "what to check the stock of"),
        param::number("delay", 3.0, 0, 60, "guide seconds check_stock sleeps"),
        param::flag("blocking", false, "call check_stock on the loop instead of in the pool")}},
      run};
}

}  // namespace samovar::scenarios
