#include <catch2/catch.hpp>

#include <atomic>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/run_in_executor.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/concurrent/thread_pool_executor.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using asyncio::Task;

TEST_CASE("ThreadPoolExecutor runs submitted calls on its threads and returns futures",
          "[executor]") {
  const auto test_thread = std::this_thread::get_id();
  concurrent::ThreadPoolExecutor pool(2);
  auto where = pool.submit([] { return std::this_thread::get_id(); });
  auto fails = pool.submit([]() -> int { throw std::runtime_error("no milk"); });
  CHECK(where.result(20) != test_thread);
  CHECK_THROWS_WITH(fails.result(20), "no milk");
}

TEST_CASE("shutdown(wait) finishes the queued work, and nothing is accepted after", "[executor]") {
  std::atomic<int> ran{0};
  std::latch release(1);
  concurrent::ThreadPoolExecutor pool(1);
  pool.submit([&] { release.wait(); });  // holds the only worker, so the rest queue up
  for (int i = 0; i < 5; ++i) pool.submit([&] { ++ran; });
  release.count_down();
  pool.shutdown(true);
  CHECK(ran == 5);
  CHECK_THROWS_AS(pool.submit([] {}), std::runtime_error);
}

TEST_CASE("a future's result can time out", "[executor]") {
  concurrent::ThreadPoolExecutor pool(1);
  std::latch release(1);
  auto blocked = pool.submit([&] { release.wait(); });
  CHECK_THROWS_AS(blocked.result(0.01), concurrent::TimeoutError);
  release.count_down();
  blocked.result(20);
}

TEST_CASE("run_in_executor keeps the loop running while the pool works", "[executor][loop]") {
  testing::LoopFixture f;
  concurrent::ThreadPoolExecutor pool(2);
  int ticks = 0;
  std::latch release(1);
  auto ticker = [&]() -> Task<void> {
    while (ticks < 5) {
      ++ticks;
      co_await asyncio::sleep(0.001);
    }
    release.count_down();  // only a running loop gets here: then the blocking call may end
  };
  auto main = [&]() -> Task<int> {
    auto t = asyncio::EventLoop::current().create_task(ticker());
    const int v = co_await asyncio::run_in_executor(pool, [&] {
      release.wait();
      return 42;
    });
    co_await t;
    co_return v;
  };
  CHECK(f.run(main()) == 42);
  CHECK(ticks == 5);
}

TEST_CASE("an exception in the pool reaches the awaiting task", "[executor]") {
  testing::LoopFixture f;
  concurrent::ThreadPoolExecutor pool(1);
  auto main = [&]() -> Task<void> {
    co_await asyncio::run_in_executor(
        pool, []() -> int { throw std::runtime_error("stock check failed"); });
  };
  CHECK_THROWS_WITH(f.run(main()), "stock check failed");
}

TEST_CASE("cancelling a task in run_in_executor stops the wait, not the call",
          "[executor][cancel]") {
  testing::LoopFixture f;
  concurrent::ThreadPoolExecutor pool(1);
  std::latch release(1);
  std::atomic<bool> call_finished{false};
  auto main = [&]() -> Task<void> {
    auto& loop = asyncio::EventLoop::current();
    auto t = loop.create_task(asyncio::run_in_executor(pool, [&] {
      release.wait();
      call_finished = true;
    }));
    co_await asyncio::sleep(0.01);
    t.cancel();
    CHECK_THROWS_AS(co_await t, asyncio::CancelledError);
    release.count_down();
    co_await asyncio::sleep(0.05);  // the completion arrives and must wake nobody
  };
  f.run(main());
  pool.shutdown(true);
  CHECK(call_finished);
}

TEST_CASE("map gives results in the items' order, whichever finished first", "[executor]") {
  concurrent::ThreadPoolExecutor pool(3);
  std::latch first_may_finish(1);
  const std::vector<int> items{1, 2, 3};
  // Item 1 waits until item 3 has run: it finishes last, and still comes first.
  const auto squares = pool.map(
      [&](int n) {
        if (n == 1) first_may_finish.wait();
        if (n == 3) first_may_finish.count_down();
        return n * n;
      },
      items, 20.0);
  CHECK(squares == std::vector<int>{1, 4, 9});
}

TEST_CASE("map re-raises the first failing call, in the items' order", "[executor]") {
  concurrent::ThreadPoolExecutor pool(2);
  const std::vector<int> items{1, 2, 3};
  CHECK_THROWS_WITH(pool.map(
                        [](int n) -> int {
                          if (n >= 2) throw std::runtime_error("no cup " + std::to_string(n));
                          return n;
                        },
                        items, 20.0),
                    "no cup 2");
}

TEST_CASE("map with a timeout gives up when the calls take longer", "[executor]") {
  std::latch release(1);  // outlives the pool, whose worker still waits on it after map gives up
  concurrent::ThreadPoolExecutor pool(1);
  const std::vector<int> items{1};
  CHECK_THROWS_AS(pool.map([&](int) { release.wait(); }, items, 0.01), concurrent::TimeoutError);
  release.count_down();
}
