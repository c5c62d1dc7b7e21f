// The threading model's primitives on real threads. Interleavings are scripted with events and
// barriers; workers only record what happened, and every assertion is made on the test thread
// once they are joined. Each wait is bounded by the fixture's run deadline.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "engine/contract/deadline.hpp"
#include "engine/threading/barrier.hpp"
#include "engine/threading/condition.hpp"
#include "engine/threading/event.hpp"
#include "engine/threading/gil.hpp"
#include "engine/threading/lock.hpp"
#include "engine/threading/queue.hpp"
#include "engine/threading/semaphore.hpp"
#include "engine/threading/thread.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using testing::ThreadsFixture;

namespace {

// Starts one Thread per body, all released together from one barrier, and joins them.
void run_together(threading::Runtime& rt, const std::vector<std::function<void()>>& bodies) {
  threading::Barrier start(rt, bodies.size() + 1, "start");
  std::vector<threading::Thread> threads;
  threads.reserve(bodies.size());
  for (std::size_t i = 0; i < bodies.size(); ++i)
    threads.emplace_back(
        "Thread-" + std::to_string(i + 1),
        [&, i] {
          start.wait();
          bodies[i]();
        },
        rt);
  for (auto& t : threads) t.start();
  start.wait();
  for (auto& t : threads) t.join();
  for (auto& t : threads)
    if (t.exception()) std::rethrow_exception(t.exception());
}

// Polls `done` (a state the test cannot be told about, such as "that thread is now blocked")
// until it holds; false at the fixture's deadline.
bool eventually(const std::function<bool()>& done) {
  const auto give_up = platform::now() + platform::to_nanos(ThreadsFixture::kDeadlineS);
  while (!done()) {
    if (platform::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

std::string error_of(const threading::Thread& t) {
  if (!t.exception()) return "";
  try {
    std::rethrow_exception(t.exception());
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("Lock: one holder at a time, whatever the number of threads", "[threading][lock]") {
  for (int n : {1, 2, 3, 8}) {
    ThreadsFixture f;
    threading::Lock lock(f.rt, "lock");
    long long counter = 0;  // plain: the Lock alone orders the threads (TSan checks that)
    std::vector<std::function<void()>> bodies(static_cast<std::size_t>(n), [&] {
      for (int i = 0; i < 500; ++i) {
        std::lock_guard held(lock);
        ++counter;
      }
    });
    run_together(f.rt, bodies);
    CHECK(counter == 500LL * n);
    CHECK_FALSE(lock.locked());
    // The lock's lane: holds never overlap.
    auto holds = f.spans("lock", "held");
    CHECK(holds.size() == 500u * static_cast<std::size_t>(n));
    std::sort(holds.begin(), holds.end(), [](auto& a, auto& b) { return a.start_s < b.start_s; });
    for (std::size_t i = 1; i < holds.size(); ++i) CHECK(holds[i].start_s >= holds[i - 1].end_s);
  }
}

TEST_CASE("Lock: a wait names the lock and its holder, and can time out", "[threading][lock]") {
  ThreadsFixture f;
  threading::Lock lock(f.rt, "lock_a");
  threading::Event taken(f.rt), done(f.rt);
  threading::Thread holder(
      "holder",
      [&] {
        std::lock_guard held(lock);
        taken.set();
        done.wait();
      },
      f.rt);
  holder.start();
  REQUIRE(taken.wait(ThreadsFixture::kDeadlineS));
  const bool non_blocking = lock.acquire(false);
  const bool timed = lock.acquire(true, 0.02);
  done.set();
  holder.join();
  const bool after = lock.acquire(true, ThreadsFixture::kDeadlineS);
  lock.release();

  CHECK_FALSE(non_blocking);
  CHECK_FALSE(timed);
  CHECK(after);
  const auto waits = f.spans("main", "acquire");
  REQUIRE(waits.size() >= 1);
  const auto lanes = f.recorder.lanes();
  CHECK(waits.front().state == trace::State::blocked);
  CHECK(lanes[waits.front().object] == "lock_a");
  CHECK(lanes[waits.front().holder] == "holder");
  CHECK(waits.front().end_s - waits.front().start_s >= 0.015);
  CHECK_THROWS_AS(lock.release(), std::logic_error);
}

TEST_CASE("RLock: its owner re-enters, others wait until the last release", "[threading][rlock]") {
  ThreadsFixture f;
  threading::RLock rlock(f.rt);
  threading::Event held_thrice(f.rt), tried(f.rt), released_twice(f.rt), tried_again(f.rt),
      released(f.rt);
  std::vector<bool> other_got;  // what the other thread managed, in order
  std::size_t depth = 0;
  threading::Thread owner(
      "owner",
      [&] {
        for (int i = 0; i < 3; ++i) rlock.acquire();
        depth = rlock.count();
        held_thrice.set();
        tried.wait();
        rlock.release();
        rlock.release();
        released_twice.set();
        tried_again.wait();
        rlock.release();
        released.set();
      },
      f.rt);
  threading::Thread other(
      "other",
      [&] {
        held_thrice.wait();
        other_got.push_back(rlock.acquire(false));
        tried.set();
        released_twice.wait();
        other_got.push_back(rlock.acquire(false));
        tried_again.set();
        released.wait();
        other_got.push_back(rlock.acquire(false));
        rlock.release();
      },
      f.rt);
  owner.start();
  other.start();
  owner.join();
  other.join();
  CHECK(error_of(owner).empty());
  CHECK(error_of(other).empty());
  CHECK(depth == 3);
  CHECK(other_got == std::vector<bool>{false, false, true});
  CHECK_THROWS_AS(rlock.release(), std::logic_error);  // the test thread never held it
}

TEST_CASE("Condition: notify wakes the longest waiting, notify_all the rest, wait can time out",
          "[threading][condition]") {
  ThreadsFixture f;
  threading::Condition cond(f.rt);
  int waiting = 0;
  int tokens = 0;
  std::vector<int> woken;
  std::vector<threading::Thread> waiters;
  waiters.reserve(3);
  for (int i = 0; i < 3; ++i)
    waiters.emplace_back(
        "waiter " + std::to_string(i),
        [&, i] {
          std::lock_guard held(cond);
          ++waiting;
          cond.wait_for([&] { return tokens > 0; });
          --tokens;
          woken.push_back(i);
        },
        f.rt);
  // One at a time, so that the waiters queue up in a known order.
  for (auto& w : waiters) {
    const int before = waiting;
    w.start();
    REQUIRE(eventually([&] {
      std::lock_guard held(cond);
      return waiting == before + 1;
    }));
  }
  {
    std::lock_guard held(cond);
    tokens = 1;
    cond.notify();
  }
  REQUIRE(eventually([&] {
    std::lock_guard held(cond);
    return woken.size() == 1;
  }));
  {
    std::lock_guard held(cond);
    tokens = 2;
    cond.notify_all();
  }
  for (auto& w : waiters) w.join();
  CHECK(woken.size() == 3);
  CHECK(woken.front() == 0);

  std::lock_guard held(cond);
  CHECK_FALSE(cond.wait(0.01));
  CHECK_THROWS_AS(threading::Condition(f.rt).notify(), std::logic_error);
}

TEST_CASE("Event: wait times out, set wakes every waiter", "[threading][event]") {
  ThreadsFixture f;
  threading::Event ready(f.rt);
  CHECK_FALSE(ready.wait(0.01));
  std::atomic<int> woke{0};
  std::vector<std::function<void()>> bodies(3, [&] {
    if (ready.wait()) ++woke;
  });
  bodies.push_back([&] { ready.set(); });
  run_together(f.rt, bodies);
  CHECK(woke == 3);
  CHECK(ready.is_set());
}

TEST_CASE("Semaphore: never more holders than permits", "[threading][semaphore]") {
  for (int n : {1, 2, 3, 8}) {
    ThreadsFixture f;
    threading::Semaphore permits(f.rt, 2);
    std::atomic<int> inside{0}, peak{0};
    std::vector<std::function<void()>> bodies(static_cast<std::size_t>(n), [&] {
      for (int i = 0; i < 200; ++i) {
        std::lock_guard held(permits);
        const int now = ++inside;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        --inside;
      }
    });
    run_together(f.rt, bodies);
    CHECK(peak <= 2);
    CHECK(permits.value() == 2);
  }
}

TEST_CASE("queue.Queue: put and get time out, and the nowait forms do not wait",
          "[threading][queue]") {
  ThreadsFixture f;
  queue::Queue<int> q(f.rt, 1);
  CHECK_THROWS_AS(q.get(true, 0.01), queue::Empty);
  CHECK_THROWS_AS(q.get_nowait(), queue::Empty);
  q.put(1);
  CHECK(q.full());
  CHECK_THROWS_AS(q.put(2, true, 0.01), queue::Full);
  CHECK_THROWS_AS(q.put_nowait(2), queue::Full);
  CHECK(q.get() == 1);
  const auto gets = f.spans("main", "get");
  REQUIRE(gets.size() == 1);
  CHECK(f.recorder.lanes()[gets.front().object] == "queue");
}

TEST_CASE("queue.Queue: every item reaches exactly one consumer, and a bounded queue stays bounded",
          "[threading][queue]") {
  for (int n : {1, 2, 3, 8}) {
    ThreadsFixture f;
    queue::Queue<std::optional<int>> q(f.rt, 2);
    constexpr int kPerProducer = 100;
    std::mutex seen_mutex;
    std::vector<int> seen(static_cast<std::size_t>(n * kPerProducer), 0);
    std::vector<std::function<void()>> bodies;
    for (int p = 0; p < n; ++p)
      bodies.push_back([&, p] {
        for (int i = 0; i < kPerProducer; ++i) q.put(p * kPerProducer + i);
        q.put(std::nullopt);  // one stop per consumer
      });
    for (int c = 0; c < n; ++c)
      bodies.push_back([&] {
        while (auto item = q.get()) {
          std::lock_guard held(seen_mutex);
          ++seen[static_cast<std::size_t>(*item)];
        }
      });
    run_together(f.rt, bodies);
    CHECK(std::all_of(seen.begin(), seen.end(), [](int times) { return times == 1; }));
    CHECK(q.peak_size() <= 2);
    CHECK(q.empty());
  }
}

TEST_CASE("deadlock: a two-lock cycle is found, reported whole, and both waits fail",
          "[threading][deadlock]") {
  ThreadsFixture f({.deadlock_check_s = 0.05});
  threading::Lock lock_a(f.rt, "lock_a"), lock_b(f.rt, "lock_b");
  threading::Barrier both_hold(f.rt, 2);
  std::vector<threading::Thread> tasks;
  tasks.reserve(2);
  tasks.emplace_back(
      "Task 1",
      [&] {
        std::lock_guard a(lock_a);
        both_hold.wait();
        std::lock_guard b(lock_b);
      },
      f.rt);
  tasks.emplace_back(
      "Task 2",
      [&] {
        std::lock_guard b(lock_b);
        both_hold.wait();
        std::lock_guard a(lock_a);
      },
      f.rt);
  for (auto& t : tasks) t.start();
  for (auto& t : tasks) t.join();

  const std::string cycle =
      "Task 1 holds lock_a and waits for lock_b; Task 2 holds lock_b and waits for lock_a";
  CHECK(error_of(tasks[0]) == cycle);
  CHECK(error_of(tasks[1]) == cycle);
  const auto found = f.rt.deadlock_found();
  REQUIRE(found);
  CHECK(found->cycle == cycle);
  // Found when the last wait of the cycle had lasted the check interval, and soon after.
  CHECK(found->latency_s >= 0.05);
  CHECK(found->latency_s <= 0.05 + 1.0);
  CHECK_FALSE(lock_a.locked());
  CHECK_FALSE(lock_b.locked());
  // Each lane marks its part of the cycle: what it waited for, and who held it.
  const auto lanes = f.recorder.lanes();
  for (const auto& [who, wanted, holder] :
       {std::tuple{"Task 1", "lock_b", "Task 2"}, std::tuple{"Task 2", "lock_a", "Task 1"}}) {
    const auto marks = f.spans(who, "deadlock");
    REQUIRE(marks.size() == 1);
    CHECK(lanes[marks.front().object] == wanted);
    CHECK(lanes[marks.front().holder] == holder);
  }
}

TEST_CASE("deadlock: a three-lock cycle is found and reported whole", "[threading][deadlock]") {
  ThreadsFixture f({.deadlock_check_s = 0.05});
  threading::Lock a(f.rt, "a"), b(f.rt, "b"), c(f.rt, "c");
  threading::Barrier all_hold(f.rt, 3);
  auto take = [&](threading::Lock& first, threading::Lock& second) {
    return [&] {
      std::lock_guard one(first);
      all_hold.wait();
      std::lock_guard two(second);
    };
  };
  std::vector<threading::Thread> threads;
  threads.reserve(3);
  threads.emplace_back("T1", take(a, b), f.rt);
  threads.emplace_back("T2", take(b, c), f.rt);
  threads.emplace_back("T3", take(c, a), f.rt);
  for (auto& t : threads) t.start();
  for (auto& t : threads) t.join();
  const std::string cycle =
      "T1 holds a and waits for b; T2 holds b and waits for c; T3 holds c and waits for a";
  for (auto& t : threads) CHECK(error_of(t) == cycle);
}

TEST_CASE("deadlock: a thread that takes its own Lock twice is a cycle of one",
          "[threading][deadlock]") {
  ThreadsFixture f({.deadlock_check_s = 0.02});
  threading::Lock lock(f.rt, "lock");
  threading::Thread t(
      "Thread-1",
      [&] {
        std::lock_guard once(lock);
        std::lock_guard twice(lock);
      },
      f.rt);
  t.start();
  t.join();
  CHECK(error_of(t) == "Thread-1 holds lock and waits for lock");
}

TEST_CASE("deadlock: no false alarm for a long wait that is not a cycle, or a cycle with a timeout",
          "[threading][deadlock]") {
  SECTION("a chain that ends in an event") {
    ThreadsFixture f({.deadlock_check_s = 0.01});
    threading::Lock lock_a(f.rt, "lock_a");
    threading::Event go(f.rt), holding(f.rt);
    // Task 2 holds lock_a and waits for an event; Task 1 waits for lock_a: a chain, not a cycle.
    threading::Thread task2(
        "Task 2",
        [&] {
          std::lock_guard a(lock_a);
          holding.set();
          go.wait();
        },
        f.rt);
    threading::Thread task1(
        "Task 1",
        [&] {
          holding.wait();
          std::lock_guard a(lock_a);
        },
        f.rt);
    task2.start();
    task1.start();
    REQUIRE(eventually([&] { return f.rt.deadlock_checks() >= 3; }));
    go.set();
    task2.join();
    task1.join();
    CHECK(error_of(task1).empty());
    CHECK(error_of(task2).empty());
    CHECK_FALSE(f.rt.deadlock_found());
  }
  SECTION("a cycle one of whose waits gives up by itself") {
    ThreadsFixture f({.deadlock_check_s = 0.01});
    threading::Lock lock_a(f.rt, "lock_a"), lock_b(f.rt, "lock_b");
    threading::Barrier both_hold(f.rt, 2);
    bool task1_got_b = true;
    threading::Thread task1(
        "Task 1",
        [&] {
          std::lock_guard a(lock_a);
          both_hold.wait();
          task1_got_b = lock_b.acquire(true, 0.2);  // it backs off rather than wait for ever
          if (task1_got_b) lock_b.release();
        },
        f.rt);
    threading::Thread task2(
        "Task 2",
        [&] {
          std::lock_guard b(lock_b);
          both_hold.wait();
          std::lock_guard a(lock_a);
        },
        f.rt);
    task1.start();
    task2.start();
    task1.join();
    task2.join();
    CHECK_FALSE(task1_got_b);
    CHECK(error_of(task2).empty());
    CHECK(f.rt.deadlock_checks() >= 1);
    CHECK_FALSE(f.rt.deadlock_found());
  }
}

TEST_CASE("daemon threads stop at their wait when the program ends, others are waited for",
          "[threading][daemon]") {
  ThreadsFixture f;
  threading::Event never(f.rt, "never"), later(f.rt, "later");
  bool daemon_returned = false, worker_finished = false;
  threading::Thread daemon(
      "daemon",
      [&] {
        never.wait();
        daemon_returned = true;
      },
      f.rt, true);
  threading::Thread worker(
      "worker",
      [&] {
        later.wait();
        worker_finished = true;
      },
      f.rt);
  daemon.start();
  worker.start();
  f.rt.stop_daemons();
  daemon.join();
  later.set();
  worker.join();
  CHECK_FALSE(daemon_returned);
  CHECK(error_of(daemon).empty());  // stopped, not failed
  CHECK(worker_finished);
}

TEST_CASE("every wait ends at the run's deadline", "[threading][deadline]") {
  trace::Recorder recorder{trace::Level::spans, {}, platform::now()};
  threading::Runtime rt(
      recorder, {.deadline = platform::now() + platform::to_nanos(0.05), .deadline_s = 0.05});
  threading::Event never(rt);
  threading::Lock lock(rt);
  queue::Queue<int> q(rt);
  CHECK_THROWS_AS(never.wait(), contract::DeadlineExceeded);
  lock.acquire();
  CHECK_THROWS_AS(lock.acquire(),
                  contract::DeadlineExceeded);  // its own lock: only the deadline ends it
  CHECK_THROWS_AS(q.get(), contract::DeadlineExceeded);
}

TEST_CASE("an exception that ends a thread is kept for whoever joins it", "[threading][thread]") {
  ThreadsFixture f;
  threading::Thread t(
      "Thread-1", [] { throw std::runtime_error("the milk boiled over"); }, f.rt);
  t.start();
  t.join();
  CHECK(error_of(t) == "the milk boiled over");
}

TEST_CASE("GIL: one holder at a time, handed over at checkpoints every switch interval",
          "[threading][gil]") {
  constexpr double kInterval = 0.001;
  for (int n : {2, 3, 8}) {
    ThreadsFixture f({.gil = true, .switch_interval_s = kInterval});
    auto* gil = f.rt.gil();
    REQUIRE(gil != nullptr);
    const std::uint64_t wanted = 10u * static_cast<std::uint64_t>(n);
    std::vector<std::function<void()>> bodies(static_cast<std::size_t>(n), [&] {
      // Python-level work until the GIL has changed hands often enough.
      while (gil->switches() < wanted) f.rt.checkpoint();
    });
    run_together(f.rt, bodies);
    CHECK(f.recorder.peak_overlap("GIL held") == 1);
    const auto holds = f.spans("GIL", "held");
    for (const auto& a : holds)
      for (const auto& b : holds)
        if (&a != &b) CHECK_FALSE(testing::overlap(a, b));
    // A holder in Python-level work lets go only when a waiter has waited a whole interval.
    // The short holds are the ones that ended otherwise: each thread's at its start barrier
    // and at its end, and the test thread's.
    const auto short_holds = std::count_if(holds.begin(), holds.end(), [](const auto& hold) {
      return hold.end_s - hold.start_s < kInterval * 0.9;
    });
    INFO(n << " threads: " << holds.size() << " holds, " << short_holds << " shorter than the "
           << "switch interval");
    CHECK(holds.size() >= wanted - 1);
    CHECK(short_holds <= 2 * (n + 1));
  }
}

TEST_CASE("GIL: a thread alone keeps it, however long it runs", "[threading][gil]") {
  constexpr double kInterval = 0.001;
  ThreadsFixture f({.gil = true, .switch_interval_s = kInterval});
  auto* gil = f.rt.gil();
  REQUIRE(gil != nullptr);
  std::uint64_t at_start = 0, at_end = 0;
  threading::Thread alone(
      "alone",
      [&] {
        at_start = gil->switches();
        // Fifty switch intervals of Python-level work with nobody asking for the GIL.
        const auto until = platform::now() + platform::to_nanos(50 * kInterval);
        while (platform::now() < until) f.rt.checkpoint();
        at_end = gil->switches();
      },
      f.rt);
  alone.start();
  alone.join();
  CHECK(error_of(alone).empty());
  CHECK(at_end == at_start);
  CHECK(at_start <= 1);  // the one take at its start, if the test thread did not hold it
}

TEST_CASE("GIL: a blocking wait lets it go, so the thread that can wake it gets to run",
          "[threading][gil]") {
  ThreadsFixture f({.gil = true});
  threading::Event ready(f.rt);
  bool woke = false;
  threading::Thread waiter(
      "waiter", [&] { woke = ready.wait(); }, f.rt);
  threading::Thread setter(
      "setter",
      [&] {
        f.rt.checkpoint();
        ready.set();
      },
      f.rt);
  waiter.start();  // it holds the GIL from its start until its wait
  setter.start();
  waiter.join();
  setter.join();
  CHECK(woke);
  CHECK(error_of(waiter).empty());
  CHECK(error_of(setter).empty());
}

TEST_CASE("a daemon thread in Python-level work stops at its next checkpoint",
          "[threading][daemon]") {
  ThreadsFixture f;
  threading::Event working(f.rt);
  threading::Thread spinner(
      "daemon",
      [&] {
        working.set();
        for (;;) f.rt.checkpoint();  // never waits: only the checkpoint can stop it
      },
      f.rt, true);
  spinner.start();
  REQUIRE(working.wait(ThreadsFixture::kDeadlineS));
  f.rt.stop_daemons();
  spinner.join();
  CHECK(error_of(spinner).empty());
}
