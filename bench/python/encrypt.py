"""Guide 4.1 as samovar runs it (encrypt): encrypt() in a ProcessPoolExecutor through
run_in_executor, each card hashed `work` rounds (FNV-1a, the same hash as samovar's, so the
results can be compared), then the same work in this process, round after round in turn."""

import asyncio
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from samovar_request import DeadlineExceeded, integer, main, run_asyncio

MASK = (1 << 64) - 1
PRIME = 0x100000001B3


def encrypt_card(data, rounds):
    h = 0xCBF29CE484222325
    raw = data.encode()
    for i in range(rounds):
        h ^= i
        for c in raw:
            h = ((h ^ c) * PRIME) & MASK
    return "    " + data[::-1], h


def encrypt(data, rounds):
    text, h = encrypt_card(data, rounds)
    return text, h, os.getpid()


def echo(data):
    return data


def card(i):
    return f"credit_card_{1234 + i}"


async def encrypt_all(pool, cards, rounds):
    loop = asyncio.get_running_loop()
    return await asyncio.gather(*(loop.run_in_executor(pool, encrypt, c, rounds) for c in cards))


def body(run):
    r = run.request
    items, work, workers, repeats = r["items"], r["work"], r["workers"], r["rounds"]
    cards = [card(i) for i in range(items)]
    start = time.perf_counter()
    pool = ProcessPoolExecutor(workers)  # with ProcessPoolExecutor() as pool:
    startup_s = time.perf_counter() - start
    try:
        pool_runs, sequential_runs, calls = [], [], {}
        expected = answers = None
        rounds_agree = True
        for round_ in range(repeats):
            began = time.perf_counter()
            there = run_asyncio(run, encrypt_all(pool, cards, work))
            pool_runs.append(time.perf_counter() - began)
            for _, _, pid in there:
                calls[pid] = calls.get(pid, 0) + 1
            began = time.perf_counter()
            here = []
            for c in cards:
                here.append(encrypt_card(c, work))
                if r.time_left() <= 0:
                    raise DeadlineExceeded("the run passed its deadline")
            sequential_runs.append(time.perf_counter() - began)
            there = [(t, h) for t, h, _ in there]
            if round_ == 0:
                expected, answers = here, there
            else:
                rounds_agree = rounds_agree and there == answers
        # The guide's program prints its one card; the others are encrypted and compared too.
        run.print(answers[0][0])  # print(result)
        trips = []
        for _ in range(500):
            sent = time.perf_counter()
            pool.submit(echo, cards[0]).result(r.time_left())
            trips.append((time.perf_counter() - sent) * 1e6)
    finally:
        pool.shutdown(wait=True)
    sequential_s, pool_s = statistics.median(sequential_runs), statistics.median(pool_runs)
    run.end_program()
    run.metric("rounds", repeats)
    run.metric("sequential_s", sequential_s)
    run.metric("pool_s", pool_s)
    run.metric("speedup", sequential_s / pool_s)
    run.metric("pool_startup_ms", startup_s * 1e3)
    run.metric("ipc_round_trip_us", statistics.median(trips))
    run.metric("ipc_round_trip_mean_us", statistics.fmean(trips))
    run.metric("workers_used", len(calls))
    run.check("results_equal_sequential", rounds_agree and answers == expected)
    run.check("ran_in_more_than_one_worker", len(calls) > 1)
    run.check("no_worker_left", not any(p.is_alive() for p in (pool._processes or {}).values()))
    run.notes.append("pool_startup_ms: CPython starts the pool's processes at its first call")


if __name__ == "__main__":
    main("encrypt", ["multiprocessing"],
         [integer("items", 4, 1, 1000), integer("work", 2_000_000, 0, 1_000_000_000),
          integer("workers", 2, 1, os.cpu_count() or 1), integer("rounds", 3, 1, 20)], body)
