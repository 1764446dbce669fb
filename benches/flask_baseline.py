#!/usr/bin/env python3
"""Flask's own session cookie for the benchmark sessions: sizes and timings.

    python3 benches/flask_baseline.py          # after `cargo bench -p cookie-seal-benches`, or alone

Reads benches/sessions.json (the sessions benches/codec.rs uses) and, with the
installed Flask (3.1.3 when the numbers in BENCHMARKS.md were taken):
- sets each session in a real Flask app through its test client and reads the
  `Set-Cookie` value Flask sends (the real cookie, default settings);
- times Flask's session serializer,
  `app.session_interface.get_signing_serializer(app)`, `dumps` and `loads`
  (itsdangerous URLSafeTimedSerializer: tagged JSON, zlib when shorter,
  HMAC-SHA1 signature, timestamp) with timeit: median of repeats, ns per op;
- finds the largest session of the `large` shape (scaled by item count,
  binary search) whose cookie fits 4096 bytes with the name `session`.

Writes target/criterion/flask_baseline.json for benches/report.py.
"""
import importlib.metadata
import json
import pathlib
import platform
import statistics
import timeit

from flask import Flask, request, session

ROOT = pathlib.Path(__file__).resolve().parent.parent
COOKIE_LIMIT = 4096
COOKIE_NAME = "session"


def compact_len(value):
    return len(json.dumps(value, separators=(",", ":")))


def make_app():
    app = Flask(__name__)
    app.secret_key = "a 32-byte benchmark secret key!!"

    @app.post("/login")
    def login():
        session.update(request.get_json())
        return ""

    return app


def real_cookie(app, data):
    """The value of the `session` cookie Flask sets for `data`."""
    client = app.test_client()
    response = client.post("/login", json=data)
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if name == COOKIE_NAME:
            return rest.split(";", 1)[0]
    raise RuntimeError("Flask set no session cookie")


def per_op_ns(func, target_seconds=0.2, repeats=7):
    number = 1
    while True:
        elapsed = timeit.timeit(func, number=number)
        if elapsed >= target_seconds / 4:
            break
        number *= 2
    number = max(1, int(number * target_seconds / max(elapsed, 1e-9)))
    times = timeit.repeat(func, number=number, repeat=repeats)
    return statistics.median(times) / number * 1e9


def main():
    doc = json.loads((ROOT / "benches" / "sessions.json").read_text())
    pool = doc["item_pool"]

    def large_with(n):
        return dict(doc["large_base"], recent=pool[:n])

    sessions = {
        "small": doc["small"],
        "medium": doc["medium"],
        "large": large_with(doc["large_items"]),
    }
    app = make_app()
    # Flask runs its serializer inside an app context, where its JSON provider
    # sorts keys; outside one the bytes (and so the zlib size) would differ.
    context = app.app_context()
    context.push()
    serializer = app.session_interface.get_signing_serializer(app)
    max_age = int(app.permanent_session_lifetime.total_seconds())

    result = {
        "flask": importlib.metadata.version("flask"),
        "itsdangerous": importlib.metadata.version("itsdangerous"),
        "python": platform.python_version(),
        "sessions": {},
    }
    print(
        f"Flask {result['flask']}, itsdangerous {result['itsdangerous']}, "
        f"Python {result['python']}"
    )
    print(f"{'session':<8} {'json':>6} {'cookie':>7} {'dumps ns':>10} {'loads ns':>10}")
    for name, data in sessions.items():
        cookie = real_cookie(app, data)
        token = serializer.dumps(data)
        # The serializer is what Flask put in the cookie (same length; the
        # timestamp may differ by a second).
        assert len(token) == len(cookie), (len(token), len(cookie))
        assert serializer.loads(cookie, max_age=max_age) == data
        dumps_ns = per_op_ns(lambda: serializer.dumps(data))
        loads_ns = per_op_ns(lambda: serializer.loads(token, max_age=max_age))
        result["sessions"][name] = {
            "json": compact_len(data),
            "cookie": len(cookie),
            "dumps_ns": round(dumps_ns),
            "loads_ns": round(loads_ns),
        }
        print(f"{name:<8} {compact_len(data):>6} {len(cookie):>7} {dumps_ns:>10.0f} {loads_ns:>10.0f}")

    def fits(n):
        return len(COOKIE_NAME) + len(serializer.dumps(large_with(n))) <= COOKIE_LIMIT

    lo, hi = 0, len(pool)
    if fits(hi):
        lo = hi
    else:
        while hi - lo > 1:  # invariant: fits(lo), not fits(hi)
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    fit = large_with(lo)
    fit_cookie = real_cookie(app, fit)
    result["max_fit"] = {
        "items": lo,
        "json": compact_len(fit),
        "cookie": len(fit_cookie),
    }
    print(
        f"largest `large`-shape session in one cookie: {lo} items, "
        f"{compact_len(fit)} bytes of JSON, cookie {len(fit_cookie)} bytes"
    )
    out = ROOT / "target" / "criterion"
    out.mkdir(parents=True, exist_ok=True)
    (out / "flask_baseline.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
