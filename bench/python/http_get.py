"""Guide 2.4 as samovar runs it (http-get): concurrent GETs through one session under gather.
aiohttp when it is importable; otherwise a small pooled HTTP/1.1 session on asyncio streams
(the summary's notes say which). Without params.url, the program serves /delay itself, as
`samovar run http-get` does."""

import asyncio
import threading
import urllib.parse

from samovar_request import (HAVE_AIOHTTP, BadRequest, integer, main, number, run_asyncio,
                             shortest, text)


async def _serve_delay(reader, writer):
    """/delay/<s>: answers after s seconds (at most 30), keep-alive, as samovar's /delay."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            parts = head.split(b" ", 2)[1].decode("latin-1").split("/")
            try:
                if len(parts) != 3 or parts[1] != "delay":
                    raise ValueError
                seconds = min(30.0, max(0.0, float(parts[2])))
                await asyncio.sleep(seconds)
                body, status = b'{"delay": %s}\n' % parts[2].encode(), b"200 OK"
            except ValueError:
                body, status = b"not found\n", b"404 Not Found"
            writer.write(b"HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (status, len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, IndexError):
        pass
    finally:
        writer.close()


class DelayServer:
    """The run's own /delay server, on a loop in a thread of its own (as the native run starts
    one beside its client), so that its waits are not the client's loop's."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def listen():
            self.server = await asyncio.start_server(_serve_delay, "127.0.0.1", 0, backlog=4096)
            self.port = self.server.sockets[0].getsockname()[1]
            started.set()

        def serve():
            self.loop.run_until_complete(listen())
            self.loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        if not started.wait(10):
            raise RuntimeError("the /delay server did not start within 10 s")

    def shutdown(self):
        self.loop.call_soon_threadsafe(self.loop.stop)


class Session:
    """What the guide's aiohttp.ClientSession is to it: keep-alive connections, reused."""

    def __init__(self, timeout):
        self.timeout = timeout
        self.idle = {}
        self.opened = 0

    async def get(self, url):
        u = urllib.parse.urlsplit(url)
        key = (u.hostname, u.port or 80)
        pool = self.idle.setdefault(key, [])
        if pool:
            reader, writer = pool.pop()
        else:
            reader, writer = await asyncio.open_connection(*key)
            self.opened += 1
        path = (u.path or "/") + ("?" + u.query if u.query else "")
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\n\r\n".encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.timeout)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:] if line)}
        length = int(headers.get("content-length", "0"))
        await asyncio.wait_for(reader.readexactly(length), self.timeout)
        if headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            pool.append((reader, writer))
        return status

    async def close(self):
        for pool in self.idle.values():
            for _, writer in pool:
                writer.close()


async def fetch_url(run, session, url, stable, tally):
    tally["in_flight"] += 1
    tally["peak"] = max(tally["peak"], tally["in_flight"])
    try:
        status = await session.get(url)
        run.print(f"Fetches {url} with status {status}", stable)
        tally["ok" if status == 200 else "failed"] += 1
    except (OSError, ValueError, IndexError, asyncio.IncompleteReadError,
            asyncio.TimeoutError) as e:
        run.print(f"Failed: {e or type(e).__name__}", False)
        tally["failed"] += 1
    finally:
        tally["in_flight"] -= 1


async def fetch_all(run, requests, url, stable, tally):
    if HAVE_AIOHTTP:
        import aiohttp

        class AiohttpSession:
            def __init__(self, s):
                self.s = s

            async def get(self, url):
                async with self.s.get(url) as response:
                    await response.read()
                    return response.status

        async with aiohttp.ClientSession() as s:
            await asyncio.gather(*(fetch_url(run, AiohttpSession(s), url, stable, tally)
                                   for _ in range(requests)))
            tally["connections"] = len(s.connector._conns)  # what it keeps, at least
        return
    session = Session(30)
    try:
        await asyncio.gather(*(fetch_url(run, session, url, stable, tally)
                               for _ in range(requests)))
    finally:
        tally["connections"] = session.opened
        await session.close()


def body(run):
    r = run.request
    url = r["url"]
    if url and urllib.parse.urlsplit(url).scheme != "http":
        raise BadRequest("params.url", "only http:// URLs")
    server = None
    if not url:
        server = DelayServer()
        url = f"http://127.0.0.1:{server.port}/delay/{shortest(r.seconds(r['delay']))}"
    if not HAVE_AIOHTTP:
        run.notes.append("aiohttp is not installed: a pooled HTTP/1.1 session on asyncio streams")
    tally = {"ok": 0, "failed": 0, "in_flight": 0, "peak": 0, "connections": 0}
    # The URL holds this run's port; which request is answered first is a race.
    stable = server is None and r["requests"] == 1
    run_asyncio(run, fetch_all(run, r["requests"], url, stable, tally))
    run.end_program()
    run.metric("requests", r["requests"])
    run.metric("failed", tally["failed"])
    run.metric("peak_in_flight", tally["peak"])
    run.metric("connections_opened", tally["connections"])
    run.check("all_ok", tally["ok"] == r["requests"])
    run.check("overlapped", tally["peak"] > 1)
    if server:
        server.shutdown()


if __name__ == "__main__":
    main("http-get", ["asyncio"],
         [integer("requests", 3, 1, 10_000), number("delay", 2.0, 0, 30), text("url", "")], body)
