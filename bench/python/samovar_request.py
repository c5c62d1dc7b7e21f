"""What every CPython counterpart of a samovar scenario shares: reading the request (the same
JSON `samovar run --json` answers to), printing the program's lines, and the summary line."""

import asyncio
import json
import math
import os
import platform
import selectors
import sys
import threading
import time

SCHEMA_VERSION = 1
SUMMARY_PREFIX = "@samovar-summary "
KNOWN_FIELDS = ("schema_version", "scenario", "model", "params", "scale", "seed", "deadline_s",
                "trace", "max_lines", "max_spans", "repeat")


class BadRequest(Exception):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field


def number(name, default, lo, hi):
    return {"name": name, "kind": "number", "default": default, "lo": lo, "hi": hi}


def integer(name, default, lo, hi):
    return {"name": name, "kind": "integer", "default": default, "lo": lo, "hi": hi}


def flag(name, default=False):
    return {"name": name, "kind": "flag", "default": default}


def choice(name, default, choices):
    return {"name": name, "kind": "choice", "default": default, "choices": choices}


def text(name, default):
    return {"name": name, "kind": "text", "default": default}


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _number(field, v, lo, hi, whole):
    if not _is_number(v):
        raise BadRequest(field, f"expected a number from {lo} to {hi}, got {json.dumps(v)}")
    if whole and v != int(v):
        raise BadRequest(field, f"expected a whole number from {lo} to {hi}, got {v}")
    if not lo <= v <= hi:
        raise BadRequest(field, f"{v} is out of range; allowed: {lo} to {hi}")
    return int(v) if whole else float(v)


def _param(spec, v):
    field = "params." + spec["name"]
    kind = spec["kind"]
    if kind in ("number", "integer"):
        return _number(field, v, spec["lo"], spec["hi"], kind == "integer")
    if kind == "flag":
        if not isinstance(v, bool):
            raise BadRequest(field, f"expected true or false, got {json.dumps(v)}")
        return v
    if not isinstance(v, str) or len(v) > 2048:
        raise BadRequest(field, f"expected a string of at most 2048 characters")
    if kind == "choice" and v not in spec["choices"]:
        raise BadRequest(field, f"{json.dumps(v)} is not one of: {', '.join(spec['choices'])}")
    return v


class Request:
    """A validated request, its params resolved to their defaults as samovar resolves them."""

    def __init__(self, raw, scenario, models, specs):
        if not isinstance(raw, dict):
            raise BadRequest("request", "expected a JSON object")
        for key in raw:
            if key not in KNOWN_FIELDS:
                raise BadRequest(key, "unknown field; allowed: " + ", ".join(KNOWN_FIELDS))
        if "schema_version" in raw and raw["schema_version"] != SCHEMA_VERSION:
            raise BadRequest("schema_version", f"unsupported; this program reads {SCHEMA_VERSION}")
        if raw.get("scenario") != scenario:
            raise BadRequest("scenario", f"this program runs {json.dumps(scenario)}, "
                             f"got {json.dumps(raw.get('scenario'))}")
        self.scenario = scenario
        self.model = raw.get("model", models[0])
        if self.model not in models:
            raise BadRequest("model", f"{json.dumps(self.model)} is not one of: {', '.join(models)}")
        given = raw.get("params", {})
        if not isinstance(given, dict):
            raise BadRequest("params", "expected an object")
        names = [s["name"] for s in specs]
        for key in given:
            if key not in names:
                raise BadRequest("params." + key, "unknown field; allowed: " +
                                 (", ".join(names) or "(none)"))
        self.params = {s["name"]: _param(s, given[s["name"]]) if s["name"] in given
                       else s["default"] for s in specs}
        self.scale = _number("scale", raw["scale"], 0.001, 10, False) if "scale" in raw else 0.1
        self.seed = _number("seed", raw["seed"], 0, 4294967295, True) if "seed" in raw else 1
        self.deadline_s = (_number("deadline_s", raw["deadline_s"], 0.1, 3600, False)
                           if "deadline_s" in raw else 60.0)
        if raw.get("trace", "spans") not in ("spans", "off"):
            raise BadRequest("trace", "not one of: spans, off")
        # One run per process: bench starts the program `repeat` times and keeps every wall time.
        self.repeat = _number("repeat", raw["repeat"], 1, 20, True) if "repeat" in raw else 1
        self.started = time.monotonic()

    def seconds(self, guide_seconds):
        """Guide seconds to real seconds."""
        return guide_seconds * self.scale

    def time_left(self):
        """What is left of the deadline: the bound of every wait."""
        return max(0.0, self.deadline_s - (time.monotonic() - self.started))

    def __getitem__(self, name):
        return self.params[name]


class DeadlineExceeded(Exception):
    pass


class Run:
    """One run: prints the program's lines (thread-safe; none after the summary, as a daemon
    thread stops with the program), collects metrics and checks, and ends with the summary."""

    def __init__(self, request):
        self.request = request
        self.metrics = {}
        self.checks = {}
        self.notes = []
        self.sweep = None  # scale's sweep, in the report's shape: {points, memory, limit?}
        self.unstable = []
        self.lines = 0
        self._lock = threading.Lock()
        self._closed = False
        self._begin = time.perf_counter()
        self._end = None

    def print(self, text, stable=True):
        with self._lock:
            if self._closed:
                return
            if not stable:
                self.unstable.append(self.lines)
            self.lines += 1
            sys.stdout.write(text + "\n")
            sys.stdout.flush()

    def end_program(self):
        """The main program is done: the wall time ends here."""
        if self._end is None:
            self._end = time.perf_counter()

    def metric(self, name, value):
        self.metrics[name] = float(value)

    def check(self, name, value):
        self.checks[name] = bool(value)

    def summary(self, error=None):
        self.end_program()
        r = self.request
        out = {"schema_version": SCHEMA_VERSION, "scenario": r.scenario, "model": r.model,
               "params": r.params, "scale": r.scale, "seed": r.seed,
               "wall_s": self._end - self._begin, "metrics": self.metrics, "checks": self.checks,
               "lines": self.lines, "unstable_lines": self.unstable, "notes": self.notes,
               "python": {"version": platform.python_version(),
                          "implementation": platform.python_implementation(),
                          "executable": sys.executable, "aiohttp": HAVE_AIOHTTP},
               "machine": {"cores": os.cpu_count(), "os": f"{platform.system()} {platform.release()}",
                           "timer_resolution_s": time.get_clock_info("perf_counter").resolution}}
        if self.sweep is not None:
            out["sweep"] = self.sweep
        if error is not None:
            out["error"] = error
        with self._lock:
            self._closed = True
            sys.stdout.write(SUMMARY_PREFIX + json.dumps(out) + "\n")
            sys.stdout.flush()


try:
    import aiohttp  # noqa: F401
    HAVE_AIOHTTP = True
except ImportError:
    HAVE_AIOHTTP = False


def read_raw(argv):
    """The request: argv[1] as JSON text, or stdin when there is none or it is "-"."""
    source = argv[1] if len(argv) > 1 and argv[1] != "-" else sys.stdin.read()
    try:
        return json.loads(source)
    except (ValueError, RecursionError) as e:
        raise BadRequest("request", f"not JSON: {e}")


def main(scenario, models, specs, body):
    """Reads the request, runs body(run) and prints the summary. Exit 0 when the program ran to
    its end, 1 when it failed (deadline, fault: the summary says which), 2 on bad input."""
    try:
        request = Request(read_raw(sys.argv), scenario, models, specs)
    except BadRequest as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    run = Run(request)
    try:
        body(run)
    except BadRequest as e:  # found by the program itself (a URL it cannot fetch)
        print(f"error: {e}", file=sys.stderr)
        sys.stdout.flush()
        os._exit(2)
    except DeadlineExceeded as e:
        run.summary({"code": "deadline_exceeded", "message": str(e) or
                     f"the run passed its deadline of {request.deadline_s} s"})
        os._exit(1)  # threads still waiting must not hold the exit
    except Exception as e:  # a fault of this program: said, not hidden
        run.summary({"code": "internal", "message": f"{type(e).__name__}: {e}"})
        os._exit(1)
    run.summary()
    sys.stdout.flush()


# asyncio, as samovar's loop runs it: a step that holds the loop for 100 ms or more is counted
# (slow_steps, what asyncio's debug mode warns of), and the time its thread was held. Debug mode
# itself is not used: it records a traceback per task and made 10,000 tasks 18 times slower.
SLOW_STEP_S = 0.1
_handle_run = asyncio.events.Handle._run


def _timed_handle_run(handle):
    loop = handle._loop
    steps = getattr(loop, "samovar_slow_steps", None)
    if steps is None:
        return _handle_run(handle)
    began = time.perf_counter()
    try:
        return _handle_run(handle)
    finally:
        if time.perf_counter() - began >= SLOW_STEP_S:
            loop.samovar_slow_steps = steps + 1


asyncio.events.Handle._run = _timed_handle_run


class _TimedSelector(selectors.DefaultSelector):
    def __init__(self):
        super().__init__()
        self.waiting = 0.0

    def select(self, timeout=None):
        t = time.perf_counter()
        try:
            return super().select(timeout)
        finally:
            self.waiting += time.perf_counter() - t


def run_asyncio(run, coroutine):
    """asyncio.run(coroutine), bounded by the request's deadline. Adds the loop's slow steps and
    the time its thread was held (not waiting in select) to run.loop_stats."""
    selector = _TimedSelector()
    loop = asyncio.SelectorEventLoop(selector)
    loop.samovar_slow_steps = 0
    begin = time.perf_counter()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(_bounded(coroutine, run.request.time_left()))
    finally:
        held = time.perf_counter() - begin - selector.waiting
        stats = getattr(run, "loop_stats", {"busy_s": 0.0, "slow_steps": 0})
        stats["busy_s"] += held
        stats["slow_steps"] += loop.samovar_slow_steps
        run.loop_stats = stats
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


async def _bounded(coroutine, seconds):
    try:
        return await asyncio.wait_for(coroutine, seconds)
    except asyncio.TimeoutError:
        raise DeadlineExceeded(f"the run passed its deadline of {seconds:.3g} s") from None


def blocking_sleep(run, seconds):
    """time.sleep, but never past the deadline."""
    left = run.request.time_left()
    if seconds > left:
        time.sleep(left)
        raise DeadlineExceeded("the run passed its deadline")
    time.sleep(seconds)


def shortest(v):
    """The number as samovar prints it (%.15g): 2, 0.2, 1e+20."""
    return "%.15g" % v


def fixed(v, digits):
    return f"{v:.{digits}f}"
