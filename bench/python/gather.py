"""Guide 2.3 as samovar runs it (gather): brews under asyncio.gather overlap their sleeps."""

import asyncio

from samovar_request import blocking_sleep, flag, integer, main, number, run_asyncio

TEAS = ("Masala chai", "Green chai", "Ginger chai")


class Sleeps:
    """How many brews are asleep at once, at most."""

    def __init__(self):
        self.now = self.peak = 0

    def enter(self):
        self.now += 1
        self.peak = max(self.peak, self.now)

    def leave(self):
        self.now -= 1


async def brew(run, name, seconds, blocking, sleeps):
    run.print(f"Brewing {name}...")
    sleeps.enter()
    if blocking:
        blocking_sleep(run, seconds)
    else:
        await asyncio.sleep(seconds)
    sleeps.leave()
    run.print(f"{name} is ready...")


async def brew_all(run, tasks, seconds, blocking, sleeps):
    await asyncio.gather(*(brew(run, TEAS[i % 3], seconds, blocking, sleeps)
                           for i in range(tasks)))


def body(run):
    r = run.request
    tasks, seconds = r["tasks"], r.seconds(r["delay"])
    sleeps = Sleeps()
    slow = 0
    if r.model == "sequential":
        for i in range(tasks):
            run.print(f"Brewing {TEAS[i % 3]}...")
            sleeps.enter()
            blocking_sleep(run, seconds)
            sleeps.leave()
            run.print(f"{TEAS[i % 3]} is ready...")
    else:
        run_asyncio(run, brew_all(run, tasks, seconds, r["blocking"], sleeps))
        slow = run.loop_stats["slow_steps"]
    run.end_program()
    run.metric("tasks", tasks)
    run.metric("peak_concurrent_sleeps", sleeps.peak)
    run.metric("slow_steps", slow)
    run.check("concurrent", sleeps.peak > 1)


if __name__ == "__main__":
    main("gather", ["asyncio", "sequential"],
         [integer("tasks", 3, 1, 1_000_000), number("delay", 3.0, 0, 60), flag("blocking")], body)
