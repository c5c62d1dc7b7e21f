"""Guide 8.2 and Table 3 as samovar runs them (scale): what a coroutine, a thread or a process
costs CPython to start and to keep waiting, and with sweep_to the same as their number grows."""

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from samovar_request import (BadRequest, DeadlineExceeded, fixed, integer, main, number,
                             run_asyncio)

# samovar's own caps on sweep_to, so that both sides sweep the same steps: threads waiting at
# once, and the worker processes its native target runs at once (platform::process::max_workers).
MAX_THREADS = 1000
MAX_WORKERS = 64
PAGE_SIZE = os.sysconf("SC_PAGESIZE")
MEMORY_WHAT = "resident memory of the process and its children"


def resident(pid):
    """Resident bytes of one process (/proc/PID/statm, second field); 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def parent_of(pid):
    """The parent's pid from /proc/PID/stat, read after the last ')' (a command may hold one)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read(512)
        return int(stat[stat.rindex(b")") + 1:].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def memory_in_use():
    """This process and its children (a pool's workers), as samovar's native side reads it."""
    me = os.getpid()
    return resident("self") + sum(resident(pid) for pid in os.listdir("/proc")
                                  if pid[0] in "123456789" and parent_of(pid) == me)


class Sleeps:
    """How many units sleep at once, at most: samovar's peak overlap of its sleep spans."""

    def __init__(self):
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def enter(self):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self):
        with self.lock:
            self.now -= 1


async def gather_naps(tasks, seconds, sleeps, held):
    async def nap():
        sleeps.enter()
        await asyncio.sleep(seconds)
        sleeps.leave()
        held["finished"] += 1

    # Scheduled after every nap, so its one step runs when each of them has gone to sleep.
    async def observe():
        held["asleep"] = memory_in_use()

    held["before"] = memory_in_use()
    naps = asyncio.gather(*(nap() for _ in range(tasks)))
    watcher = asyncio.get_running_loop().create_task(observe())
    await naps
    await watcher


async def switches(n):
    for _ in range(n):
        await asyncio.sleep(0)


def point(unit, n, wall, seconds, before, held, units=None):
    units = max(1, n if units is None else units)
    return {"unit": unit, "n": n, "wall_s": wall, "us_per_unit": (wall - seconds) * 1e6 / units,
            "bytes_per_unit": (held - before) / units}


def coroutines_waiting(run, n, seconds, sleeps):
    held = {"finished": 0}
    start = time.perf_counter()
    run_asyncio(run, gather_naps(n, seconds, sleeps, held))
    wall = time.perf_counter() - start
    return point("coroutines", n, wall, seconds, held["before"], held["asleep"]), None


def nap_in_thread(run, seconds, sleeps):
    sleeps.enter()
    time.sleep(min(seconds, run.request.time_left()))
    sleeps.leave()


def threads_waiting(run, n, seconds, sleeps):
    """n threads in time.sleep at once. A thread that cannot start ends the sweep, said so."""
    threads, limit = [], None
    before = memory_in_use()
    start = time.perf_counter()
    held = before
    try:
        for i in range(n):
            threads.append(threading.Thread(target=nap_in_thread, args=(run, seconds, sleeps),
                                            name=f"Thread-{i + 1}"))
            threads[-1].start()
        held = memory_in_use()
    except RuntimeError as e:  # "can't start new thread"
        limit = f"thread {len(threads)} of {n} could not start: {e}"
        threads.pop()
    for t in threads:
        t.join(run.request.time_left())
        if t.is_alive():
            raise DeadlineExceeded("a thread was still asleep at the deadline")
    wall = time.perf_counter() - start
    return point("threads", len(threads), wall, seconds, before, held), limit


def nap(seconds):
    if seconds > 0:
        time.sleep(seconds)
    return seconds


def stop(pool):
    """A failed run's pool: its workers killed, not waited for (their naps may outlast the
    deadline, and the program ends with os._exit, which would leave them waiting for calls)."""
    for process in list((pool._processes or {}).values()):  # no public kill before 3.14
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def result(run, future):
    """A pool's answer, waited for no longer than the deadline."""
    try:
        return future.result(timeout=run.request.time_left())
    except FutureTimeout:
        raise DeadlineExceeded("a pool's worker had not answered at the deadline") from None


def processes_waiting(run, n, seconds, _sleeps):
    """n worker processes started, each in time.sleep at once; the pool's end is timed too."""
    before = memory_in_use()
    start = time.perf_counter()
    pool = ProcessPoolExecutor(n)
    try:
        calls = [pool.submit(nap, seconds) for _ in range(n)]
        held = memory_in_use()
        for call in calls:
            result(run, call)
    except BaseException:
        stop(pool)
        raise
    pool.shutdown()
    wall = time.perf_counter() - start
    return point("processes", n, wall, seconds, before, held), None


def run_sweep(run, up_to):
    r = run.request
    seconds = r.seconds(r["delay"])
    first, factor = (1, 2) if r.model == "multiprocessing" else (10, 10)
    step = {"threading": threads_waiting,
            "multiprocessing": processes_waiting}.get(r.model, coroutines_waiting)
    sleeps = Sleeps()
    points, limit = [], None
    n = min(first, up_to)
    while True:
        p, limit = step(run, n, seconds, sleeps)
        # As samovar's: a passed deadline is the run's error, even if the step got to its end
        # (its threads' sleeps were cut short at the deadline).
        if r.time_left() <= 0:
            raise DeadlineExceeded()
        run.print(f"{p['n']} {p['unit']} waiting at once: {fixed(p['wall_s'], 3)} s, "
                  f"{fixed(p['us_per_unit'], 2)} us and {fixed(p['bytes_per_unit'], 0)} "
                  "bytes each", stable=False)
        points.append(p)
        if limit or n >= up_to:
            break
        n = min(n * factor, up_to)
    run.end_program()
    run.sweep = {"points": points, "memory": MEMORY_WHAT}
    if limit:
        run.sweep["limit"] = limit
    largest = points[-1]["n"]
    run.metric("sweep_largest", largest)
    if r.model == "multiprocessing":
        run.notes.append(f"worker processes start by {multiprocessing.get_start_method()}")
    else:
        run.check("all_units_waited_at_once", sleeps.peak >= largest)


def run_coroutines(run):
    r = run.request
    tasks, n_switches, seconds = r["tasks"], r["switches"], r.seconds(r["delay"])
    held = {"finished": 0}
    start = time.perf_counter()
    run_asyncio(run, gather_naps(tasks, seconds, Sleeps(), held))
    wall = time.perf_counter() - start
    overhead_us = (wall - seconds) * 1e6 / tasks
    per_task = (held["asleep"] - held["before"]) / tasks
    run.print(f"{tasks} tasks gathered, each sleeping {fixed(seconds, 3)} s: "
              f"{fixed(overhead_us, 3)} us and {fixed(per_task, 0)} bytes per task", stable=False)
    switch_start = time.perf_counter()
    run_asyncio(run, switches(n_switches))
    switch_ns = (time.perf_counter() - switch_start) * 1e9 / max(1, n_switches)
    run.print(f"{n_switches} suspend/resume through the loop (sleep(0)): {fixed(switch_ns, 1)} "
              "ns each", stable=False)
    run.end_program()
    run.metric("tasks", tasks)
    run.metric("overhead_us_per_task", overhead_us)
    run.metric("bytes_per_task", per_task)
    run.metric("switch_ns", switch_ns)
    run.check("all_tasks_finished", held["finished"] == tasks)
    run.notes.append("bytes_per_task: " + MEMORY_WHAT + " (samovar's: its heap in use)")


def run_threading(run):
    r = run.request
    calls, pairs = r["tasks"], r["switches"]
    with ThreadPoolExecutor(1) as pool:
        result(run, pool.submit(lambda: None))  # the worker exists before timing starts
        start = time.perf_counter()
        for _ in range(calls):
            result(run, pool.submit(lambda: None))
        round_trip_us = (time.perf_counter() - start) * 1e6 / calls
    run.print(f"{calls} calls through a ThreadPoolExecutor, one at a time: "
              f"{fixed(round_trip_us, 2)} us each, submit to result", stable=False)

    lock = threading.Lock()
    start = time.perf_counter()
    for _ in range(pairs):
        lock.acquire()
        lock.release()
    lock_ns = (time.perf_counter() - start) * 1e9 / pairs
    run.print(f"{pairs} uncontended Lock acquire and release: {fixed(lock_ns, 1)} ns each",
              stable=False)

    threads = 100
    start = time.perf_counter()
    for _ in range(threads):
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join(r.time_left())
    thread_us = (time.perf_counter() - start) * 1e6 / threads
    run.print(f"{threads} threads started and joined: {fixed(thread_us, 1)} us each", stable=False)
    run.end_program()
    run.metric("pool_round_trip_us", round_trip_us)
    run.metric("lock_acquire_release_ns", lock_ns)
    run.metric("thread_start_join_us", thread_us)
    run.check("lock_free_at_end", not lock.locked())


def run_processes(run):
    calls = run.request["tasks"]
    start = time.perf_counter()
    pool = ProcessPoolExecutor(1)
    try:
        result(run, pool.submit(nap, 0))  # up before timing the calls
        start_ms = (time.perf_counter() - start) * 1e3
        calls_start = time.perf_counter()
        for _ in range(calls):
            result(run, pool.submit(nap, 0))
        round_trip_us = (time.perf_counter() - calls_start) * 1e6 / calls
    except BaseException:
        stop(pool)
        raise
    pool.shutdown()
    run.print(f"a worker process started and answered its first call: {fixed(start_ms, 1)} ms",
              stable=False)
    run.print(f"{calls} calls through a ProcessPoolExecutor, one at a time: "
              f"{fixed(round_trip_us, 1)} us each, submit to result", stable=False)
    run.end_program()
    run.metric("process_start_ms", start_ms)
    run.metric("process_round_trip_us", round_trip_us)
    run.notes.append(f"worker processes start by {multiprocessing.get_start_method()}")


def body(run):
    r = run.request
    up_to = r["sweep_to"]
    cap = {"threading": (MAX_THREADS, "threads waiting at once"),
           "multiprocessing": (MAX_WORKERS, "worker processes this target can run at once")}
    if r.model in cap and up_to > cap[r.model][0]:
        raise BadRequest("params.sweep_to", f"{up_to} is more than this target allows: at most "
                         f"{cap[r.model][0]} {cap[r.model][1]}")
    if up_to > 0:
        return run_sweep(run, up_to)
    if r.model == "threading":
        return run_threading(run)
    if r.model == "multiprocessing":
        return run_processes(run)
    return run_coroutines(run)


if __name__ == "__main__":
    main("scale", ["asyncio", "threading", "multiprocessing"],
         [integer("tasks", 100_000, 1, 1_000_000), number("delay", 1.0, 0, 60),
          integer("switches", 1_000_000, 1, 100_000_000),
          integer("sweep_to", 0, 0, 1_000_000)], body)
