"""Sealed or signed session cookies with key rotation and hard size limits.

The Python face of the `cookie-seal` Rust crate: the same token format, so a
Rust service with the same keyring and cookie name reads the sessions a
Python app writes, and the other way round.

    from cookie_seal import Codec, Keyring
    codec = Codec.sealed(Keyring.parse(os.environ["SESSION_KEYS"]))
    token = codec.encode({"user_id": 42})
    data = codec.decode(token)

Flask: :class:`cookie_seal.flask.CookieSeal`. Starlette and FastAPI:
:class:`cookie_seal.starlette.SessionMiddleware`.
"""

from __future__ import annotations

from ._errors import (
    ConfigError,
    Error,
    Expired,
    Invalid,
    IssuedInFuture,
    Malformed,
    ModeMismatch,
    Revoked,
    TooLarge,
    UnknownKey,
)
from ._native import (
    CRATE_VERSION,
    MAX_COOKIE_LEN,
    Codec,
    Keyring,
    LoadedSession,
    SessionCookie,
    inspect,
)

__version__: str = CRATE_VERSION

__all__ = [
    "MAX_COOKIE_LEN",
    "Codec",
    "ConfigError",
    "Error",
    "Expired",
    "Invalid",
    "IssuedInFuture",
    "Keyring",
    "LoadedSession",
    "Malformed",
    "ModeMismatch",
    "Revoked",
    "SessionCookie",
    "TooLarge",
    "UnknownKey",
    "__version__",
    "inspect",
]
