"""Guide 7.2 as samovar runs it (producer-consumer): producers brew cups onto a bounded queue,
consumers serve them; a full queue makes producers wait (back-pressure). queue.Queue between
threads, asyncio.Queue between tasks, multiprocessing.Queue between processes. The processes
print nothing: each sends back what it did and when (one clock for every process), and this
process prints each line in its place in time."""

import asyncio
import multiprocessing
import queue
import threading
import time

from samovar_request import (BadRequest, DeadlineExceeded, blocking_sleep, flag, integer, main,
                             number, run_asyncio)


class Tally:
    def __init__(self, cups):
        self.mutex = threading.Lock()
        self.consumed = [0] * cups
        self.full_waits = 0
        self.peak = 0

    def took(self, cup):
        with self.mutex:
            self.consumed[cup] += 1


def cup_name(items, cup):
    return f"cup {cup // items + 1}-{cup % items + 1}"


def with_threads(run, p, tally):
    cups = queue.Queue(p["maxsize"])
    left = run.request.time_left

    def producer(n):
        for i in range(p["items"]):
            blocking_sleep(run, p["brew"])
            cup = n * p["items"] + i
            if cups.full():
                with tally.mutex:
                    tally.full_waits += 1
            cups.put(cup, timeout=left())
            with tally.mutex:
                tally.peak = max(tally.peak, cups.qsize())
            run.print(f"Producer {n + 1} put {cup_name(p['items'], cup)}", stable=False)

    def consumer(n):
        while (cup := cups.get(timeout=left())) is not None:
            run.print(f"Consumer {n + 1} got {cup_name(p['items'], cup)}", stable=False)
            tally.took(cup)
            blocking_sleep(run, p["serve"])
            cups.task_done()
        cups.task_done()

    errors = []

    def guarded(fn, n):
        def target():
            try:
                fn(n)
            except (queue.Full, queue.Empty, DeadlineExceeded) as e:
                errors.append(e)
        return target

    producers = [threading.Thread(target=guarded(producer, n), name=f"Producer {n + 1}")
                 for n in range(p["producers"])]
    consumers = [threading.Thread(target=guarded(consumer, n), name=f"Consumer {n + 1}")
                 for n in range(p["consumers"])]
    for t in producers + consumers:
        t.start()
    for t in producers:
        t.join(left())
    if errors or any(t.is_alive() for t in producers):
        raise DeadlineExceeded("a producer was still waiting at the deadline")
    for _ in consumers:
        cups.put(None, timeout=left())
    for t in consumers:
        t.join(left())
    if errors or any(t.is_alive() for t in consumers):
        raise DeadlineExceeded("a consumer was still waiting at the deadline")


async def with_tasks(run, p, tally):
    cups = asyncio.Queue(p["maxsize"])

    async def produce(n):
        for i in range(p["items"]):
            await asyncio.sleep(p["brew"])
            cup = n * p["items"] + i
            if cups.full():
                tally.full_waits += 1
            await cups.put(cup)
            tally.peak = max(tally.peak, cups.qsize())
            run.print(f"Producer {n + 1} put {cup_name(p['items'], cup)}", stable=False)

    async def consume(n):
        while (cup := await cups.get()) is not None:
            run.print(f"Consumer {n + 1} got {cup_name(p['items'], cup)}", stable=False)
            tally.took(cup)
            await asyncio.sleep(p["serve"])

    loop = asyncio.get_running_loop()
    producers = [loop.create_task(produce(n)) for n in range(p["producers"])]
    consumers = [loop.create_task(consume(n)) for n in range(p["consumers"])]
    for t in producers:
        await t
    for _ in consumers:
        await cups.put(None)
    for t in consumers:
        await t


served_here = 0  # the cups this process's consumers served, without a shared Value


def produce_in_process(cups, events, n, items, brew, timeout):
    for i in range(items):
        time.sleep(brew)
        cup = n * items + i
        waited = cups.full()
        cups.put(cup, timeout=timeout)
        events.put((time.monotonic(), f"Producer {n + 1} put {cup_name(items, cup)}", cup,
                    waited, cups.qsize()))


def consume_in_process(cups, events, n, items, serve, served, timeout):
    global served_here
    while (cup := cups.get(timeout=timeout)) is not None:
        events.put((time.monotonic(), f"Consumer {n + 1} got {cup_name(items, cup)}", cup,
                    None, None))
        time.sleep(serve)
        if served is not None:
            with served.get_lock():
                served.value += 1
        else:
            served_here += 1
    events.put(None)  # this consumer is done


def with_processes(run, p, tally):
    r = run.request
    cups, events = multiprocessing.Queue(p["maxsize"]), multiprocessing.Queue()
    served = multiprocessing.Value("i", 0) if r["value"] else None
    timeout = r.time_left()
    processes = [multiprocessing.Process(target=produce_in_process,
                                         args=(cups, events, n, p["items"], p["brew"], timeout))
                 for n in range(p["producers"])]
    consumers = [multiprocessing.Process(target=consume_in_process,
                                         args=(cups, events, n, p["items"], p["serve"], served,
                                               timeout))
                 for n in range(p["consumers"])]
    happened = []
    try:
        for proc in processes + consumers:
            proc.start()
        for proc in processes:
            proc.join(r.time_left())
            if proc.is_alive():
                raise DeadlineExceeded("a producer was still waiting at the deadline")
        for _ in consumers:
            cups.put(None, timeout=r.time_left())
        done = 0
        while done < len(consumers):
            event = events.get(timeout=r.time_left())
            if event is None:
                done += 1
            else:
                happened.append(event)
        for proc in consumers:
            proc.join(r.time_left())
    except (queue.Full, queue.Empty):
        raise DeadlineExceeded("a queue wait outlived the run's deadline") from None
    finally:
        for proc in processes + consumers:
            if proc.is_alive():
                proc.kill()
    while True:  # the producers' last events, sent before they ended
        try:
            happened.append(events.get_nowait())
        except queue.Empty:
            break
    for at, line, cup, waited, size in sorted(happened, key=lambda e: e[0]):
        if waited is None:
            tally.took(cup)
        else:
            tally.full_waits += waited
            tally.peak = max(tally.peak, size)
        run.print(line, stable=False)
    return (served.value if served is not None else served_here), served is not None


def body(run):
    r = run.request
    p = {k: r[k] for k in ("producers", "consumers", "items", "maxsize")}
    p["brew"], p["serve"] = r.seconds(r["brew"]), r.seconds(r["serve"])
    if r["value"] and r.model != "multiprocessing":
        raise BadRequest("params.value", "only with model multiprocessing")
    cups = p["producers"] * p["items"]
    tally = Tally(cups)
    served = None
    if r.model == "asyncio":
        run_asyncio(run, with_tasks(run, p, tally))
    elif r.model == "multiprocessing":
        served = with_processes(run, p, tally)
    else:
        with_threads(run, p, tally)
    taken = sum(tally.consumed)
    each_once = all(n == 1 for n in tally.consumed)
    run.print(f"{cups} cups brewed, {taken} served" +
              (", each exactly once" if each_once else ", not each exactly once"))
    if served is not None:
        run.print(f"Served count in the parent: {served[0]}")
    run.end_program()
    run.metric("cups", cups)
    run.metric("served", taken)
    run.metric("puts_that_waited", tally.full_waits)
    run.metric("peak_queue_size", tally.peak)
    run.check("each_cup_served_once", each_once)
    run.check("queue_within_maxsize", p["maxsize"] == 0 or tally.peak <= p["maxsize"])
    run.check("producers_waited_for_space", tally.full_waits > 0)
    if served is not None:
        run.metric("served_count_in_parent", served[0])
        if served[1]:
            run.check("served_count_exact", served[0] == cups)
        else:
            run.check("parent_count_unchanged", served[0] == 0)


if __name__ == "__main__":
    main("producer-consumer", ["threading", "asyncio", "multiprocessing"],
         [integer("producers", 2, 1, 8), integer("consumers", 2, 1, 8),
          integer("items", 5, 1, 10_000), integer("maxsize", 2, 0, 1000),
          number("brew", 0.1, 0, 10), number("serve", 0.3, 0, 10), flag("value")], body)
