"""The exceptions of cookie_seal: every one subclasses :class:`Error`.

The native module raises them; messages never hold key material or the
contents of a rejected cookie.
"""

from __future__ import annotations

from typing import Optional


class Error(Exception):
    """Base class of every cookie_seal error."""


class Malformed(Error):
    """Not a token: bad base64, bad structure, or an unsupported format version."""


class ModeMismatch(Error):
    """A signed token given to a sealed codec, or the other way round."""


class UnknownKey(Error):
    """The token names a key ID the keyring does not hold (no other key is tried)."""

    key_id: Optional[int] = None


class Invalid(Error):
    """The token failed authentication: forged, modified, another key, purpose or cookie."""


class Expired(Error):
    """The authentic token is older than the idle (or absolute) lifetime allows."""

    expired_at: Optional[float] = None
    lifetime: Optional[str] = None


class IssuedInFuture(Error):
    """The authentic token was issued further in the future than the clock skew allows."""


class TooLarge(Error):
    """A session or token over its size limit (a cookie holds 4096 bytes with its name)."""

    length: Optional[int] = None
    limit: Optional[int] = None


class Revoked(Error):
    """The authentic token carries a session generation that was revoked."""

    generation: Optional[int] = None
    current: Optional[int] = None


class ConfigError(Error, ValueError):
    """A bad keyring (syntax, short key, duplicate ID, empty) or a bad option."""


__all__ = [
    "ConfigError",
    "Error",
    "Expired",
    "Invalid",
    "IssuedInFuture",
    "Malformed",
    "ModeMismatch",
    "Revoked",
    "TooLarge",
    "UnknownKey",
]
