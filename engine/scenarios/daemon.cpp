#include <optional>
#include <string>
#include <vector>

#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

namespace {

struct Lifetime {
  platform::Nanos started = 0;
  platform::Nanos ended = 0;
};

// Guide 3.3's monitor_tea_temp loops forever; a non-daemon one would keep the program alive
// for ever, so samovar ends it after `lifetime` (an `until`) and says so in the summary.
void monitor_tea_temp(Context& ctx, double period, std::optional<platform::Nanos> until,
                      Lifetime& life) {
  life.started = platform::now();
  struct End {
    Lifetime& life;
    ~End() { life.ended = platform::now(); }
  } end{life};
  for (;;) {
    ctx.print("Monitoring tea temperature...", false);  // how many times depends on timing
    if (until && platform::now() >= *until) return;
    ctx.blocking_sleep(period);
  }
}

void run(Context& ctx) {
  const std::string variant = ctx.text("variant");
  const double period = ctx.seconds(ctx.number("period"));
  const auto until = platform::now() + platform::to_nanos(ctx.seconds(ctx.number("lifetime")));
  const bool with_daemon = variant != "non-daemon";
  const bool with_normal = variant != "daemon";

  Lifetime daemon_life, normal_life;
  std::vector<threading::Thread> threads;
  if (with_daemon)
    threads.emplace_back(
        "Thread-1 (daemon)", [&] { monitor_tea_temp(ctx, period, std::nullopt, daemon_life); },
        ctx.threading(), /*daemon=*/true);
  if (with_normal)
    threads.emplace_back(
        "Thread-2 (non-daemon)", [&] { monitor_tea_temp(ctx, period, until, normal_life); },
        ctx.threading());
  for (auto& t : threads) t.start();
  ctx.print("Main program done");
  // Python's exit: wait for every non-daemon thread, then stop the daemons.
  for (auto& t : threads)
    if (!t.daemon()) t.join();
  ctx.end_program();
  const auto program_end = *ctx.program_end();
  for (auto& t : threads) t.join();

  if (with_daemon) {
    ctx.metric("daemon_lived_s", platform::to_seconds(daemon_life.ended - daemon_life.started));
    // It ended because the program did: at most one wait after the end.
    ctx.check("daemon_died_at_exit", daemon_life.ended >= program_end, true);
  }
  if (with_normal) {
    ctx.metric("non_daemon_lived_s", platform::to_seconds(normal_life.ended - normal_life.started));
    ctx.check("program_waited_for_non_daemon", program_end >= normal_life.ended, true);
  }
}

}  // namespace

Scenario daemon() {
  return {
      {"daemon",
       "Daemon vs non-daemon threads",
       "3.3",
       "A daemon thread dies when the main program exits; a non-daemon one keeps the program "
       "alive. The guide's monitors loop forever, so samovar ends the non-daemon one after "
       "`lifetime` guide seconds: the program exits then, and the daemon with it.",
       {"threading"},
       {param::choice("variant", "both", {"both", "daemon", "non-daemon"},
                      "which monitor threads to start"),
        param::number("period", 2.0, 0.01, 60, "guide seconds between temperature checks"),
        param::number("lifetime", 5.0, 0, 60,
                      "guide seconds the non-daemon monitor runs (the guide's runs for ever)")}},
      run};
}

}  // namespace samovar::scenarios
