"""Guide 3.5 as samovar runs it (deadlock): two threads take lock_a and lock_b in opposite
order. CPython does not detect deadlocks, so this program does what samovar's engine does: a
lock wait longer than detect_after looks for a cycle in who holds and who waits, and a cycle
fails every wait in it with DeadlockError, so the threads unwind."""

import threading
import time

from samovar_request import DeadlineExceeded, blocking_sleep, choice, main, number


class DeadlockError(RuntimeError):
    pass


class WaitForGraph:
    def __init__(self, detect_after, run):
        self.mutex = threading.Lock()
        self.holder = {}   # lock name -> thread name
        self.waiting = {}  # thread name -> (lock name, since)
        self.broken = set()
        self.found = None
        self.detect_after = detect_after
        self.run = run

    def cycle_from(self, thread):
        seen, order = set(), []
        while thread is not None and thread not in seen:
            seen.add(thread)
            order.append(thread)
            wanted = self.waiting.get(thread)
            thread = self.holder.get(wanted[0]) if wanted else None
        if thread is None:
            return None
        return order[order.index(thread):]


class TrackedLock:
    def __init__(self, graph, name):
        self.graph, self.name, self.lock = graph, name, threading.Lock()

    def acquire(self, timeout=None):
        g, me = self.graph, threading.current_thread().name
        since = time.perf_counter()
        with g.mutex:
            g.waiting[me] = (self.name, since)
        try:
            while True:
                if self.lock.acquire(timeout=min(g.detect_after / 10, 0.01)):
                    with g.mutex:
                        if me not in g.broken:
                            g.holder[self.name] = me
                            return True
                    self.lock.release()  # the cycle was found: this wait fails as the others
                    raise DeadlockError(f"{me} was part of a deadlock")
                now = time.perf_counter()
                if timeout is not None and now - since >= timeout:
                    return False
                if now - since > g.run.request.deadline_s:
                    raise DeadlineExceeded("a lock wait outlived the run's deadline")
                with g.mutex:
                    if me in g.broken:
                        raise DeadlockError(f"{me} was part of a deadlock")
                    if now - since < g.detect_after:
                        continue
                    cycle = g.cycle_from(me)
                    if cycle and g.found is None:
                        formed = max(g.waiting[t][1] for t in cycle)
                        first = min(range(len(cycle)), key=lambda i: cycle[i])
                        cycle = cycle[first:] + cycle[:first]
                        text = "; ".join(
                            f"{t} holds {self.held_by(t)} and waits for {g.waiting[t][0]}"
                            for t in cycle)
                        g.found = {"cycle": text, "latency_s": now - formed}
                        g.broken.update(cycle)
        finally:
            with g.mutex:
                g.waiting.pop(me, None)

    def held_by(self, thread):
        return ", ".join(lock for lock, t in self.graph.holder.items() if t == thread)

    def release(self):
        with self.graph.mutex:
            self.graph.holder.pop(self.name, None)
        self.lock.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


def task(run, n, first, first_name, second, second_name, hold, holding_first, outcome):
    who = f"Task {n}"
    with first:
        run.print(f"{who} acquired lock {first_name}", stable=False)
        holding_first()
        if hold > 0:
            blocking_sleep(run, hold)
        with second:
            run.print(f"{who} acquired lock {second_name}", stable=False)
            outcome["completed"] += 1


def task_with_timeout(run, n, first, first_name, second, second_name, hold, timeout,
                      holding_first, outcome):
    who = f"Task {n}"
    first_try = True
    while True:
        with first:
            run.print(f"{who} acquired lock {first_name}", stable=False)
            if first_try:
                holding_first()
            first_try = False
            if hold > 0:
                blocking_sleep(run, hold)
            if second.acquire(timeout * n):
                try:
                    run.print(f"{who} acquired lock {second_name}", stable=False)
                    outcome["completed"] += 1
                    return
                finally:
                    second.release()
            run.print(f"{who} timed out waiting for lock {second_name}, releasing lock "
                      f"{first_name}", stable=False)
            outcome["retries"] += 1
        blocking_sleep(run, timeout)


def body(run):
    r = run.request
    hold, fix = r.seconds(r["hold"]), r["fix"]
    graph = WaitForGraph(r.seconds(r["detect_after"]), run)
    lock_a, lock_b = TrackedLock(graph, "lock_a"), TrackedLock(graph, "lock_b")
    outcome = {"completed": 0, "retries": 0}
    timeout = max(2 * hold, r.seconds(0.05))
    both_hold_first = threading.Barrier(2)
    errors = []

    def meet():
        if hold > 0:
            both_hold_first.wait(r.time_left())

    def go_on():
        pass

    def guarded(fn):
        def target():
            try:
                fn()
            except DeadlockError:
                pass
            except BaseException as e:
                errors.append(e)
        return target

    def task1():
        if fix == "timeout":
            task_with_timeout(run, 1, lock_a, "a", lock_b, "b", hold, timeout, meet, outcome)
        else:
            task(run, 1, lock_a, "a", lock_b, "b", hold, go_on if fix == "ordering" else meet,
                 outcome)

    def task2():
        if fix == "ordering":
            task(run, 2, lock_a, "a", lock_b, "b", hold, go_on, outcome)
        elif fix == "timeout":
            task_with_timeout(run, 2, lock_b, "b", lock_a, "a", hold, timeout, meet, outcome)
        else:
            task(run, 2, lock_b, "b", lock_a, "a", hold, meet, outcome)

    threads = [threading.Thread(target=guarded(task1), name="Task 1"),
               threading.Thread(target=guarded(task2), name="Task 2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(r.time_left())
        if t.is_alive():
            raise DeadlineExceeded("a task was still waiting at the deadline")
    if errors:
        raise errors[0]
    found = graph.found
    if found:
        run.print(f"Deadlock detected: {found['cycle']}; both waits failed with DeadlockError")
    run.end_program()
    run.check("deadlock_detected", found is not None)
    run.check("completed", outcome["completed"] == 2)
    run.metric("tasks_completed", outcome["completed"])
    run.metric("retries", outcome["retries"])
    run.metric("hold_s", hold)
    run.metric("detect_after_s", graph.detect_after)
    if found:
        run.metric("detection_latency_s", found["latency_s"])


if __name__ == "__main__":
    main("deadlock", ["threading"],
         [number("hold", 0.1, 0, 10), choice("fix", "none", ["none", "ordering", "timeout"]),
          number("detect_after", 1.0, 0.01, 10)], body)
