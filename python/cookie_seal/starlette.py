"""Starlette and FastAPI: a drop-in for ``starlette.middleware.sessions.
SessionMiddleware`` that keeps ``request.session`` in a sealed cookie.

    from cookie_seal.starlette import SessionMiddleware
    app.add_middleware(SessionMiddleware, keys=os.environ["SESSION_KEYS"])

It takes Starlette's arguments (``session_cookie``, ``max_age``, ``path``,
``same_site``, ``https_only``, ``domain``, ``partitioned``) plus ``keys``.
``secret_key``, Starlette's own key, is optional: given, a cookie that
Starlette's middleware signed with it is read once and answered with a sealed
one, so switching logs no one out. ``max_age=None`` makes browser-session
cookies whose tokens still expire after 14 days.

The session is written when it changed (``request.session`` tracks
``modified`` like Starlette's; after changing a nested value, call
``request.session.mark_modified()``), deleted when it was emptied, and
re-issued under the primary key after a rotation. At login, call
``request.session.regenerate()`` (fresh session, new ID). A session too large
for its cookie raises :class:`cookie_seal.TooLarge` before the response
starts, so the client gets a 500 and no cookie.
"""

from __future__ import annotations

import json
import os
from base64 import b64decode
from typing import Any, Dict, List, Literal, Optional, Union

from ._errors import ConfigError
from ._native import Codec, Keyring, LoadedSession, SessionCookie

try:  # Starlette's Session (0.47+) tracks accessed and modified.
    from starlette.middleware.sessions import Session as _BaseSession
except ImportError:  # pragma: no cover - older Starlette

    class _BaseSession(dict):  # type: ignore[no-redef]
        accessed = False
        modified = False

        def mark_accessed(self) -> None:
            self.accessed = True

        def mark_modified(self) -> None:
            self.accessed = True
            self.modified = True

        def __setitem__(self, key: str, value: Any) -> None:
            self.mark_modified()
            super().__setitem__(key, value)

        def __delitem__(self, key: str) -> None:
            self.mark_modified()
            super().__delitem__(key)

        def clear(self) -> None:
            self.mark_modified()
            super().clear()

        def pop(self, key: str, *args: Any) -> Any:
            if key in self:
                self.mark_modified()
            return super().pop(key, *args)

        def popitem(self) -> Any:
            self.mark_modified()
            return super().popitem()

        def setdefault(self, key: str, default: Any = None) -> Any:
            if key not in self:
                self.mark_modified()
            return super().setdefault(key, default)

        def update(self, *args: Any, **kwargs: Any) -> None:
            self.mark_modified()
            super().update(*args, **kwargs)


from starlette.datastructures import MutableHeaders  # noqa: E402

__all__ = ["Session", "SessionMiddleware"]

#: The token lifetime when ``max_age=None`` (browser-session cookies).
BROWSER_SESSION_TOKEN_LIFETIME = 14 * 24 * 60 * 60


class Session(_BaseSession):
    """``request.session``: a ``dict`` that tracks ``accessed`` and
    ``modified``, with :meth:`regenerate` for login."""

    _loaded: Optional[LoadedSession] = None
    _regenerate: bool = False
    #: True when this session was read from a Starlette (itsdangerous) cookie.
    migrated: bool = False

    def regenerate(self) -> None:
        """Starts a fresh session, as at login: every value is dropped and
        the session gets a new ID and creation time, so that a session
        planted before login is not the one that gets logged in."""
        self.clear()
        self._regenerate = True
        self.mark_modified()


class SessionMiddleware:
    """ASGI middleware: ``scope["session"]`` (``request.session``) from a
    sealed cookie. The codec and cookie settings are built once, here."""

    def __init__(
        self,
        app: Any,
        secret_key: Optional[str] = None,
        session_cookie: str = "session",
        max_age: Optional[int] = 14 * 24 * 60 * 60,
        path: str = "/",
        same_site: Literal["lax", "strict", "none"] = "lax",
        https_only: bool = False,
        domain: Optional[str] = None,
        partitioned: bool = False,
        *,
        keys: Union[str, Keyring, None] = None,
        signed: bool = False,
        purpose: str = "session",
    ) -> None:
        self.app = app
        if keys is None:
            keys = os.environ.get("COOKIE_SEAL_KEYS") or os.environ.get("SESSION_KEYS")
        if not keys:
            raise ConfigError(
                "SessionMiddleware needs keys=: the keyring text that `cookie-seal keygen` "
                "prints (or set COOKIE_SEAL_KEYS / SESSION_KEYS in the environment)"
            )
        lifetime = max_age if max_age is not None else BROWSER_SESSION_TOKEN_LIFETIME
        factory = Codec.signed if signed else Codec.sealed
        codec = factory(keys, purpose=purpose, max_age=lifetime)
        self.cookie = SessionCookie(
            codec,
            session_cookie,
            path=path,
            domain=domain,
            secure=https_only,
            http_only=True,
            same_site=same_site,
            partitioned=partitioned,
            browser_session=max_age is None,
        )
        self._starlette_signer: Any = None
        self._max_age = max_age
        if secret_key is not None:
            import itsdangerous

            self._starlette_signer = itsdangerous.TimestampSigner(str(secret_key))

    async def __call__(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        lines: List[bytes] = [v for k, v in scope["headers"] if k == b"cookie"]
        loaded = self.cookie.load(lines)
        session = Session(loaded.data)
        session._loaded = loaded
        if loaded.error is not None and self._starlette_signer is not None:
            self._migrate(scope, session)
        scope["session"] = session

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        cookie = self.cookie

        async def send_wrapper(message: Dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                current = scope["session"]
                if getattr(current, "accessed", True):
                    MutableHeaders(scope=message).add_vary_header("Cookie")
                # A session the app replaced with a plain dict counts as changed.
                modified = getattr(current, "modified", True)
                set_cookies = cookie.save(
                    loaded,
                    current if modified else None,
                    regenerate=getattr(current, "_regenerate", False),
                )
                if set_cookies:
                    headers = message.setdefault("headers", [])
                    if not isinstance(headers, list):
                        headers = message["headers"] = list(headers)
                    for value in set_cookies:
                        headers.append((b"set-cookie", value.encode("latin-1")))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _migrate(self, scope: Dict[str, Any], session: Session) -> None:
        """Reads a cookie Starlette's ``SessionMiddleware`` signed with
        ``secret_key`` into ``session``, to be written back sealed."""
        from itsdangerous import BadSignature

        from starlette.requests import HTTPConnection

        value = HTTPConnection(scope).cookies.get(self.cookie.name)
        if not value or "." not in value:
            return
        try:
            raw = self._starlette_signer.unsign(value.encode("utf-8"), max_age=self._max_age)
            data = json.loads(b64decode(raw))
        except (BadSignature, ValueError):
            return
        if isinstance(data, dict) and data:
            session.update(data)
            session.migrated = True
