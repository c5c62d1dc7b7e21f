"""Guide 3.2 as samovar runs it (check-stock): run_in_executor keeps the loop free, and a
ticker coroutine (not in the guide; it prints nothing) shows whether it stayed free."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from samovar_request import blocking_sleep, flag, main, number, run_asyncio, text


def check_stock(run, item, seconds):
    run.print(f"Checking {item} in store...")
    blocking_sleep(run, seconds)
    return f"{item} stock: 42"


async def ticker(period, state):
    while not state["stop"]:
        state["ticks"] += 1
        await asyncio.sleep(period)


async def main_coroutine(run, item, seconds, blocking, state):
    tick = asyncio.get_running_loop().create_task(ticker(seconds / 30, state))
    if blocking:
        result = check_stock(run, item, seconds)  # on the loop's own thread: everything waits
    else:
        with ThreadPoolExecutor() as pool:
            result = await asyncio.get_running_loop().run_in_executor(
                pool, check_stock, run, item, seconds)
    state["during_call"] = state["ticks"]
    run.print(result)
    state["stop"] = True
    await tick


def body(run):
    r = run.request
    state = {"ticks": 0, "during_call": 0, "stop": False}
    run_asyncio(run, main_coroutine(run, r["item"], r.seconds(r["delay"]), r["blocking"], state))
    run.end_program()
    run.metric("ticks", state["ticks"])
    run.metric("ticks_during_call", state["during_call"])
    run.metric("slow_steps", run.loop_stats["slow_steps"])
    run.check("ticker_kept_ticking", state["during_call"] >= 2)


if __name__ == "__main__":
    main("check-stock", ["asyncio"],
         [text("item", "Masala chai"), number("delay", 3.0, 0, 60), flag("blocking")], body)
