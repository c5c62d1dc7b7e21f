"""Guides 3.1 and 5 as samovar runs them (gil): CPU-bound work (counting primes by trial
division) one task after another, on threads under CPython's own GIL, and in processes. The
GIL-off row needs a free-threaded interpreter: this program says when it has none."""

import os
import statistics
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from samovar_request import DeadlineExceeded, fixed, integer, main


def count_primes_between(start, stop):
    count = 0
    for n in range(max(start, 2), stop):
        d = 2
        prime = True
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        count += prime
    return count


def primes_below(limit, deadline=None):
    count = 0
    for start in range(0, limit, 10_000):
        count += count_primes_between(start, min(start + 10_000, limit))
        if deadline is not None and time.monotonic() > deadline:
            raise DeadlineExceeded("the run passed its deadline")
    return count


def gil_enabled():
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else is_enabled()


def on_threads(threads, limit, deadline):
    results = [None] * threads
    start = threading.Barrier(threads + 1)

    def task(i):
        start.wait(deadline - time.monotonic())
        results[i] = primes_below(limit, deadline)

    workers = [threading.Thread(target=task, args=(i,), name=f"Thread-{i + 1}")
               for i in range(threads)]
    for t in workers:
        t.start()
    start.wait(deadline - time.monotonic())
    began = time.perf_counter()
    for t in workers:
        t.join(max(0.0, deadline - time.monotonic()))
        if t.is_alive():
            raise DeadlineExceeded("a thread was still counting at the deadline")
    return time.perf_counter() - began, results


def body(run):
    r = run.request
    threads, limit, rounds = r["threads"], r["work"], r["rounds"]
    deadline = time.monotonic() + r.time_left()
    n_processes = min(threads, os.cpu_count() or 1)
    pool = ProcessPoolExecutor(n_processes)
    pool.submit(int).result(r.time_left())  # up before any clock starts, as samovar's pool
    sequential, on, processes, results = [], [], [], []
    try:
        for _ in range(rounds):
            began = time.perf_counter()
            results.append([primes_below(limit, deadline) for _ in range(threads)])
            sequential.append(time.perf_counter() - began)
            seconds, counted = on_threads(threads, limit, deadline)
            on.append(seconds)
            results.append(counted)
            began = time.perf_counter()
            results.append(list(pool.map(primes_below, [limit] * threads,
                                         timeout=max(0.0, deadline - time.monotonic()))))
            processes.append(time.perf_counter() - began)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    tasks = f"{threads} task" + ("" if threads == 1 else "s")
    of_rounds = "" if rounds == 1 else f" (median of {rounds} rounds)"
    sequential_s, on_s = statistics.median(sequential), statistics.median(on)
    processes_s = statistics.median(processes)
    gil = "on" if gil_enabled() else "off"
    run.print(f"Each task counts the primes below {limit}: {results[0][0]}")
    run.print(f"Sequential: {tasks} in {fixed(sequential_s, 3)} s{of_rounds}", stable=False)
    if gil == "on":
        run.print(f"{threads} threads, GIL off: not in this interpreter (its GIL is on)",
                  stable=False)
    run.print(f"{threads} threads, GIL {gil}: {fixed(on_s, 3)} s, {fixed(sequential_s / on_s, 2)}x",
              stable=False)
    run.print(f"{n_processes} processes: {fixed(processes_s, 3)} s, "
              f"{fixed(sequential_s / processes_s, 2)}x", stable=False)
    run.end_program()
    run.metric("rounds", rounds)
    run.metric("sequential_s", sequential_s)
    run.metric("processes_s", processes_s)
    run.metric("speedup_processes", sequential_s / processes_s)
    run.metric(f"gil_{gil}_s", on_s)
    run.metric(f"speedup_gil_{gil}", sequential_s / on_s)
    run.check("same_results", all(rs == results[0] for rs in results))
    if gil == "on":
        run.notes.append("gil_off_s: this interpreter is not free-threaded")


if __name__ == "__main__":
    main("gil", ["threading"],
         [integer("threads", 2, 1, 16), integer("work", 1_000_000, 1000, 20_000_000),
          integer("rounds", 3, 1, 20)], body)
