"""Shared with Rust: a Python app and an axum service (tests/rust_peer/, the
core's SessionLayer and `Session::get::<u64>`) with one keyring and cookie
name read and change each other's sessions, for Flask and for Starlette.

The peer binary is `COOKIE_SEAL_RUST_PEER`, or target/debug/examples/rust_peer,
built here with cargo if missing. With CI=true a peer that cannot be had
fails the tests instead of skipping them."""

from __future__ import annotations

import http.client
import os
import pathlib
import shutil
import subprocess
import threading
from typing import Iterator, Optional, Tuple

import pytest

from conftest import IN_CI, cookie_value, need

ROOT = pathlib.Path(__file__).resolve().parents[2]


def peer_binary() -> pathlib.Path:
    explicit = os.environ.get("COOKIE_SEAL_RUST_PEER")
    if explicit:
        return pathlib.Path(explicit)
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "debug" / "examples" / "rust_peer"
    if not binary.exists() and shutil.which("cargo"):
        subprocess.run(
            ["cargo", "build", "--quiet", "-p", "cookie-seal-py", "--example", "rust_peer"],
            cwd=ROOT,
            check=False,
            timeout=1200,
        )
    return binary


class Peer:
    """A running rust_peer on 127.0.0.1."""

    def __init__(self, keys: str, mode: str = "sealed", name: str = "session") -> None:
        binary = peer_binary()
        if not binary.exists():
            message = f"the Rust peer {binary} is missing (cargo build -p cookie-seal-py --example rust_peer)"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        env = dict(os.environ, SESSION_KEYS=keys, COOKIE_SEAL_MODE=mode, COOKIE_NAME=name, PEER_LIFETIME_SECS="120")
        self.name = name
        self.process = subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE, text=True)
        line: list = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()))
        reader.start()
        reader.join(timeout=30)
        if not line or not line[0].startswith("listening on "):
            self.stop()
            pytest.fail(f"the Rust peer did not start: {line!r}")
        host, port = line[0].split()[-1].rsplit(":", 1)
        self.host, self.port = host, int(port)

    def request(self, method: str, path: str, cookie: Optional[str]) -> Tuple[int, str, Optional[str]]:
        """Status, body and the new session cookie value (None: not set)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        headers = {"Cookie": f"{self.name}={cookie}"} if cookie else {}
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        body = response.read().decode()
        new = cookie_value(_Headers(response.headers.get_all("Set-Cookie") or []), self.name)
        connection.close()
        return response.status, body, new

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Headers:
    def __init__(self, values):
        self.values = values

    def get_all(self, _name):
        return self.values


@pytest.fixture
def peer(keys) -> Iterator[Peer]:
    running = Peer(keys)
    yield running
    running.stop()


PY_VALUES = {
    "name": "ada",
    "roles": ["admin", "dev"],
    "blob": b"\x00\x01\xff",
    "big": 2**100,
    "ratio": 0.5,
    "flag": True,
    "nothing": None,
}

RUST_SEES = (
    'name=Some("ada")\nroles=Some(["admin", "dev"])\nblob=Some([0, 1, 255])\n'
    f"big=Some({2**100})\nratio=Some(0.5)\nflag=Some(true)\nnothing=Some(None)\n"
)


def rust_values_ok(data):
    assert data["changed_by"] == "rust"
    assert data["rust_big"] == 2**64 + 1
    assert data["rust_list"] == [1, 2, 3]
    assert data["rust_float"] == 0.25


def test_flask_and_rust_share_sessions(keys, peer):
    flask = need("flask")
    from cookie_seal.flask import CookieSeal

    app = flask.Flask(__name__)
    app.config["COOKIE_SEAL_KEYS"] = keys
    CookieSeal(app)

    @app.post("/login")
    def login():
        flask.session.regenerate()
        flask.session["user_id"] = 41
        flask.session.update(PY_VALUES)
        return "ok"

    @app.post("/bump")
    def bump():
        flask.session["user_id"] += 100
        return "ok"

    @app.get("/dump")
    def dump():
        return flask.jsonify({k: (v.hex() if isinstance(v, bytes) else v) for k, v in flask.session.items()})

    client = app.test_client(use_cookies=False)
    # Flask logs in; Rust reads the user ID and the other values.
    token = cookie_value(client.post("/login").headers)
    assert peer.request("GET", "/user", token)[1] == "41"
    assert peer.request("GET", "/values", token)[1] == RUST_SEES
    # Rust changes it; Flask reads the change.
    status, body, changed = peer.request("POST", "/user", token)
    assert (status, body) == (200, "42") and changed
    data = client.get("/dump", headers={"Cookie": f"session={changed}"}).json
    assert data["user_id"] == 42 and data["name"] == "ada" and data["blob"] == "0001ff"
    rust_values_ok(data)
    # And the other way round: Flask changes it, Rust reads the change.
    again = cookie_value(client.post("/bump", headers={"Cookie": f"session={changed}"}).headers)
    assert peer.request("GET", "/user", again)[1] == "142"


def test_starlette_and_rust_share_sessions(keys, peer):
    need("starlette")
    need("httpx")
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from cookie_seal.starlette import SessionMiddleware

    async def login(request):
        request.session.regenerate()
        request.session["user_id"] = 41
        request.session.update(PY_VALUES)
        return PlainTextResponse("ok")

    async def bump(request):
        request.session["user_id"] += 100
        return PlainTextResponse("ok")

    async def dump(request):
        return JSONResponse({k: (v.hex() if isinstance(v, bytes) else v) for k, v in request.session.items()})

    app = Starlette(
        routes=[Route("/login", login, methods=["POST"]), Route("/bump", bump, methods=["POST"]), Route("/dump", dump)],
        middleware=[Middleware(SessionMiddleware, keys=keys)],
    )
    client = TestClient(app)

    def send(method, path, cookie=None):
        client.cookies.clear()
        return client.request(method, path, headers={"Cookie": f"session={cookie}"} if cookie else {})

    token = cookie_value(send("POST", "/login").headers)
    assert peer.request("GET", "/user", token)[1] == "41"
    assert peer.request("GET", "/values", token)[1] == RUST_SEES
    status, body, changed = peer.request("POST", "/user", token)
    assert (status, body) == (200, "42") and changed
    data = send("GET", "/dump", changed).json()
    assert data["user_id"] == 42
    rust_values_ok(data)
    again = cookie_value(send("POST", "/bump", changed).headers)
    assert peer.request("GET", "/user", again)[1] == "142"


def test_signed_mode_and_other_cookie_name(keys):
    flask = need("flask")
    from cookie_seal.flask import CookieSeal

    peer = Peer(keys, mode="signed", name="app_session")
    try:
        app = flask.Flask(__name__)
        app.config.update(COOKIE_SEAL_KEYS=keys, COOKIE_SEAL_MODE="signed", SESSION_COOKIE_NAME="app_session")
        CookieSeal(app)

        @app.post("/login")
        def login():
            flask.session["user_id"] = 7
            return "ok"

        token = cookie_value(app.test_client(use_cookies=False).post("/login").headers, "app_session")
        assert peer.request("GET", "/user", token)[1] == "7"
        # A token is bound to its cookie name: one issued as `session` does not read here.
        app.config["SESSION_COOKIE_NAME"] = "session"
        CookieSeal(app)
        other = cookie_value(app.test_client(use_cookies=False).post("/login").headers, "session")
        assert peer.request("GET", "/user", other)[1] == "none"
    finally:
        peer.stop()
