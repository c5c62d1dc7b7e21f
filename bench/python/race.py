"""Guide 3.4 as samovar runs it (race): threads run `chai_stock += 1` at once, started together
from a barrier. CPython's GIL switches threads only between bytecodes at its switch interval, so
the unsynchronised total is often exact here where real C++ threads lose updates: the program
reports what happened. With processes each increments its own chai_stock, unless it is a shared
multiprocessing.Value."""

import itertools
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from samovar_request import BadRequest, DeadlineExceeded, choice, flag, integer, main

chai_stock = 0


def restock(increments, sync, lock, counter, start, timeout):
    global chai_stock
    start.wait(timeout)
    if sync == "none":
        for _ in range(increments):
            chai_stock += 1
    elif sync == "lock":
        for _ in range(increments):
            with lock:
                chai_stock += 1
    else:  # CPython has no atomic increment; next() on itertools.count is one step of C code
        for _ in range(increments):
            next(counter)


def with_threads(run, threads, increments, sync):
    global chai_stock
    chai_stock = 0
    lock, counter = threading.Lock(), itertools.count(1)
    start = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=restock, name=f"Thread-{i + 1}",
                                args=(increments, sync, lock, counter, start,
                                      run.request.time_left()))
               for i in range(threads)]
    for t in workers:
        t.start()
    start.wait(run.request.time_left())
    began = time.perf_counter()
    for t in workers:
        t.join(run.request.time_left())
        if t.is_alive():
            raise DeadlineExceeded("a thread was still counting at the deadline")
    seconds = time.perf_counter() - began
    actual = next(counter) - 1 if sync == "atomic" else chai_stock
    expected = threads * increments
    run.print(f"Chai stock: {actual}", stable=sync != "none")
    run.end_program()
    run.notes.append("CPython's own GIL is on, whatever params.gil says")
    run.metric("expected", expected)
    run.metric("actual", actual)
    run.metric("lost", expected - actual)
    run.metric("ns_per_increment", seconds * 1e9 / expected)
    run.check("exact", actual == expected)


def increment_global(increments):
    global chai_stock
    for _ in range(increments):
        chai_stock = chai_stock + 1
    return chai_stock


def increment_value(stock, start, increments, locked, timeout):
    start.wait(timeout)
    for _ in range(increments):
        if locked:
            with stock.get_lock():
                stock.value += 1
        else:
            stock.value += 1


def own_copies(run, processes, increments):
    with ProcessPoolExecutor(processes) as pool:
        answers = list(pool.map(increment_global, [increments] * processes,
                                timeout=run.request.time_left()))
    counted = all(a > 0 and a % increments == 0 for a in answers)
    run.print(f"Chai stock: {chai_stock}")
    run.end_program()
    run.metric("expected", processes * increments)
    run.metric("actual", chai_stock)
    run.metric("largest_count_in_a_process", max(answers))
    run.check("exact", chai_stock == processes * increments)
    run.check("each_process_counted_its_own", counted)
    run.check("parent_unchanged", chai_stock == 0)


def shared_value(run, processes, increments, locked):
    stock = multiprocessing.Value("i", 0)
    start = multiprocessing.Barrier(processes)
    workers = [multiprocessing.Process(target=increment_value,
                                       args=(stock, start, increments, locked,
                                             run.request.time_left()))
               for _ in range(processes)]
    began = time.perf_counter()
    for p in workers:
        p.start()
    for p in workers:
        p.join(run.request.time_left())
    if any(p.is_alive() for p in workers):
        for p in workers:
            p.kill()
        raise DeadlineExceeded("a process was still counting at the deadline")
    seconds = time.perf_counter() - began
    expected, actual = processes * increments, stock.value
    run.print(f"Chai stock: {actual}", stable=locked)
    run.end_program()
    run.metric("ns_per_increment", seconds * 1e9 / expected)
    run.metric("expected", expected)
    run.metric("actual", actual)
    run.metric("lost", expected - actual)
    run.check("exact", actual == expected)


def body(run):
    r = run.request
    if r.model == "threading":
        if r["value"]:
            raise_bad("params.value", "only with model multiprocessing")
        return with_threads(run, r["threads"], r["increments"], r["sync"])
    if r["gil"]:
        raise_bad("params.gil", "only with model threading")
    if r["sync"] == "atomic":
        raise_bad("params.sync", "with model multiprocessing, Python has no atomic increment; "
                  "allowed: none, lock")
    if r["value"]:
        shared_value(run, r["threads"], r["increments"], r["sync"] == "lock")
    else:
        own_copies(run, r["threads"], r["increments"])


def raise_bad(field, message):
    raise BadRequest(field, message)


if __name__ == "__main__":
    main("race", ["threading", "multiprocessing"],
         [integer("threads", 2, 1, 16), integer("increments", 100_000, 1, 10_000_000),
          choice("sync", "none", ["none", "lock", "atomic"]), flag("gil"), flag("value")], body)
