#!/usr/bin/env python3
"""Flask side of the cookie-seal interop tests (driven by tests/flask_interop/).

Cookies are written and read by a real Flask app through its own session
interface (a view sets `session` / calls `flash()`; Flask's test client
carries the `session` cookie), with the itsdangerous clock fixed so every
token is deterministic.

Commands:
  versions   print {"flask": ..., "itsdangerous": ...}
  make       print the fixtures (as cookie-seal's documented Value shapes) and
             the cookies Flask writes for them, plus cookies Rust must refuse
  check      read [{"id", "cookie", "fixture", "app", "expect", "now"}] on
             stdin; Flask opens each cookie and compares the session with the
             fixture (strictly: a list is not a tuple, a str is not Markup);
             print [{"id", "ok", "got"}]
  sign       read a list of plain-JSON sessions on stdin; print the cookie
             Flask's "current" app writes for each at NOW

Exit status 77 means Flask is not installed (the Rust side then skips, unless
COOKIE_SEAL_REQUIRE_FLASK=1).
"""

import base64
import datetime
import json
import random
import sys
import uuid
import zlib

try:
    import flask
    import itsdangerous  # noqa: F401  (imported for its version)
    from flask import Flask, flash, session
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous.timed import TimestampSigner
    from markupsafe import Markup
except ImportError as error:  # pragma: no cover
    print(f"Flask is not installed: {error}", file=sys.stderr)
    sys.exit(77)

from importlib.metadata import version

NOW = 1_700_000_000
MAX_AGE = 3600
# SECRET_KEY as raw bytes that are not UTF-8 (like os.urandom), a str
# fallback (Flask uses its UTF-8 bytes), and keys for rotation.
CURRENT_KEY = bytes(range(0xC0, 0xE0))
OLD_KEY = "old-dev-key ✓"
NEWER_KEY = b"newer-key-after-rotation"
STRANGER_KEY = "someone-else"
UTC = datetime.timezone.utc

# The itsdangerous clock, used both to sign and to check max_age.
_clock = [NOW]
TimestampSigner.get_timestamp = lambda self: _clock[0]

TAG_KEYS = {" t", " b", " m", " u", " d", " di"}


def _noise(length, seed):
    rng = random.Random(seed)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(rng.choice(alphabet) for _ in range(length))


# name -> (session dict, whether Rust writes the same JSON text byte for byte)
FIXTURES = {
    "small": ({"user_id": 42}, True),
    "scalars": (
        {
            "int": 7,
            "neg": -3,
            "u64_max": 2**64 - 1,
            "i64_min": -(2**63),
            "float": 1.5,
            "pi": 3.141592653589793,
            "true": True,
            "false": False,
            "none": None,
            "empty_str": "",
            "empty_list": [],
            "empty_dict": {},
        },
        True,
    ),
    # Python writes 1e-07 and 1e+16 where serde_json writes 1e-7 and 1e16:
    # the same numbers, other spellings.
    "floats": ({"tiny": 1e-07, "huge": 1e300, "negzero": -0.0, "big": 1e16}, False),
    "tuple": (
        {"pair": (1, "a"), "empty": (), "single": ("x",), "nested": ((1, 2), [3, (4,)])},
        True,
    ),
    # Written with flask.flash(), which stores a list of (category, message) tuples.
    "flashes": ({"_flashes": [("message", "Welcome back"), ("error", "Bad password")]}, True),
    "bytes": ({"all": bytes(range(256)), "empty": b"", "ascii": b"hello"}, True),
    "markup": (
        {"html": Markup("<b>bold</b> &amp; <i>it</i>"), "escaped": Markup.escape("<script>")},
        True,
    ),
    "uuid": (
        {
            "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "v4": uuid.UUID("f47ac10b-58cc-4372-a567-0e02b2c3d479"),
        },
        True,
    ),
    "datetime": (
        {
            "leap": datetime.datetime(2024, 2, 29, 23, 59, 58, tzinfo=UTC),
            "epoch": datetime.datetime(1970, 1, 1, tzinfo=UTC),
            "old": datetime.datetime(1900, 1, 1, 12, 0, 0, tzinfo=UTC),
            "y999": datetime.datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC),
            "far": datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        },
        True,
    ),
    "tag_like_dicts": (
        {
            "t": {" t": 1},
            "di": {" di": "x"},
            "b": {" b": [1, 2]},
            "m": {" m": Markup("<b>")},
            "u": {" u": uuid.UUID(int=1)},
            "d": {" d": "not a date"},
            "di_of_di": {" di": {" t": (1,)}},
            "multi": {" t": 1, "other": 2},
            "suffix": {" t__": 3},
        },
        True,
    ),
    "root_tag_like": ({" u": "not a uuid"}, True),
    "unicode": (
        {
            "greeting": "héllo wörld ✓ 日本語 😀",
            "ключ": "значение",
            "controls": "tab\t nl\n cr\r quote\" backslash\\ slash/ del\x7f nul\x00 bell\x07 ls\u2028",
            "emoji_😀": "astral key",
        },
        True,
    ),
    "nested": (
        {
            "a": [{"b": ({"c": [1, {"d": (b"\x01", [None, {"e": Markup("<i>")}])}]},)}],
            "deep": [[[[[[[[[[{"x": (((("bottom",),),),)}]]]]]]]]]],
        },
        True,
    ),
    "compressible": (
        {"items": [{"id": i, "name": "item", "tags": ["red", "green"]} for i in range(120)]},
        True,
    ),
    "big_incompressible": ({"a": _noise(1500, 1), "b": _noise(1300, 2)}, True),
    "flask_login": (
        {
            "_user_id": "42",
            "_fresh": True,
            "_id": "a" * 128,
            "csrf_token": "0f9c5a2e6b1d4c7e8a3b2f1e0d9c8b7a6f5e4d3c",
            "_permanent": True,
        },
        True,
    ),
}


def to_shape(obj):
    """A Python session value in cookie-seal's documented Value shapes."""
    if isinstance(obj, dict):
        shaped = {key: to_shape(value) for key, value in obj.items()}
        if len(obj) == 1 and next(iter(obj)) in TAG_KEYS:
            return {" di": shaped}
        return shaped
    if isinstance(obj, tuple):
        return {" t": [to_shape(item) for item in obj]}
    if isinstance(obj, list):
        return [to_shape(item) for item in obj]
    if isinstance(obj, bytes):
        return {" b": list(obj)}
    if isinstance(obj, Markup):
        return {" m": str(obj)}
    if isinstance(obj, uuid.UUID):
        return {" u": str(obj)}
    if isinstance(obj, datetime.datetime):
        d = obj.astimezone(UTC)
        return {
            " d": f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
            f"T{d.hour:02d}:{d.minute:02d}:{d.second:02d}Z"
        }
    return obj


def strictly_equal(a, b):
    """== that also tells a tuple from a list and Markup from str."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strictly_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(strictly_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return repr(a) == repr(b)
    if isinstance(a, datetime.datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    return a == b


class OtherSaltInterface(SecureCookieSessionInterface):
    salt = "other-salt"


def make_app(secret_key, fallbacks=(), session_interface=None):
    app = Flask("cookie_seal_interop")
    app.config.update(
        SECRET_KEY=secret_key,
        SECRET_KEY_FALLBACKS=list(fallbacks),
        PERMANENT_SESSION_LIFETIME=datetime.timedelta(seconds=MAX_AGE),
    )
    if session_interface is not None:
        app.session_interface = session_interface
    captured = {}

    @app.route("/write/<name>")
    def write(name):
        if name == "flashes":
            flash("Welcome back", "message")
            flash("Bad password", "error")
        else:
            session.update(FIXTURES[name][0] if name in FIXTURES else EXTRA[name])
        return ""

    @app.route("/read")
    def read():
        captured["session"] = dict(session)
        return ""

    app.captured = captured
    return app


APPS = {
    # The app whose sessions are shared: current key, old key as fallback.
    "current": lambda: make_app(CURRENT_KEY, [OLD_KEY]),
    # The same app after rotating to NEWER_KEY (the old current key is kept as fallback).
    "rotated": lambda: make_app(NEWER_KEY, [CURRENT_KEY]),
    # Before the rotation to CURRENT_KEY: signs with OLD_KEY.
    "old": lambda: make_app(OLD_KEY),
    "stranger": lambda: make_app(STRANGER_KEY),
    "other_salt": lambda: make_app(CURRENT_KEY, session_interface=OtherSaltInterface()),
}

# Sessions Rust must refuse although Flask writes them.
EXTRA = {
    "big_int": {"n": 2**70},
    "nan": {"x": float("nan")},
}


def write_cookie(app_name, fixture, at):
    app = APPS[app_name]()
    _clock[0] = at
    client = app.test_client()
    response = client.get(f"/write/{fixture}")
    assert response.status_code == 200, response.status
    cookie = client.get_cookie("session")
    assert cookie is not None, f"Flask set no cookie for {fixture}"
    return cookie.value


def flask_json(fixture):
    """The JSON text Flask's session serializer writes for a fixture."""
    app = APPS["current"]()
    with app.test_request_context():
        return app.session_interface.serializer.dumps(FIXTURES[fixture][0])


def payload_json(cookie):
    payload = cookie.rsplit(".", 2)[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return zlib.decompress(raw) if compressed else raw, compressed


def tamper(cookie):
    """Change one character in the middle of the payload (still base64url)."""
    index = len(cookie) // 4
    replacement = "A" if cookie[index] != "A" else "B"
    return cookie[:index] + replacement + cookie[index + 1 :]


def command_make():
    fixtures = []
    for name, (value, exact_json) in FIXTURES.items():
        cookie = write_cookie("current", name, NOW)
        text, compressed = payload_json(cookie)
        assert text.decode() == flask_json(name)
        fixtures.append(
            {
                "name": name,
                "shape": to_shape(value),
                "cookie": cookie,
                "json": text.decode(),
                "compressed": compressed,
                "exact_json": exact_json,
            }
        )
    small = "small"
    refused = [
        {"name": "expired", "cookie": write_cookie("current", small, NOW - MAX_AGE - 1), "error": "expired"},
        {"name": "future", "cookie": write_cookie("current", small, NOW + 1), "error": "future"},
        {"name": "stranger_key", "cookie": write_cookie("stranger", small, NOW), "error": "invalid"},
        {"name": "other_salt", "cookie": write_cookie("other_salt", small, NOW), "error": "invalid"},
        {"name": "tampered", "cookie": tamper(write_cookie("current", "compressible", NOW)), "error": "invalid"},
        {"name": "big_int", "cookie": write_cookie("current", "big_int", NOW), "error": "deserialize"},
        {"name": "nan", "cookie": write_cookie("current", "nan", NOW), "error": "deserialize"},
    ]
    accepted = [
        {"name": "at_max_age", "cookie": write_cookie("current", small, NOW - MAX_AGE), "fixture": small},
        {"name": "old_key", "cookie": write_cookie("old", small, NOW), "fixture": small},
        {"name": "other_salt", "cookie": write_cookie("other_salt", small, NOW), "fixture": small},
        {"name": "rotated", "cookie": write_cookie("rotated", "tuple", NOW), "fixture": "tuple"},
    ]
    json.dump(
        {
            "now": NOW,
            "max_age": MAX_AGE,
            "keys": {
                "current": CURRENT_KEY.hex(),
                "old": OLD_KEY.encode().hex(),
                "newer": NEWER_KEY.hex(),
                "stranger": STRANGER_KEY.encode().hex(),
            },
            "other_salt": OtherSaltInterface.salt,
            "fixtures": fixtures,
            "refused": refused,
            "accepted": accepted,
        },
        sys.stdout,
    )


def command_check():
    results = []
    for request in json.load(sys.stdin):
        app = APPS[request["app"]]()
        _clock[0] = request["now"]
        client = app.test_client()
        client.set_cookie("session", request["cookie"])
        response = client.get("/read")
        assert response.status_code == 200, response.status
        got = app.captured["session"]
        if request["expect"] == "equal":
            ok = strictly_equal(got, FIXTURES[request["fixture"]][0])
        else:
            ok = got == {}
        results.append({"id": request["id"], "ok": ok, "got": repr(got)[:500]})
    json.dump(results, sys.stdout)


def command_sign():
    app = APPS["current"]()
    _clock[0] = NOW
    serializer = app.session_interface.get_signing_serializer(app)
    json.dump([serializer.dumps(dict(value)) for value in json.load(sys.stdin)], sys.stdout)


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "versions":
        json.dump({"flask": version("flask"), "itsdangerous": version("itsdangerous")}, sys.stdout)
    elif command == "make":
        command_make()
    elif command == "check":
        command_check()
    elif command == "sign":
        command_sign()
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
