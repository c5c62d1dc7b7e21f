#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/queue.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/threading/queue.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

namespace {

// Guide 7.2, "use queue.Queue for thread communication": producers brew cups and put them on a
// bounded queue, consumers take and serve them. A producer that finds the queue full waits
// (back-pressure). Each consumer stops at a None, put once per consumer when every producer is
// done. Which cup goes to whom, and when, is timing: those lines are not stable.
struct Plan {
  long long producers, consumers, items;
  std::size_t maxsize;
  double brew_s, serve_s;
};

struct Tally {
  std::mutex mutex;           // consumers on several threads
  std::vector<int> consumed;  // per cup: how many times it was taken
  long long full_waits = 0;   // puts that found the queue full
  std::size_t peak = 0;
  explicit Tally(std::size_t cups) : consumed(cups, 0) {}
  void took(long long cup) {
    std::lock_guard lock(mutex);
    ++consumed[static_cast<std::size_t>(cup)];
  }
};

std::string cup_name(const Plan& plan, long long cup) {
  return "cup " + std::to_string(cup / plan.items + 1) + "-" + std::to_string(cup % plan.items + 1);
}

void with_threads(Context& ctx, const Plan& plan, Tally& tally) {
  auto& rt = ctx.threading();
  queue::Queue<std::optional<long long>> cups(rt, plan.maxsize, "queue");
  std::vector<threading::Thread> producers, consumers;
  producers.reserve(static_cast<std::size_t>(plan.producers));
  consumers.reserve(static_cast<std::size_t>(plan.consumers));
  for (long long p = 0; p < plan.producers; ++p)
    producers.emplace_back(
        "Producer " + std::to_string(p + 1),
        [&, p] {
          for (long long i = 0; i < plan.items; ++i) {
            ctx.blocking_sleep(plan.brew_s);
            const long long cup = p * plan.items + i;
            if (cups.full()) {
              std::lock_guard lock(tally.mutex);
              ++tally.full_waits;
            }
            cups.put(cup);
            ctx.print("Producer " + std::to_string(p + 1) + " put " + cup_name(plan, cup), false);
          }
        },
        rt);
  for (long long c = 0; c < plan.consumers; ++c)
    consumers.emplace_back(
        "Consumer " + std::to_string(c + 1),
        [&, c] {
          while (auto cup = cups.get()) {
            ctx.print("Consumer " + std::to_string(c + 1) + " got " + cup_name(plan, *cup), false);
            tally.took(*cup);
            ctx.blocking_sleep(plan.serve_s);
            cups.task_done();
          }
          cups.task_done();
        },
        rt);
  for (auto& t : producers) t.start();
  for (auto& t : consumers) t.start();
  for (auto& t : producers) t.join();
  for (long long c = 0; c < plan.consumers; ++c) cups.put(std::nullopt);
  for (auto& t : consumers) t.join();
  for (auto* group : {&producers, &consumers})
    for (auto& t : *group)
      if (t.exception()) std::rethrow_exception(t.exception());
  tally.peak = cups.peak_size();
}

asyncio::Task<void> produce(Context& ctx, const Plan& plan, Tally& tally,
                            asyncio::Queue<std::optional<long long>>& cups, long long p) {
  for (long long i = 0; i < plan.items; ++i) {
    co_await asyncio::sleep(plan.brew_s);
    const long long cup = p * plan.items + i;
    if (cups.full()) ++tally.full_waits;
    co_await cups.put(cup);
    tally.peak = std::max(tally.peak, cups.qsize());
    ctx.print("Producer " + std::to_string(p + 1) + " put " + cup_name(plan, cup), false);
  }
}

asyncio::Task<void> consume(Context& ctx, const Plan& plan, Tally& tally,
                            asyncio::Queue<std::optional<long long>>& cups, long long c) {
  while (auto cup = co_await cups.get()) {
    ctx.print("Consumer " + std::to_string(c + 1) + " got " + cup_name(plan, *cup), false);
    tally.took(*cup);
    co_await asyncio::sleep(plan.serve_s);
  }
}

asyncio::Task<void> with_tasks(Context& ctx, const Plan& plan, Tally& tally) {
  auto& loop = asyncio::EventLoop::current();
  asyncio::Queue<std::optional<long long>> cups(plan.maxsize);
  std::vector<asyncio::TaskHandle<void>> producers, consumers;
  for (long long p = 0; p < plan.producers; ++p)
    producers.push_back(
        loop.create_task(produce(ctx, plan, tally, cups, p), "Producer " + std::to_string(p + 1)));
  for (long long c = 0; c < plan.consumers; ++c)
    consumers.push_back(
        loop.create_task(consume(ctx, plan, tally, cups, c), "Consumer " + std::to_string(c + 1)));
  for (auto& t : producers) co_await t;
  for (long long c = 0; c < plan.consumers; ++c) co_await cups.put(std::nullopt);
  for (auto& t : consumers) co_await t;
}

void run(Context& ctx) {
  const Plan plan{ctx.integer("producers"),
                  ctx.integer("consumers"),
                  ctx.integer("items"),
                  static_cast<std::size_t>(ctx.integer("maxsize")),
                  ctx.seconds(ctx.number("brew")),
                  ctx.seconds(ctx.number("serve"))};
  const long long cups = plan.producers * plan.items;
  Tally tally(static_cast<std::size_t>(cups));
  if (ctx.model() == "asyncio")
    ctx.run_asyncio(with_tasks(ctx, plan, tally));
  else
    with_threads(ctx, plan, tally);

  long long taken = 0;
  bool each_once = true;
  for (int n : tally.consumed) {
    taken += n;
    each_once = each_once && n == 1;
  }
  ctx.print(std::to_string(cups) + " cups brewed, " + std::to_string(taken) + " served" +
            (each_once ? ", each exactly once" : ", not each exactly once"));
  ctx.metric("cups", static_cast<double>(cups));
  ctx.metric("served", static_cast<double>(taken));
  ctx.metric("puts_that_waited", static_cast<double>(tally.full_waits));
  ctx.metric("peak_queue_size", static_cast<double>(tally.peak));
  ctx.check("each_cup_served_once", each_once);
  ctx.check("queue_within_maxsize", plan.maxsize == 0 || tally.peak <= plan.maxsize);
  // Back-pressure: a producer found the queue full and had to wait for a consumer.
  ctx.check("producers_waited_for_space", tally.full_waits > 0);
}

}  // namespace

Scenario producer_consumer() {
  return {
      "producer-consumer",
      "Producers and consumers over a queue",
      "7.2",
      "Producers brew cups and put them on a bounded queue; consumers take them off and serve "
      "them. "
      "Serving is slower than brewing, so the queue fills and producers wait for room: "
      "back-pressure. "
      "Model threading uses queue.Queue between threads, asyncio an asyncio.Queue between tasks; "
      "either way every cup is served exactly once.",
      {"threading", "asyncio"},
      {{"producers", ParamType::integer, 2, 1, 8, {}, "producer threads or tasks"},
       {"consumers", ParamType::integer, 2, 1, 8, {}, "consumer threads or tasks"},
       {"items", ParamType::integer, 5, 1, 10'000, {}, "cups each producer brews"},
       {"maxsize",
        ParamType::integer,
        2,
        0,
        1'000,
        {},
        "queue capacity (0: unbounded, no back-pressure)"},
       {"brew", ParamType::number, 0.1, 0, 10, {}, "guide seconds to brew a cup"},
       {"serve", ParamType::number, 0.3, 0, 10, {}, "guide seconds to serve a cup"}},
      run};
}

}  // namespace samovar::scenarios
