"""Guide 4.2 as samovar runs it (health-monitor): a daemon thread logs while the event loop
awaits fetch_orders; the program ends with the loop, and the daemon thread with it."""

import asyncio
import threading

from samovar_request import DeadlineExceeded, blocking_sleep, main, number, run_asyncio


def background_worker(run, period, logs):
    try:
        while True:
            blocking_sleep(run, period)
            run.print("Logging system health", stable=False)
            logs[0] += 1
    except DeadlineExceeded:
        pass


async def fetch_orders(run, seconds):
    await asyncio.sleep(seconds)
    run.print("Order fetched")


def body(run):
    r = run.request
    logs = [0]
    threading.Thread(target=background_worker, args=(run, r.seconds(r["period"]), logs),
                     daemon=True).start()
    run_asyncio(run, fetch_orders(run, r.seconds(r["delay"])))
    run.end_program()
    logged = logs[0]
    run.metric("health_logs", logged)
    run.metric("health_logs_expected", r["delay"] / r["period"])
    run.check("logged_while_loop_waited", logged >= 1)


if __name__ == "__main__":
    main("health-monitor", ["asyncio"],
         [number("delay", 3.0, 0, 60), number("period", 1.0, 0.01, 60)], body)
