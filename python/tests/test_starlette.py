"""Starlette and FastAPI: cookie_seal.starlette.SessionMiddleware."""

from __future__ import annotations

import json
import time
from base64 import b64encode

import pytest

from conftest import attributes, cookie_value, need, set_cookies

need("starlette")
need("httpx")
fastapi = need("fastapi")

import cookie_seal  # noqa: E402
from cookie_seal import ConfigError, TooLarge  # noqa: E402
from cookie_seal.starlette import SessionMiddleware  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, PlainTextResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402
from fastapi import Request as FastAPIRequest  # noqa: E402


async def login(request: Request):
    request.session.regenerate()
    request.session["user_id"] = int(request.query_params.get("id", 42))
    return PlainTextResponse("ok")


async def whoami(request: Request):
    return PlainTextResponse(str(request.session.get("user_id")))


async def put(request: Request):
    request.session.update(await request.json())
    return PlainTextResponse("ok")


async def dump(request: Request):
    return JSONResponse(dict(request.session))


async def logout(request: Request):
    request.session.clear()
    return PlainTextResponse("bye")


async def static(request: Request):
    return PlainTextResponse("no session use")


ROUTES = [
    Route("/login", login, methods=["POST"]),
    Route("/whoami", whoami),
    Route("/put", put, methods=["POST"]),
    Route("/dump", dump),
    Route("/logout", logout, methods=["POST"]),
    Route("/static", static),
]


def make_client(keys, raise_server_exceptions=True, **options):
    app = Starlette(routes=ROUTES, middleware=[Middleware(SessionMiddleware, keys=keys, **options)])
    return TestClient(app, raise_server_exceptions=raise_server_exceptions)


def call(client, method, path, cookie=None, name="session", **kw):
    client.cookies.clear()
    headers = {"Cookie": f"{name}={cookie}"} if cookie else {}
    return client.request(method, path, headers=headers, **kw)


def test_login_then_read(keys):
    client = make_client(keys)
    response = call(client, "POST", "/login")
    token = cookie_value(response.headers)
    assert cookie_seal.inspect(token)["mode"] == "sealed"
    read = call(client, "GET", "/whoami", token)
    assert read.text == "42"
    assert set_cookies(read.headers) == []  # unchanged: no cookie


def test_starlette_arguments(keys):
    client = make_client(
        keys,
        session_cookie="sid",
        max_age=3600,
        path="/app",
        same_site="strict",
        https_only=True,
        domain="example.com",
    )
    response = call(client, "POST", "/login")
    attrs = attributes(set_cookies(response.headers, "sid")[0])
    assert attrs["max-age"] == "3600" and attrs["path"] == "/app"
    assert attrs["samesite"] == "Strict" and "secure" in attrs and "httponly" in attrs
    assert attrs["domain"] == "example.com"
    token = cookie_value(response.headers, "sid")
    assert call(client, "GET", "/whoami", token, name="sid").text == "42"


def test_max_age_none_is_a_browser_session_cookie(keys):
    response = call(make_client(keys, max_age=None), "POST", "/login")
    attrs = attributes(set_cookies(response.headers)[0])
    assert "max-age" not in attrs and "expires" not in attrs


def test_signed_mode(keys):
    client = make_client(keys, signed=True)
    token = cookie_value(call(client, "POST", "/login").headers)
    assert cookie_seal.inspect(token)["mode"] == "signed"


def test_keys_required(monkeypatch):
    monkeypatch.delenv("COOKIE_SEAL_KEYS", raising=False)
    monkeypatch.delenv("SESSION_KEYS", raising=False)
    with pytest.raises(ConfigError):
        SessionMiddleware(Starlette())


def test_keys_from_the_environment(monkeypatch, keys):
    monkeypatch.setenv("SESSION_KEYS", keys)
    app = Starlette(routes=ROUTES, middleware=[Middleware(SessionMiddleware)])
    client = TestClient(app)
    token = cookie_value(call(client, "POST", "/login").headers)
    assert call(client, "GET", "/whoami", token).text == "42"


def test_vary_only_when_accessed(keys):
    client = make_client(keys)
    token = cookie_value(call(client, "POST", "/login").headers)
    assert "Cookie" in call(client, "GET", "/whoami", token).headers.get("vary", "")
    assert "Cookie" not in call(client, "GET", "/static", token).headers.get("vary", "")


def test_clear_deletes_and_regenerate_drops(keys):
    client = make_client(keys)
    planted = cookie_value(call(client, "POST", "/put", json={"planted": 1}).headers)
    token = cookie_value(call(client, "POST", "/login", planted).headers)
    assert call(client, "GET", "/dump", token).json() == {"user_id": 42}
    removal = set_cookies(call(client, "POST", "/logout", token).headers)[0]
    assert attributes(removal)["max-age"] == "0"


def test_tampered_and_expired(keys):
    client = make_client(keys, max_age=600)
    token = cookie_value(call(client, "POST", "/login").headers)
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    response = call(client, "GET", "/whoami", flipped)
    assert response.text == "None"
    assert attributes(set_cookies(response.headers)[0])["max-age"] == "0"
    middleware = SessionMiddleware(Starlette(), keys=keys, max_age=600)
    loaded = middleware.cookie.load(None)
    old = middleware.cookie.save(loaded, {"user_id": 1}, now=time.time() - 601)
    assert call(client, "GET", "/whoami", old[0].split(";")[0].split("=", 1)[1]).text == "None"


def test_rotation(rotated_keys):
    token = cookie_value(call(make_client(rotated_keys["old"]), "POST", "/login").headers)
    response = call(make_client(rotated_keys["new"]), "GET", "/whoami", token)
    assert response.text == "42"
    assert cookie_seal.inspect(cookie_value(response.headers))["key_id"] == 2


def test_oversize(keys):
    with pytest.raises(TooLarge, match="no longer fits"):
        call(make_client(keys), "POST", "/put", json={"blob": "x" * 5000})
    response = call(make_client(keys, raise_server_exceptions=False), "POST", "/put", json={"blob": "x" * 5000})
    assert response.status_code == 500
    assert set_cookies(response.headers) == []


def starlette_cookie(secret, data):
    """A cookie written by Starlette's own SessionMiddleware."""
    from starlette.middleware.sessions import SessionMiddleware as StarletteSessions

    async def set_values(request: Request):
        request.session.update(data)
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/set", set_values, methods=["POST"])],
        middleware=[Middleware(StarletteSessions, secret_key=secret)],
    )
    return cookie_value(TestClient(app).post("/set").headers)


def test_migration_from_starlettes_cookie(keys):
    old = starlette_cookie("starlette secret", {"user_id": 42, "name": "ada"})
    client = make_client(keys, secret_key="starlette secret")
    response = call(client, "GET", "/dump", old)
    assert response.json() == {"user_id": 42, "name": "ada"}
    sealed = cookie_value(response.headers)
    assert cookie_seal.inspect(sealed)["mode"] == "sealed"
    assert call(client, "GET", "/dump", sealed).json() == {"user_id": 42, "name": "ada"}
    # The wrong secret, or none: not read, and deleted.
    forged = starlette_cookie("other secret", {"user_id": 1})
    assert call(client, "GET", "/whoami", forged).text == "None"
    unsigned = b64encode(json.dumps({"user_id": 1}).encode()).decode()
    assert call(make_client(keys), "GET", "/whoami", unsigned).text == "None"


def test_fastapi_app(keys):
    app = fastapi.FastAPI()
    app.add_middleware(SessionMiddleware, keys=keys)

    @app.post("/login/{user_id}")
    def fastapi_login(user_id: int, request: FastAPIRequest):
        request.session.regenerate()
        request.session["user_id"] = user_id
        return {"ok": True}

    @app.get("/me")
    def me(request: FastAPIRequest):
        return {"user_id": request.session.get("user_id")}

    client = TestClient(app)
    token = cookie_value(call(client, "POST", "/login/7").headers)
    assert call(client, "GET", "/me", token).json() == {"user_id": 7}
