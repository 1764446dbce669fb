"""Per-request session overhead: cookie_seal against Flask's default session
and Starlette's SessionMiddleware, side by side in one run.

    python python/bench/sessions.py [--quick]
    python python/bench/sessions.py --one flask|sealed|signed small|large read|write N 0|1

Times are the CPU time of this process (``time.process_time``), so other
load on the machine counts as little as it can. ``--one`` runs one Flask
loop of N requests with (1) or without (0) the session, for an instruction
count under ``valgrind --tool=callgrind`` (BENCHMARKS.md shows the loop).

Flask: the time of ``open_session`` + ``save_session`` for one request (a
fresh ``Request`` each time, so cookie parsing counts), minus the same loop
without a session interface. Starlette: the time of one ASGI request
through the middleware, minus the same request without it. Each figure is
the best of 5 runs. Small session: 4 entries (~100 bytes of JSON); large: ~2
KB of JSON. "read" touches the session without changing it; "write" changes
one value.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

import flask
from werkzeug.test import EnvironBuilder

import cookie_seal
from cookie_seal.flask import CookieSeal

KEYS = cookie_seal.Keyring.generate(1).export()
SMALL: Dict[str, Any] = {
    "user_id": 42,
    "csrf_token": "9f86d081884c7d659a2feaa0c55ad015",
    "roles": ["admin"],
    "lang": "en",
}
LARGE: Dict[str, Any] = {
    **SMALL,
    "history": [f"/articles/{i:04d}/a-fairly-long-slug-for-page" for i in range(40)],
    "prefs": {f"pref_{i}": i * 3 for i in range(30)},
}
RUNS = 5


def best(loop: Callable[[int], float], n: int) -> float:
    """The best mean time per iteration over RUNS runs, in microseconds."""
    return min(loop(n) for _ in range(RUNS)) / n * 1e6


# -- Flask ------------------------------------------------------------------


def flask_app(kind: str) -> flask.Flask:
    app = flask.Flask("bench")
    app.secret_key = "a Flask secret key for the benchmark"
    if kind != "flask":
        app.config["COOKIE_SEAL_KEYS"] = KEYS
        app.config["COOKIE_SEAL_MODE"] = kind
        CookieSeal(app)
    return app


def flask_cookie(app: flask.Flask, data: Dict[str, Any]) -> str:
    """The cookie value the app writes for `data`."""
    iface = app.session_interface
    request = app.request_class(EnvironBuilder().get_environ())
    session = iface.open_session(app, request)
    session.update(data)
    response = app.response_class()
    iface.save_session(app, session, response)
    header = response.headers.get("Set-Cookie")
    return header.split(";", 1)[0].split("=", 1)[1]


def flask_loop(app: flask.Flask, environ: Dict[str, Any], write: bool, with_session: bool):
    iface = app.session_interface
    request_class, response_class = app.request_class, app.response_class

    def run(n: int) -> float:
        start = time.process_time()
        for i in range(n):
            request = request_class(environ.copy())
            response = response_class()
            if with_session:
                session = iface.open_session(app, request)
                session.get("user_id")
                if write:
                    session["counter"] = i
                iface.save_session(app, session, response)
        return time.process_time() - start

    return run


def bench_flask(n: int) -> List[Tuple[str, Dict[str, float]]]:
    rows = []
    for size, data in (("small", SMALL), ("large", LARGE)):
        for write in (False, True):
            times: Dict[str, float] = {}
            for kind in ("flask", "sealed", "signed"):
                app = flask_app(kind)
                cookie = flask_cookie(app, data)
                environ = EnvironBuilder(headers={"Cookie": f"session={cookie}"}).get_environ()
                total = best(flask_loop(app, environ, write, True), n)
                base = best(flask_loop(app, environ, write, False), n)
                times[kind] = total - base
                times[kind + "_len"] = len(cookie)
            rows.append((f"{size}, {'write' if write else 'read'}", times))
    return rows


# -- Starlette ----------------------------------------------------------------


def starlette_apps():
    from starlette.middleware.sessions import SessionMiddleware as StarletteSessions

    from cookie_seal.starlette import SessionMiddleware as SealedSessions

    def endpoint(write: bool):
        async def app(scope, receive, send):
            session = scope["session"]
            session.get("user_id")
            if write:
                session["counter"] = scope["n"]
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        return app

    def make(kind: str, write: bool):
        inner = endpoint(write)
        if kind == "starlette":
            return StarletteSessions(inner, secret_key="a Starlette secret key")
        if kind == "none":

            async def bare(scope, receive, send):
                scope["session"] = {}
                await inner(scope, receive, send)

            return bare
        return SealedSessions(inner, keys=KEYS, signed=kind == "signed")

    return make


def starlette_cookie(app, data: Dict[str, Any]) -> str:
    sent: List[Dict[str, Any]] = []

    async def inner(scope, receive, send):
        scope["session"].update(data)
        await send({"type": "http.response.start", "status": 200, "headers": []})

    app.app = inner

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "headers": [], "n": 0}
    asyncio.run(app(scope, None, send))
    for name, value in sent[0]["headers"]:
        if name == b"set-cookie":
            return value.decode().split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError("no cookie")


def starlette_loop(app, cookie: str):
    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        pass

    headers = [(b"host", b"testserver"), (b"cookie", f"session={cookie}".encode())]

    async def many(n: int) -> float:
        start = time.process_time()
        for i in range(n):
            scope = {"type": "http", "method": "GET", "path": "/", "headers": list(headers), "n": i}
            await app(scope, receive, send)
        return time.process_time() - start

    loop = asyncio.new_event_loop()
    return lambda n: loop.run_until_complete(many(n))


def bench_starlette(n: int) -> List[Tuple[str, Dict[str, float]]]:
    make = starlette_apps()
    rows = []
    for size, data in (("small", SMALL), ("large", LARGE)):
        for write in (False, True):
            times: Dict[str, float] = {}
            base_cookie = ""
            for kind in ("starlette", "sealed", "signed"):
                cookie = starlette_cookie(make(kind, write), data)
                base_cookie = base_cookie or cookie
                app = make(kind, write)
                times[kind] = best(starlette_loop(app, cookie), n)
                times[kind + "_len"] = len(cookie)
            base = best(starlette_loop(make("none", write), base_cookie), n)
            for kind in ("starlette", "sealed", "signed"):
                times[kind] -= base
            rows.append((f"{size}, {'write' if write else 'read'}", times))
    return rows


def table(title: str, reference: str, rows) -> str:
    lines = [
        f"| {title} | {reference} µs | sealed µs | signed µs | {reference} ÷ sealed | cookie bytes ({reference} / sealed / signed) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, t in rows:
        lines.append(
            f"| {name} | {t[reference]:.1f} | {t['sealed']:.1f} | {t['signed']:.1f} | "
            f"{t[reference] / t['sealed']:.1f}× | {t[reference + '_len']:.0f} / {t['sealed_len']:.0f} / {t['signed_len']:.0f} |"
        )
    return "\n".join(lines)


def one(kind: str, size: str, mode: str, n: int, with_session: bool) -> None:
    """One Flask loop, for instruction counts."""
    app = flask_app(kind)
    cookie = flask_cookie(app, SMALL if size == "small" else LARGE)
    environ = EnvironBuilder(headers={"Cookie": f"session={cookie}"}).get_environ()
    flask_loop(app, environ, mode == "write", with_session)(n)


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        kind, size, mode, n, with_session = sys.argv[2:7]
        one(kind, size, mode, int(n), with_session == "1")
        return
    n = 2000 if "--quick" in sys.argv else 20000
    import platform

    from importlib.metadata import version

    print(
        f"Python {platform.python_version()}, Flask {version('flask')}, Starlette {version('starlette')}, "
        f"cookie-seal {cookie_seal.__version__}, {n} requests per run, best of {RUNS}\n"
    )
    print(table("Flask session", "flask", bench_flask(n)))
    print()
    print(table("Starlette session", "starlette", bench_starlette(n)))


if __name__ == "__main__":
    main()
