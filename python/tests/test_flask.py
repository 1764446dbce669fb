"""Flask: CookieSeal(app) as Flask's session, migration, rotation, limits."""

from __future__ import annotations

import datetime
import time

import pytest

from conftest import attributes, cookie_value, need, set_cookies

flask = need("flask")

import cookie_seal  # noqa: E402
from cookie_seal import ConfigError, TooLarge  # noqa: E402
from cookie_seal.flask import CookieSeal  # noqa: E402

SECRET = "the old Flask secret key"


def make_app(keys, **config):
    app = flask.Flask(__name__)
    app.config.update(SECRET_KEY=SECRET, COOKIE_SEAL_KEYS=keys, **config)
    CookieSeal(app)
    add_routes(app)
    return app


def add_routes(app):
    @app.post("/login")
    def login():
        flask.session.regenerate()
        flask.session["user_id"] = int(flask.request.args.get("id", 42))
        flask.session.permanent = flask.request.args.get("remember") == "1"
        return "ok"

    @app.get("/whoami")
    def whoami():
        return str(flask.session.get("user_id"))

    @app.get("/static")
    def static_page():
        return "no session use"

    @app.post("/put")
    def put():
        for k, v in flask.request.get_json().items():
            flask.session[k] = v
        return "ok"

    @app.post("/nested")
    def nested():
        flask.session["cart"].append(flask.request.args["item"])
        if flask.request.args.get("mark") == "1":
            flask.session.modified = True
        return "ok"

    @app.get("/cart")
    def cart():
        return flask.jsonify(flask.session.get("cart"))

    @app.post("/logout")
    def logout():
        flask.session.clear()
        return "bye"

    @app.get("/dump")
    def dump():
        return flask.jsonify({k: v for k, v in flask.session.items()})

    @app.get("/migrated")
    def migrated():
        return str(flask.session.migrated)


def client(app):
    return app.test_client(use_cookies=False)


def login(app, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = client(app).post(f"/login?{query}")
    assert response.status_code == 200
    return cookie_value(response.headers)


def get(app, path, cookie, **kw):
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    return client(app).get(path, headers=headers, **kw)


def post(app, path, cookie, **kw):
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    return client(app).post(path, headers=headers, **kw)


def test_login_then_read(keys):
    app = make_app(keys)
    token = login(app)
    assert cookie_seal.inspect(token)["mode"] == "sealed"
    assert get(app, "/whoami", token).text == "42"
    # Sealed: the value is not readable from the cookie.
    assert cookie_seal.Codec.sealed(keys).decode  # the codec alone (no cookie name) cannot read it:
    with pytest.raises(cookie_seal.Invalid):
        cookie_seal.Codec.sealed(keys).decode(token)


def test_signed_mode_on_request(keys):
    app = make_app(keys, COOKIE_SEAL_MODE="signed")
    token = login(app)
    assert cookie_seal.inspect(token)["mode"] == "signed"
    assert get(app, "/whoami", token).text == "42"
    with pytest.raises(ConfigError):
        make_app(keys, COOKIE_SEAL_MODE="plain")


def test_missing_keys_is_a_config_error():
    app = flask.Flask(__name__)
    with pytest.raises(ConfigError, match="COOKIE_SEAL_KEYS"):
        CookieSeal(app)


def test_session_keys_config_and_keys_argument(keys):
    app = flask.Flask(__name__)
    app.config["SESSION_KEYS"] = keys
    CookieSeal(app)
    add_routes(app)
    assert get(app, "/whoami", login(app)).text == "42"
    other = flask.Flask(__name__)
    CookieSeal(other, keys=cookie_seal.Keyring.parse(keys))
    add_routes(other)
    assert get(other, "/whoami", login(app)).text == "42"


def test_read_only_request_sends_no_cookie_but_varies(keys):
    app = make_app(keys)
    token = login(app)
    response = get(app, "/whoami", token)
    assert set_cookies(response.headers) == []
    assert "Cookie" in response.headers.get("Vary", "")
    untouched = get(app, "/static", token)
    assert set_cookies(untouched.headers) == []
    assert "Cookie" not in untouched.headers.get("Vary", "")


def test_browser_session_and_permanent_cookies(keys):
    app = make_app(keys, PERMANENT_SESSION_LIFETIME=datetime.timedelta(days=3))
    browser = client(app).post("/login")
    header = set_cookies(browser.headers)[0]
    assert "max-age" not in attributes(header) and "expires" not in attributes(header)
    remember = client(app).post("/login?remember=1")
    header = set_cookies(remember.headers)[0]
    assert attributes(header)["max-age"] == str(3 * 86400)
    token = cookie_value(remember.headers)
    # Permanent sessions are refreshed on each request (SESSION_REFRESH_EACH_REQUEST)...
    again = get(app, "/whoami", token)
    assert attributes(set_cookies(again.headers)[0])["max-age"] == str(3 * 86400)
    # ...browser-session ones are not.
    assert set_cookies(get(app, "/whoami", cookie_value(browser.headers)).headers) == []


def test_clear_ends_permanence_as_in_flask(keys):
    app = make_app(keys)

    @app.post("/forget")
    def forget():
        flask.session.clear()
        flask.session["guest"] = True
        return str(flask.session.permanent)

    token = login(app, remember=1)
    response = post(app, "/forget", token)
    assert response.text == "False"
    assert "max-age" not in attributes(set_cookies(response.headers)[0])


def test_refresh_each_request_off(keys):
    app = make_app(keys, SESSION_REFRESH_EACH_REQUEST=False)
    token = login(app, remember=1)
    assert set_cookies(get(app, "/whoami", token).headers) == []


def test_cookie_attributes_follow_flask_config(keys):
    app = make_app(
        keys,
        SESSION_COOKIE_NAME="app_session",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
    )
    response = client(app).post("/login")
    header = set_cookies(response.headers, "app_session")[0]
    attrs = attributes(header)
    assert attrs["domain"] == "example.com"
    assert attrs["path"] == "/app"
    assert "httponly" not in attrs
    assert "secure" in attrs and "partitioned" in attrs
    assert attrs["samesite"] == "Strict"
    token = cookie_value(response.headers, "app_session")
    read = client(app).get("/whoami", headers={"Cookie": f"app_session={token}"})
    assert read.text == "42"


def test_defaults_are_flasks(keys):
    header = set_cookies(client(make_app(keys)).post("/login").headers)[0]
    attrs = attributes(header)
    assert "httponly" in attrs and "secure" not in attrs
    assert attrs["path"] == "/" and attrs["samesite"] == "Lax"


def test_modified_flag_and_nested_values(keys):
    app = make_app(keys)
    response = client(app).post("/put", json={"cart": []})
    token = cookie_value(response.headers)
    unmarked = post(app, "/nested?item=a", token)
    assert set_cookies(unmarked.headers) == []  # as Flask: a nested change needs modified
    marked = post(app, "/nested?item=b&mark=1", token)
    assert get(app, "/cart", cookie_value(marked.headers)).json == ["b"]


def test_clear_deletes_the_cookie(keys):
    app = make_app(keys)
    token = login(app)
    response = post(app, "/logout", token)
    header = set_cookies(response.headers)[0]
    assert header.startswith("session=;") and attributes(header)["max-age"] == "0"
    # Clearing an empty session without a cookie sends nothing.
    assert set_cookies(client(app).post("/logout").headers) == []


def test_regenerate_drops_values_set_before_login(keys):
    app = make_app(keys)
    before = cookie_value(client(app).post("/put", json={"planted": "by attacker"}).headers)
    response = post(app, "/login", before)
    after = cookie_value(response.headers)
    assert after != before
    assert get(app, "/dump", after).json == {"user_id": 42}


def test_values_round_trip_through_the_cookie(keys):
    app = make_app(keys)
    data = {"n": 2**70, "f": 0.5, "s": "ü", "l": [1, None, True], "d": {"k": "v"}}
    token = cookie_value(client(app).post("/put", json=data).headers)
    assert get(app, "/dump", token).json == {**data, "n": 2**70}


def test_tampered_cookie_is_ignored_and_deleted(keys):
    app = make_app(keys)
    token = login(app)
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    response = get(app, "/whoami", flipped)
    assert response.text == "None"
    assert attributes(set_cookies(response.headers)[0])["max-age"] == "0"


def test_expired_cookie_is_ignored(keys):
    app = make_app(keys, PERMANENT_SESSION_LIFETIME=600)
    interface = app.session_interface
    loaded = interface.cookie.load(None)
    old = interface.cookie.save(loaded, {"user_id": 7}, now=time.time() - 601)
    token = old[0].split(";")[0].split("=", 1)[1]
    assert get(app, "/whoami", token).text == "None"
    fresh = interface.cookie.save(loaded, {"user_id": 7}, now=time.time() - 590)
    assert get(app, "/whoami", fresh[0].split(";")[0].split("=", 1)[1]).text == "7"


def test_rotation_old_key_reads_and_reissues(rotated_keys):
    old_app = make_app(rotated_keys["old"])
    token = login(old_app)
    assert cookie_seal.inspect(token)["key_id"] == 1
    new_app = make_app(rotated_keys["new"])
    response = get(new_app, "/whoami", token)  # read-only, yet re-issued
    assert response.text == "42"
    reissued = cookie_value(response.headers)
    assert cookie_seal.inspect(reissued)["key_id"] == 2
    assert get(new_app, "/whoami", reissued).text == "42"
    # Once key 1 is removed, its cookies no longer read.
    newest = make_app(rotated_keys["new"].split(",")[0])
    assert get(newest, "/whoami", token).text == "None"


def flask_cookie(secret, data, **config):
    """A session cookie written by Flask's own SecureCookieSessionInterface."""
    plain = flask.Flask(__name__)
    plain.config.update(SECRET_KEY=secret, **config)

    @plain.post("/set")
    def set_values():
        for k, v in data.items():
            flask.session[k] = v
        return "ok"

    response = plain.test_client(use_cookies=False).post("/set")
    token = cookie_value(response.headers)
    assert token and "." in token
    return token


def test_migration_from_a_real_flask_cookie(keys):
    old = flask_cookie(SECRET, {"user_id": 42, "roles": ("a", "b"), "_permanent": True})
    app = make_app(keys)
    response = get(app, "/migrated", old)
    assert response.text == "True"
    sealed = cookie_value(response.headers)
    assert cookie_seal.inspect(sealed)["mode"] == "sealed"
    header = set_cookies(response.headers)[0]
    assert "max-age" in attributes(header)  # _permanent carried over
    dumped = get(app, "/dump", sealed)
    assert dumped.json == {"user_id": 42, "roles": ["a", "b"]}
    assert get(app, "/migrated", sealed).text == "False"


def test_migration_with_a_fallback_secret(keys):
    old = flask_cookie("retired secret", {"user_id": 5})
    app = make_app(keys, SECRET_KEY_FALLBACKS=["retired secret"])
    sealed = cookie_value(get(app, "/whoami", old).headers)
    assert get(app, "/whoami", sealed).text == "5"


def test_migration_refuses_a_forged_flask_cookie(keys):
    forged = flask_cookie("not the app's secret", {"user_id": 1})
    app = make_app(keys)
    response = get(app, "/whoami", forged)
    assert response.text == "None"
    assert attributes(set_cookies(response.headers)[0])["max-age"] == "0"
    no_migration = make_app(keys, COOKIE_SEAL_MIGRATE=False)
    assert get(no_migration, "/whoami", flask_cookie(SECRET, {"user_id": 1})).text == "None"


def test_oversize_raises_too_large_and_sends_no_cookie(keys):
    app = make_app(keys)
    app.testing = True
    with pytest.raises(TooLarge, match='no longer fits in the cookie "session"'):
        client(app).post("/put", json={"blob": "x" * 5000})
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client(app).post("/put", json={"blob": "x" * 5000})
    assert response.status_code == 500
    assert set_cookies(response.headers) == []


def test_unsupported_value_fails_the_request(keys):
    app = make_app(keys)

    @app.post("/tuple")
    def store_tuple():
        flask.session["t"] = {1, 2}
        return "ok"

    app.testing = True
    with pytest.raises(TypeError, match="set"):
        client(app).post("/tuple")


def test_session_transaction_works(keys):
    app = make_app(keys)
    with app.test_client() as c:
        with c.session_transaction() as session:
            session["user_id"] = 9
        assert c.get("/whoami").text == "9"
