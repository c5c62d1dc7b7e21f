// multiprocessing's shared state (Value, Lock, Barrier, Queue): in shared memory natively, in
// the parent's memory reached through JS from a WASM process worker. What the parent writes a
// worker sees, and the other way round; a lock taken in one process holds off the others.
#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/multiprocessing/barrier.hpp"
#include "engine/multiprocessing/queue.hpp"
#include "engine/multiprocessing/value.hpp"
#include "engine/platform/process.hpp"
#include "engine/platform/shared_memory.hpp"
#include "engine/scenarios/process_functions.hpp"

using namespace samovar;
using concurrent::ProcessPoolExecutor;
using multiprocessing::Barrier;
using multiprocessing::Lock;
using multiprocessing::Queue;
using multiprocessing::Value;

namespace fn = scenarios::process_functions;

namespace {
constexpr platform::Nanos kTimeout = platform::to_nanos(20);

// Submits a call of `function` (process_functions.hpp) to the pool.
template <class Args, class Result>
concurrent::Future<std::string> submit(ProcessPoolExecutor& pool,
                                       const multiprocessing::Function<Args, Result>& function,
                                       const Args& args) {
  return pool.submit(function.name(), function.argument(args));
}
}  // namespace

TEST_CASE("shared state: a Lock, a Queue and a Barrier in one process", "[process]") {
  const std::size_t before = platform::shared_memory::in_use();
  {
    Lock lock;
    CHECK(lock.acquire(0));
    CHECK(lock.locked());
    CHECK_FALSE(lock.acquire(platform::to_nanos(0.01)));  // not recursive, and it times out
    lock.release();
    CHECK_FALSE(lock.locked());

    Queue q(2);
    CHECK(q.put(1, 0).order == 0);
    CHECK_FALSE(q.put(2, 0).waited);
    CHECK_THROWS_WITH(q.put(3, platform::to_nanos(0.01)), Catch::Contains("queue.Full"));
    CHECK(q.peak_size() == 2);
    CHECK(q.get(0).item == 1);
    const auto wrapped = q.put(3, 0);  // wraps around the ring
    CHECK(wrapped.order == 3);
    CHECK(q.get(0).item == 2);
    CHECK(q.get(0).item == 3);
    CHECK_THROWS_WITH(q.get(platform::to_nanos(0.01)), Catch::Contains("queue.Empty"));

    Barrier alone(1);
    alone.wait(0);
    alone.wait(0);  // used again
    Barrier pair(2);
    CHECK_THROWS_WITH(pair.wait(platform::to_nanos(0.01)), Catch::Contains("BrokenBarrierError"));
    CHECK(platform::shared_memory::in_use() > before);
  }
  CHECK(platform::shared_memory::in_use() == before);  // every word given back
}

TEST_CASE("shared state: a Value is the same int in the parent and in the workers", "[process]") {
  Value stock(5);
  Barrier start(1);
  {
    ProcessPoolExecutor pool(1);
    const auto& increment = fn::increment_value;
    CHECK(increment.result(
              submit(pool, increment, {stock.handle(), start.handle(), 1000, true, kTimeout})
                  .result(20)) == 1000);
    CHECK(stock.value() == 1005);  // the worker's increments, seen by the parent
    stock.set_value(-7);
    submit(pool, increment, {stock.handle(), start.handle(), 7, false, kTimeout}).result(20);
    CHECK(stock.value() == 0);  // the parent's write, seen by the worker
    // A handle outside the block is an error the parent gets back, not a wild access.
    const auto outside = static_cast<fn::Word>(platform::shared_memory::capacity());
    CHECK_THROWS_WITH(
        submit(pool, increment, {outside, start.handle(), 1, false, kTimeout}).result(20),
        Catch::Contains("LookupError: no shared object"));
  }
  CHECK(platform::process::live_workers() == 0);
}

TEST_CASE("shared state: with the Value's lock, two processes' increments are all kept",
          "[process]") {
  constexpr long long kIncrements = 20'000;
  for (const bool locked : {true, false}) {
    Value stock(0);
    Barrier start(2);  // both workers count at once
    ProcessPoolExecutor pool(2);
    const std::string call = fn::increment_value.argument(
        {stock.handle(), start.handle(), kIncrements, locked, kTimeout});
    pool.map(fn::increment_value.name(), {call, call}, 30.0);
    const auto calls = pool.calls_per_worker();
    CHECK(calls.size() == 2);  // the barrier lets neither finish without the other
    if (locked)
      CHECK(stock.value() == 2 * kIncrements);
    else  // updates may be lost, never invented
      CHECK((stock.value() > 0 && stock.value() <= 2 * kIncrements));
  }
}

TEST_CASE("shared state: a Lock held in the parent holds off a worker", "[process]") {
  Value stock(0);
  Barrier start(1);
  stock.get_lock().acquire(0);
  ProcessPoolExecutor pool(1);
  const auto timeout = platform::to_nanos(0.05);
  CHECK_THROWS_WITH(
      submit(pool, fn::increment_value, {stock.handle(), start.handle(), 1, true, timeout})
          .result(20),
      Catch::Contains("was not free"));
  stock.get_lock().release();
  submit(pool, fn::increment_value, {stock.handle(), start.handle(), 1, true, timeout}).result(20);
  CHECK(stock.value() == 1);
}

TEST_CASE("shared state: producers and consumers in processes pass every cup once", "[process]") {
  constexpr long long kItems = 20;
  Queue cups(3);
  Value served(0);
  ProcessPoolExecutor pool(2);
  auto producer = submit(pool, fn::produce, {cups.handle(), 0, kItems, 0, kTimeout});
  auto consumer = submit(pool, fn::consume, {cups.handle(), 0, served.handle(), kTimeout});
  const auto produced = fn::produce.result(producer.result(20));
  cups.put(-1, kTimeout);  // None: the consumer stops
  std::multiset<long long> taken;
  std::set<long long> seqs;
  for (const auto& got : fn::consume.result(consumer.result(20))) {
    taken.insert(got.cup);
    seqs.insert(got.order);
  }
  CHECK(taken.size() == kItems);
  for (long long c = 0; c < kItems; ++c) CHECK(taken.count(c) == 1);
  CHECK(served.value() == kItems);
  CHECK(cups.peak_size() <= 3);
  CHECK(produced.size() == kItems);
  for (const auto& put : produced) seqs.insert(put.order);
  CHECK(seqs.size() == 2 * kItems);  // one place in the order per put and per get, none twice
  CHECK(*seqs.rbegin() <= 2 * kItems + 1);  // and the None's put and get, 2 more
}
