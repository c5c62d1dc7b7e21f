#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/queue.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/multiprocessing/lock.hpp"
#include "engine/multiprocessing/queue.hpp"
#include "engine/multiprocessing/value.hpp"
#include "engine/platform/process.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/scenarios/process_functions.hpp"
#include "engine/threading/queue.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

// What the processes run (process_functions.hpp). They print nothing: each answers with what it
// did, and the parent prints it.
namespace process_functions {

namespace {
// The cups this process's consumers served, counted in its own global when no shared Value was
// given: the parent's stays 0.
std::int64_t served_here = 0;
}  // namespace

const multiprocessing::Function<Produce, std::vector<Produced>> produce{
    "produce", [](const Produce& call) {
      multiprocessing::Queue cups = multiprocessing::Queue::attach(call.queue);
      std::vector<Produced> puts;
      for (std::int64_t i = 0; i < call.items; ++i) {
        const platform::Nanos brewing = platform::now();
        platform::sleep_for(call.brew);
        const std::int64_t cup = call.producer * call.items + i;
        const platform::Nanos putting = platform::now();
        const auto put = cups.put(static_cast<std::int32_t>(cup), call.timeout);
        puts.push_back({put.order, put.at, cup, put.waited, brewing, putting});
      }
      return puts;
    }};

const multiprocessing::Function<Consume, std::vector<Consumed>> consume{
    "consume", [](const Consume& call) {
      multiprocessing::Queue cups = multiprocessing::Queue::attach(call.queue);
      std::vector<Consumed> gets;
      for (;;) {
        const platform::Nanos asked = platform::now();
        const auto got = cups.get(call.timeout);
        if (got.item < 0) break;  // None
        platform::sleep_for(call.serve);
        if (call.served) {
          multiprocessing::Value served = multiprocessing::Value::attach(*call.served);
          multiprocessing::Held held(served.get_lock(), call.timeout);
          served.set_value(served.value() + 1);
        } else {
          served_here += 1;
        }
        gets.push_back({got.order, got.at, got.item, asked, platform::now()});
      }
      return gets;
    }};

}  // namespace process_functions

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

// The same with processes (multiprocessing.Process, here a pool's worker processes): producers
// and consumers each in a process of their own, passing cup numbers over a shared
// multiprocessing.Queue; the parent puts the Nones. The consumers count the cups they served:
// in each process's own global the parent's count stays 0; in a shared Value, under its lock,
// it is exact. The processes print nothing themselves: each answers with what it did, in the
// queue's own order of operations and when (one clock for every process), and the parent
// prints each line in its place in time, on the lane of the process that did it, and draws
// there when that process waited (a brew, a full queue, an empty one, serving).
struct Served {
  long long in_parent = 0;
  bool shared = false;
};

Served with_processes(Context& ctx, const Plan& plan, Tally& tally) {
  const long long processes = plan.producers + plan.consumers;
  const long long cups_total = plan.producers * plan.items;
  // Unbounded (maxsize 0): room for every cup and every None.
  multiprocessing::Queue cups(
      plan.maxsize > 0 ? plan.maxsize : static_cast<std::size_t>(cups_total + plan.consumers));
  std::optional<multiprocessing::Value> served;
  if (ctx.flag("value")) served.emplace(0);
  const platform::Nanos timeout = ctx.wait_bound();
  struct Happened {
    long long order;
    platform::Nanos at;
    std::string line;
    trace::LaneId lane;
    trace::Source src;
  };
  auto& recorder = ctx.recorder();
  std::vector<Happened> happened;
  // Each process's line is printed once all have ended, in the order it happened; its src is
  // here, where its text is made, so that the page marks this call for it.
  const auto print_later = [&](long long order, platform::Nanos at, std::string line,
                               trace::LaneId lane, trace::Source src = trace::Source::here()) {
    happened.push_back({order, at, std::move(line), lane, src});
  };
  {
    concurrent::ProcessPoolExecutor pool(static_cast<std::size_t>(processes), &ctx.recorder());
    const auto& produce = process_functions::produce;
    const auto& consume = process_functions::consume;
    std::vector<concurrent::Future<std::string>> producers, consumers;
    const std::size_t first_call = pool.calls_submitted();  // producers', then consumers'
    pool.trace_calls(false);  // their lanes show their waits instead (below)
    for (long long p = 0; p < plan.producers; ++p)
      producers.push_back(pool.submit(
          produce.name(), produce.argument({cups.handle(), p, plan.items,
                                            platform::to_nanos(plan.brew_s), timeout})));
    std::optional<process_functions::Word> count_in;
    if (served) count_in = served->handle();
    for (long long c = 0; c < plan.consumers; ++c)
      consumers.push_back(pool.submit(
          consume.name(),
          consume.argument({cups.handle(), platform::to_nanos(plan.serve_s), count_in, timeout})));
    std::vector<std::string> answers;
    std::exception_ptr failed;
    try {
      answers = concurrent::results_in_order(producers, ctx.stop());
    } catch (...) {
      failed = std::current_exception();
    }
    // A None per consumer whatever the producers did, so that no consumer waits out the run.
    // Past the deadline (or cancelled) there is no time to give them: the pool ends its
    // workers as the exception leaves it.
    try {
      for (long long c = 0; c < plan.consumers; ++c) cups.put(-1, ctx.wait_bound());
    } catch (...) {
      if (!failed) failed = std::current_exception();
    }
    if (failed) {
      pool.kill_workers();  // not waited for: their calls may be waiting out a long timeout
      std::rethrow_exception(failed);
    }
    for (std::size_t p = 0; p < answers.size(); ++p) {
      const trace::LaneId lane = pool.lane_of_call(first_call + p);
      for (const auto& put : produce.result(answers[p])) {
        tally.full_waits += put.waited;
        recorder.span(lane, trace::State::waiting, "sleep", put.brewing, put.putting);
        if (put.waited) recorder.span(lane, trace::State::blocked, "put", put.putting, put.at);
        print_later(put.order, put.at,
                    "Producer " + std::to_string(p + 1) + " put " + cup_name(plan, put.cup), lane);
      }
    }
    const auto taken = concurrent::results_in_order(consumers, ctx.stop());
    for (std::size_t c = 0; c < taken.size(); ++c) {
      const trace::LaneId lane = pool.lane_of_call(first_call + producers.size() + c);
      for (const auto& got : consume.result(taken[c])) {
        if (got.cup < 0 || got.cup >= cups_total)
          throw std::runtime_error("a consumer took a cup never brewed");
        tally.took(got.cup);
        recorder.span(lane, trace::State::blocked, "get", got.asked, got.at);
        recorder.span(lane, trace::State::waiting, "sleep", got.at, got.served);
        print_later(got.order, got.at,
                    "Consumer " + std::to_string(c + 1) + " got " + cup_name(plan, got.cup), lane);
      }
    }
  }
  std::sort(happened.begin(), happened.end(),
            [](const Happened& a, const Happened& b) { return a.order < b.order; });
  // The clock is one for every process, but in WASM each worker reads it through its own
  // time origin, microseconds apart: a line is never put before one earlier in the queue.
  platform::Nanos last = 0;
  for (auto& h : happened) {
    last = std::max(last, h.at);
    if (h.lane == trace::kNoLane)
      ctx.print_at(last, std::move(h.line), false, h.src);
    else
      recorder.print(h.lane, std::move(h.line), false, last, h.src);
  }
  tally.peak = cups.peak_size();
  if (served) return {served->value(), true};
  // The parent's own global: the consumers counted in theirs.
  return {process_functions::served_here, false};
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
  std::optional<Served> served;
  if (ctx.model() == "asyncio")
    ctx.run_asyncio(with_tasks(ctx, plan, tally));
  else if (ctx.model() == "multiprocessing")
    served = with_processes(ctx, plan, tally);
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
  ctx.check("each_cup_served_once", each_once, true);
  ctx.check("queue_within_maxsize", plan.maxsize == 0 || tally.peak <= plan.maxsize, true);
  // Back-pressure: a producer found the queue full and had to wait for a consumer. It should
  // when the queue is bounded, more cups than it holds are brewed, and the producers brew
  // faster than the consumers serve.
  const bool outpaced = static_cast<double>(plan.producers) * plan.serve_s >
                        static_cast<double>(plan.consumers) * plan.brew_s;
  ctx.check("producers_waited_for_space", tally.full_waits > 0,
            plan.maxsize > 0 && static_cast<std::size_t>(cups) > plan.maxsize && outpaced);
  if (served) {
    ctx.print("Served count in the parent: " + std::to_string(served->in_parent));
    ctx.metric("served_count_in_parent", static_cast<double>(served->in_parent));
    if (served->shared)
      ctx.check("served_count_exact", served->in_parent == cups, true);
    else
      ctx.check("parent_count_unchanged", served->in_parent == 0, true);
  }
}

}  // namespace

Scenario producer_consumer() {
  const auto processes = static_cast<double>(platform::process::max_workers());
  return {
      {"producer-consumer",
       "Producers and consumers over a queue",
       "7.2",
       "Producers brew cups and put them on a bounded queue; consumers take them off and serve "
       "them. Serving is slower than brewing, so the queue fills and producers wait for room: "
       "back-pressure. Model threading uses queue.Queue between threads, asyncio an "
       "asyncio.Queue between tasks, multiprocessing a multiprocessing.Queue between "
       "processes; every way every cup is served exactly once. With processes, a count of "
       "served cups kept in a global stays 0 in the parent; kept in a shared "
       "multiprocessing.Value under its lock, it is exact.",
       {"threading", "asyncio", "multiprocessing"},
       {param::integer("producers", 2, 1, 8, "producer threads, tasks or processes"),
        param::integer("consumers", 2, 1, 8, "consumer threads, tasks or processes"),
        param::integer("items", 5, 1, 10'000, "cups each producer brews"),
        param::integer("maxsize", 2, 0, 1'000, "queue capacity (0: unbounded, no back-pressure)"),
        param::number("brew", 0.1, 0, 10, "guide seconds to brew a cup"),
        param::number("serve", 0.3, 0, 10, "guide seconds to serve a cup"),
        param::flag("value", false, "count served cups in a shared multiprocessing.Value")
            .only_with({"multiprocessing"})},
       {{"multiprocessing",
         {"producers", "consumers"},
         processes,
         "params.consumers",
         "worker processes with model multiprocessing"}},
       nullptr,
       {},
       {"threading"}},
      run};
}

}  // namespace samovar::scenarios
