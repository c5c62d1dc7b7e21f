#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/asyncio/event.hpp"
#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/lock.hpp"
#include "engine/asyncio/queue.hpp"
#include "engine/asyncio/semaphore.hpp"
#include "engine/asyncio/sleep.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using asyncio::Task;

TEST_CASE("Event.wait suspends until set, and wakes every waiter", "[sync]") {
  testing::LoopFixture f;
  asyncio::Event ready;
  std::vector<std::string> log;
  auto waiter = [&](std::string name) -> Task<void> {
    co_await ready.wait();
    log.push_back(name);
  };
  auto main = [&]() -> Task<void> {
    auto& loop = asyncio::EventLoop::current();
    auto a = loop.create_task(waiter("a"));
    auto b = loop.create_task(waiter("b"));
    co_await asyncio::sleep(0.01);
    CHECK(log.empty());
    ready.set();
    co_await a;
    co_await b;
  };
  f.run(main());
  CHECK(log == std::vector<std::string>{"a", "b"});
}

TEST_CASE("Lock: one holder at a time, handed on in arrival order", "[sync]") {
  testing::LoopFixture f;
  asyncio::Lock lock;
  std::vector<std::string> log;
  auto worker = [&](std::string name) -> Task<void> {
    auto held = co_await lock.lock();
    log.push_back(name + " in");
    co_await asyncio::sleep(0.005);
    log.push_back(name + " out");
  };
  auto main = [&]() -> Task<void> {
    std::vector<Task<void>> workers;
    for (const char* n : {"a", "b", "c"}) workers.push_back(worker(n));
    co_await asyncio::gather(std::move(workers));
  };
  f.run(main());
  CHECK(log == std::vector<std::string>{"a in", "a out", "b in", "b out", "c in", "c out"});
  CHECK_FALSE(lock.locked());
}

TEST_CASE("Semaphore limits how many run at once", "[sync]") {
  testing::LoopFixture f;
  asyncio::Semaphore slots(2);
  int inside = 0, peak = 0;
  auto request = [&]() -> Task<void> {
    auto held = co_await slots.hold();
    peak = std::max(peak, ++inside);
    co_await asyncio::sleep(0.005);
    --inside;
  };
  auto main = [&]() -> Task<void> {
    std::vector<Task<void>> requests;
    for (int i = 0; i < 7; ++i) requests.push_back(request());
    co_await asyncio::gather(std::move(requests));
  };
  f.run(main());
  CHECK(peak == 2);
  CHECK(slots.value() == 2);
}

TEST_CASE("a bounded Queue makes the producer wait for the consumer", "[sync][queue]") {
  testing::LoopFixture f;
  asyncio::Queue<int> queue(2);
  std::vector<std::string> log;
  auto producer = [&]() -> Task<void> {
    for (int i = 0; i < 5; ++i) {
      co_await queue.put(i);
      log.push_back("put " + std::to_string(i));
    }
  };
  auto consumer = [&]() -> Task<void> {
    for (int i = 0; i < 5; ++i) {
      const int item = co_await queue.get();
      log.push_back("got " + std::to_string(item));
      co_await asyncio::sleep(0.002);
    }
  };
  std::size_t max_size = 0;
  auto watch = [&]() -> Task<void> {
    for (int i = 0; i < 50; ++i) {
      max_size = std::max(max_size, queue.qsize());
      co_await asyncio::sleep(0.0005);
    }
  };
  auto main = [&]() -> Task<void> { co_await asyncio::gather(producer(), consumer(), watch()); };
  f.run(main());
  CHECK(max_size <= 2);
  // Every item consumed exactly once, in order.
  std::vector<std::string> got;
  for (const auto& l : log)
    if (l.rfind("got", 0) == 0) got.push_back(l);
  CHECK(got == std::vector<std::string>{"got 0", "got 1", "got 2", "got 3", "got 4"});
  // Back-pressure: the producer could not run more than 2 ahead of the consumer.
  int ahead = 0, most_ahead = 0;
  for (const auto& l : log) {
    ahead += l.rfind("put", 0) == 0 ? 1 : -1;
    most_ahead = std::max(most_ahead, ahead);
  }
  CHECK(most_ahead <= 3);
  CHECK_THROWS_AS(queue.get_nowait(), asyncio::QueueEmpty);
}
