#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "engine/asyncio/as_completed.hpp"
#include "engine/asyncio/event.hpp"
#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/lock.hpp"
#include "engine/asyncio/queue.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/asyncio/wait_for.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using asyncio::Task;

namespace {
// Records how a task ended: "done", "cancelled, cleaned up", or what it threw.
Task<void> sleeper(std::vector<std::string>& log, double seconds) {
  try {
    co_await asyncio::sleep(seconds);
    log.push_back("done");
  } catch (const asyncio::CancelledError&) {
    log.push_back("cancelled, cleaned up");
    throw;
  }
}

Task<int> after(double seconds, int value) {
  co_await asyncio::sleep(seconds);
  co_return value;
}

Task<int> fail_after(double seconds, std::string message) {
  co_await asyncio::sleep(seconds);
  throw std::runtime_error(message);
}
}  // namespace

TEST_CASE("a cancelled task sees CancelledError at its await and can clean up", "[cancel]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  auto main = [&]() -> Task<bool> {
    auto t = asyncio::EventLoop::current().create_task(sleeper(log, 30));
    co_await asyncio::sleep(0);  // let it reach its sleep
    CHECK(t.cancel());
    try {
      co_await t;
    } catch (const asyncio::CancelledError&) {
      co_return t.cancelled();
    }
    co_return false;
  };
  CHECK(f.run(main()));
  CHECK(log == std::vector<std::string>{"cancelled, cleaned up"});
}

TEST_CASE("a task cancelled before it starts never runs", "[cancel]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  auto main = [&]() -> Task<void> {
    auto t = asyncio::EventLoop::current().create_task(sleeper(log, 0));
    t.cancel();
    CHECK_THROWS_AS(co_await t, asyncio::CancelledError);
    CHECK_FALSE(t.cancel());  // already done
  };
  f.run(main());
  CHECK(log.empty());
}

TEST_CASE("cancellation reaches every kind of await", "[cancel]") {
  testing::LoopFixture f;
  asyncio::Event never;
  asyncio::Lock lock;
  asyncio::Queue<int> empty_queue;
  asyncio::Queue<int> full_queue(1);
  std::vector<std::string> caught;
  auto await_kind = [&](std::string kind) -> Task<void> {
    try {
      if (kind == "sleep") co_await asyncio::sleep(30);
      if (kind == "event") co_await never.wait();
      if (kind == "lock") co_await lock.acquire();
      if (kind == "queue get") co_await empty_queue.get();
      if (kind == "queue put") co_await full_queue.put(2);
      if (kind == "task") co_await asyncio::EventLoop::current().create_task(after(30, 1));
      if (kind == "gather") {
        std::vector<Task<int>> two;
        two.push_back(after(30, 1));
        two.push_back(after(30, 2));
        co_await asyncio::gather(std::move(two));
      }
    } catch (const asyncio::CancelledError&) {
      caught.push_back(kind);
    }
  };
  auto main = [&]() -> Task<void> {
    auto& loop = asyncio::EventLoop::current();
    co_await lock.acquire();  // held, so the "lock" task waits
    full_queue.put_nowait(1);
    std::vector<asyncio::TaskHandle<void>> tasks;
    for (const char* kind : {"sleep", "event", "lock", "queue get", "queue put", "task", "gather"})
      tasks.push_back(loop.create_task(await_kind(kind)));
    co_await asyncio::sleep(0.01);
    for (auto& t : tasks) t.cancel();
    for (auto& t : tasks) co_await t;
    lock.release();
    CHECK_FALSE(lock.locked());  // the cancelled waiter did not keep it
  };
  f.run(main());
  CHECK(caught == std::vector<std::string>{"sleep", "event", "lock", "queue get", "queue put",
                                           "task", "gather"});
}

TEST_CASE("wait_for times out, cancels the task and raises TimeoutError", "[cancel][timeout]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  auto main = [&]() -> Task<void> {
    CHECK(co_await asyncio::wait_for(after(0.01, 7), 5) == 7);
    CHECK_THROWS_AS(co_await asyncio::wait_for(sleeper(log, 30), 0.02), asyncio::TimeoutError);
  };
  f.run(main());
  CHECK(log == std::vector<std::string>{"cancelled, cleaned up"});
}

TEST_CASE("as_completed yields results in the order tasks finish", "[as_completed]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<std::vector<int>> {
    std::vector<Task<int>> tasks;
    tasks.push_back(after(0.06, 3));
    tasks.push_back(after(0.02, 1));
    tasks.push_back(after(0.04, 2));
    asyncio::AsCompleted<int> done(std::move(tasks));
    std::vector<int> order;
    while (!done.empty()) order.push_back(co_await done.next());
    co_return order;
  };
  CHECK(f.run(main()) == std::vector<int>{1, 2, 3});
}

TEST_CASE("gather propagates the first failure at once, return_exceptions collects them",
          "[gather]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  auto main = [&]() -> Task<void> {
    std::vector<Task<void>> tasks;
    tasks.push_back(sleeper(log, 2.0));
    tasks.push_back([]() -> Task<void> {
      co_await asyncio::sleep(0.01);
      throw std::runtime_error("milk curdled");
    }());
    CHECK_THROWS_WITH(co_await asyncio::gather(std::move(tasks)), "milk curdled");
    // The failure arrived before the slow sibling finished, not after it.
    CHECK(log.empty());

    std::vector<Task<int>> more;
    more.push_back(after(0.01, 1));
    more.push_back(fail_after(0.02, "no sugar"));
    auto results = co_await asyncio::gather(std::move(more), asyncio::return_exceptions);
    REQUIRE(results.size() == 2);
    CHECK(std::get<0>(results[0]) == 1);
    CHECK_THROWS_WITH(std::rethrow_exception(std::get<1>(results[1])), "no sugar");
  };
  f.run(main());
}

TEST_CASE("a failing child of gather lets its siblings run on, as asyncio's does", "[gather]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  auto main = [&]() -> Task<void> {
    std::vector<Task<void>> tasks;
    tasks.push_back(sleeper(log, 0.3));
    tasks.push_back(sleeper(log, 0.3));
    tasks.push_back([]() -> Task<void> {
      co_await asyncio::sleep(0);
      throw std::runtime_error("milk curdled");
    }());
    CHECK_THROWS_WITH(co_await asyncio::gather(std::move(tasks)), "milk curdled");
    CHECK(log.empty());
    co_await asyncio::sleep(0.6);  // past the siblings' sleeps: nobody cancelled them
  };
  f.run(main());
  CHECK(log == std::vector<std::string>{"done", "done"});
}

TEST_CASE("cancelling a gather cancels every child it is still waiting for", "[gather][cancel]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  auto main = [&]() -> Task<bool> {
    std::vector<Task<void>> tasks;
    tasks.push_back(sleeper(log, 0));
    tasks.push_back(sleeper(log, 30));
    tasks.push_back(sleeper(log, 30));
    auto brews = asyncio::EventLoop::current().create_task(asyncio::gather(std::move(tasks)));
    // Until the quick child is done: the gather is then waiting on the other two.
    while (log.empty()) co_await asyncio::sleep(0.001);
    CHECK(brews.cancel());
    bool raised = false;
    try {
      co_await brews;
    } catch (const asyncio::CancelledError&) {
      raised = true;
    }
    co_await asyncio::sleep(0);  // the children see their cancellation
    co_return raised&& brews.cancelled();
  };
  CHECK(f.run(main()));
  CHECK(log == std::vector<std::string>{"done", "cancelled, cleaned up", "cancelled, cleaned up"});
}

TEST_CASE("an exception nobody retrieved is reported, as asyncio does", "[task]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<void> {
    static_cast<void>(asyncio::EventLoop::current().create_task(fail_after(0, "lost teabag")));
    co_await asyncio::sleep(0.01);
  };
  f.run(main());
  const auto lines = f.recorder.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == "Task exception was never retrieved: task 1: lost teabag");
  CHECK(f.recorder.lane_name(lines[0].lane) == "asyncio");
}
