"""Guide 3.3 as samovar runs it (daemon): a daemon thread dies with the program; a non-daemon
one keeps it alive. The guide's monitors loop for ever: the non-daemon one here ends after
`lifetime` guide seconds, as samovar's does."""

import threading
import time

from samovar_request import DeadlineExceeded, blocking_sleep, choice, main, number


def monitor_tea_temp(run, period, until, life):
    life["started"] = time.perf_counter()
    try:
        while True:
            run.print("Monitoring tea temperature...", stable=False)
            if until is not None and time.perf_counter() >= until:
                return
            blocking_sleep(run, period)
    except DeadlineExceeded:
        life["deadline"] = True
    finally:
        life["ended"] = time.perf_counter()


def body(run):
    r = run.request
    variant, period = r["variant"], r.seconds(r["period"])
    until = time.perf_counter() + r.seconds(r["lifetime"])
    daemon_life, normal_life = {}, {}
    threads = []
    if variant != "non-daemon":
        threads.append(threading.Thread(target=monitor_tea_temp, name="Thread-1 (daemon)",
                                        args=(run, period, None, daemon_life), daemon=True))
    if variant != "daemon":
        threads.append(threading.Thread(target=monitor_tea_temp, name="Thread-2 (non-daemon)",
                                        args=(run, period, until, normal_life)))
    for t in threads:
        t.start()
    run.print("Main program done")
    # What the interpreter does at exit: wait for every non-daemon thread, bounded here.
    for t in threads:
        if not t.daemon:
            t.join(r.time_left())
            if t.is_alive() or normal_life.get("deadline"):
                raise DeadlineExceeded("the non-daemon monitor outlived the run's deadline")
    run.end_program()
    program_end = time.perf_counter()
    if variant != "non-daemon":
        # The daemon is still looping: it dies with the interpreter, after the summary.
        alive = threads[0].is_alive()
        run.metric("daemon_lived_s", program_end - daemon_life["started"])
        run.check("daemon_died_at_exit", alive)
    if variant != "daemon":
        run.metric("non_daemon_lived_s", normal_life["ended"] - normal_life["started"])
        run.check("program_waited_for_non_daemon", program_end >= normal_life["ended"])


if __name__ == "__main__":
    main("daemon", ["threading"],
         [choice("variant", "both", ["both", "daemon", "non-daemon"]),
          number("period", 2.0, 0.01, 60), number("lifetime", 5.0, 0, 60)], body)
