"""Guide 2.2 as samovar runs it (brew-chai): a coroutine sleeps without holding the thread."""

import asyncio

from samovar_request import blocking_sleep, flag, main, number, run_asyncio


async def brew_chai(run, seconds, blocking):
    run.print("Brewing chai...")
    if blocking:
        blocking_sleep(run, seconds)  # time.sleep inside the coroutine: the loop is held
    else:
        await asyncio.sleep(seconds)
    run.print("Chai is ready")


def body(run):
    seconds = run.request.seconds(run.request["delay"])
    if run.request.model == "sequential":
        run.print("Brewing chai...")
        blocking_sleep(run, seconds)
        run.print("Chai is ready")
        busy, slow = seconds, 0
    else:
        run_asyncio(run, brew_chai(run, seconds, run.request["blocking"]))
        busy, slow = run.loop_stats["busy_s"], run.loop_stats["slow_steps"]
    run.end_program()
    run.metric("thread_busy_s", busy)
    run.metric("slept_s", seconds)
    run.metric("slow_steps", slow)
    run.check("thread_free_while_sleeping", busy < seconds / 2)


if __name__ == "__main__":
    main("brew-chai", ["asyncio", "sequential"],
         [number("delay", 2.0, 0, 60), flag("blocking")], body)
