"""Flask: ``CookieSeal(app)`` replaces Flask's signed session cookie with a
sealed one (XChaCha20-Poly1305), with key IDs for rotation and a hard size
check, and reads existing Flask session cookies once so that switching logs
no one out.

    app.config["COOKIE_SEAL_KEYS"] = os.environ["SESSION_KEYS"]
    CookieSeal(app)

Configuration, read once by ``CookieSeal(app)`` / ``init_app``:

=============================  ==================================================
``COOKIE_SEAL_KEYS``           the keyring (text or :class:`cookie_seal.Keyring`);
                               else ``SESSION_KEYS``
``COOKIE_SEAL_MODE``           ``"sealed"`` (default) or ``"signed"`` (readable
                               by the client, unforgeable)
``COOKIE_SEAL_MIGRATE``        read Flask's own session cookies (``SECRET_KEY``
                               and ``SECRET_KEY_FALLBACKS``) once and answer with
                               a sealed cookie; default ``True``
``SESSION_COOKIE_*``           name, domain, path, HttpOnly, Secure, SameSite,
                               Partitioned, as in Flask. ``SAMESITE = None``
                               (Flask's default) sends ``SameSite=Lax``, what
                               browsers apply to a cookie without it
``PERMANENT_SESSION_LIFETIME`` the idle lifetime of every session, and the
                               ``Max-Age`` of permanent ones
``SESSION_REFRESH_EACH_REQUEST``  re-send a permanent session on every request
=============================  ==================================================

Sessions behave as Flask's: ``session.permanent`` (a persistent cookie, else
a browser-session one), ``session.modified`` (only then is the cookie
written; set it after changing a nested value), ``session.accessed`` (adds
``Vary: Cookie``), ``session.clear()`` (deletes the cookie). At login, call
``session.regenerate()``: it empties the session and starts a new one, so
that no session planted before login is the one that gets logged in.

A session too large for its cookie raises :class:`cookie_seal.TooLarge` at
the end of the request, and no cookie is sent (Flask only warns, and the
browser drops the cookie).
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

from flask.sessions import (
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionInterface,
)

from ._errors import ConfigError
from ._native import Codec, Keyring, LoadedSession, SessionCookie

if TYPE_CHECKING:
    from flask import Flask, Request, Response
    from flask.sessions import SessionMixin

__all__ = ["CookieSeal", "CookieSealSession", "CookieSealSessionInterface"]


class CookieSealSession(SecureCookieSession):
    """Flask's cookie session (a ``dict`` that tracks ``modified`` and
    ``accessed``), kept in a sealed cookie. ``permanent`` is kept in the
    token, not as a ``_permanent`` key."""

    _loaded: Optional[LoadedSession] = None
    _permanent: bool = False
    _regenerate: bool = False
    #: True when this session was read from a Flask (itsdangerous) cookie.
    migrated: bool = False

    @property  # type: ignore[override]
    def permanent(self) -> bool:
        """A persistent cookie for ``PERMANENT_SESSION_LIFETIME`` (``True``)
        or a cookie the browser drops when it closes (``False``, the
        default)."""
        return self._permanent

    @permanent.setter
    def permanent(self, value: bool) -> None:
        value = bool(value)
        if value != self._permanent:
            self._permanent = value
            self.modified = True

    def clear(self) -> None:
        """Removes every value; as in Flask, the session is no longer permanent."""
        super().clear()
        self._permanent = False

    def regenerate(self) -> None:
        """Starts a fresh session, as at login: every value is dropped and
        the session gets a new ID and creation time. Call it before storing
        the user's ID, so that a session an attacker planted before login
        (session fixation) is not the one that gets logged in."""
        self.clear()
        self._regenerate = True
        self.modified = True


def _migrated(value: Any) -> Any:
    """A value of Flask's tagged JSON as a session value: tuples become
    lists, ``Markup`` and ``UUID`` text, ``datetime`` its ISO form."""
    if isinstance(value, dict):
        return {str(k): _migrated(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_migrated(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def _add_set_cookies(response: "Response", values: List[str]) -> None:
    """Adds the ``Set-Cookie`` values. They come from the core's renderer
    (the ``cookie`` crate, a base64url token): no control character, so
    Werkzeug's per-value check, a regular expression over the whole cookie,
    is skipped when its header list is reachable."""
    items = getattr(response.headers, "_list", None)
    if isinstance(items, list):
        items.extend(("Set-Cookie", value) for value in values)
    else:
        for value in values:
            response.headers.add("Set-Cookie", value)


def _vary_cookie(response: "Response") -> None:
    """``response.vary.add("Cookie")``, without parsing the header when the
    response has no ``Vary`` yet (the common case)."""
    if "Vary" in response.headers:
        response.vary.add("Cookie")
    else:
        response.headers["Vary"] = "Cookie"


class CookieSealSessionInterface(SessionInterface):
    """The session interface ``CookieSeal`` installs. Everything costly (the
    keyring, the codec's subkeys, the cookie settings) is built here, once
    per app."""

    session_class = CookieSealSession

    def __init__(
        self, app: "Flask", keys: Union[str, Keyring, None] = None
    ) -> None:
        config = app.config
        if keys is None:
            keys = config.get("COOKIE_SEAL_KEYS") or config.get("SESSION_KEYS")
        if not keys:
            raise ConfigError(
                "CookieSeal needs a keyring: set app.config['COOKIE_SEAL_KEYS'] (or "
                "'SESSION_KEYS') to the text that `cookie-seal keygen` prints"
            )
        mode = config.get("COOKIE_SEAL_MODE", "sealed")
        lifetime = app.permanent_session_lifetime
        purpose = config.get("COOKIE_SEAL_PURPOSE", "session")
        if mode == "sealed":
            codec = Codec.sealed(keys, purpose=purpose, max_age=lifetime)
        elif mode == "signed":
            codec = Codec.signed(keys, purpose=purpose, max_age=lifetime)
        else:
            raise ConfigError(
                f"COOKIE_SEAL_MODE must be 'sealed' or 'signed', not {mode!r}"
            )
        partitioned = getattr(self, "get_cookie_partitioned", None)
        self.cookie = SessionCookie(
            codec,
            self.get_cookie_name(app),
            path=self.get_cookie_path(app),
            domain=self.get_cookie_domain(app),
            secure=self.get_cookie_secure(app),
            http_only=self.get_cookie_httponly(app),
            same_site=self.get_cookie_samesite(app),
            partitioned=bool(partitioned(app)) if partitioned else False,
            browser_session=True,
        )
        self.refresh_each_request = bool(config["SESSION_REFRESH_EACH_REQUEST"])
        self.flask_interface: Optional[SecureCookieSessionInterface] = (
            SecureCookieSessionInterface()
            if config.get("COOKIE_SEAL_MIGRATE", True)
            else None
        )

    def open_session(self, app: "Flask", request: "Request") -> CookieSealSession:
        loaded = self.cookie.load(request.environ.get("HTTP_COOKIE"))
        session = self.session_class(loaded.data)
        session._loaded = loaded
        if loaded.permanent:
            session._permanent = True
        if loaded.error is not None and self.flask_interface is not None:
            self._migrate(app, request, session)
        return session

    def _migrate(
        self, app: "Flask", request: "Request", session: CookieSealSession
    ) -> None:
        """Reads a Flask session cookie (itsdangerous, signed with
        ``SECRET_KEY`` or a fallback) into ``session``, which is then
        written back sealed under the same cookie name."""
        value = request.cookies.get(self.cookie.name)
        if not value or "." not in value or not app.secret_key:
            return
        old = self.flask_interface.open_session(app, request)  # type: ignore[union-attr]
        if not old:
            return
        data: Dict[str, Any] = {
            str(k): _migrated(v) for k, v in old.items() if k != "_permanent"
        }
        session.update(data)
        session._permanent = bool(old.get("_permanent", False))
        session.modified = True
        session.migrated = True

    def save_session(
        self, app: "Flask", session: "SessionMixin", response: "Response"
    ) -> None:
        if session.accessed:
            _vary_cookie(response)
        loaded = getattr(session, "_loaded", None)
        if loaded is None:
            return
        modified = session.modified
        permanent: bool = session._permanent  # type: ignore[attr-defined]
        force = modified or (permanent and self.refresh_each_request)
        set_cookies = self.cookie.save(
            loaded,
            session if modified else None,  # type: ignore[arg-type]
            permanent=permanent if force else None,
            regenerate=session._regenerate,  # type: ignore[attr-defined]
            force=force,
        )
        if set_cookies:
            _add_set_cookies(response, set_cookies)
            _vary_cookie(response)


class CookieSeal:
    """The Flask extension: ``CookieSeal(app)``, or ``CookieSeal()`` then
    ``init_app(app)``. Sets ``app.session_interface``; ``keys`` overrides
    ``COOKIE_SEAL_KEYS``."""

    def __init__(
        self,
        app: Optional["Flask"] = None,
        *,
        keys: Union[str, Keyring, None] = None,
    ) -> None:
        self.keys = keys
        if app is not None:
            self.init_app(app)

    def init_app(self, app: "Flask") -> None:
        """Installs the session interface on ``app``, reading its config now."""
        app.session_interface = CookieSealSessionInterface(app, keys=self.keys)
        app.extensions["cookie_seal"] = self
