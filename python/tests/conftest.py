"""Shared fixtures: keyrings, and helpers that read Set-Cookie headers."""

from __future__ import annotations

import os
from typing import Dict, List, Optional

import pytest

from cookie_seal import Keyring

#: With CI=true, a missing piece (Flask, Starlette, the Rust peer) fails the
#: run instead of skipping tests.
IN_CI = os.environ.get("CI") == "true"


def need(module: str):
    """Imports `module`, skipping the test without it (failing in CI)."""
    if IN_CI:
        return __import__(module)
    return pytest.importorskip(module)


@pytest.fixture
def keys() -> str:
    """A fresh one-key keyring, as text (what SESSION_KEYS holds)."""
    return Keyring.generate(1).export()


@pytest.fixture
def rotated_keys(keys: str) -> Dict[str, str]:
    """`old`: key 1 alone; `new`: key 2 primary, key 1 still accepted."""
    new_key = Keyring.generate(2).export()
    return {"old": keys, "new": f"{new_key},{keys}"}


def set_cookies(headers, name: str = "session") -> List[str]:
    """The Set-Cookie header values for cookie `name`."""
    values = headers.get_all("Set-Cookie") if hasattr(headers, "get_all") else headers.get_list("set-cookie")
    return [v for v in values if v.startswith(name + "=")]


def cookie_value(headers, name: str = "session") -> Optional[str]:
    """The value the response sets for cookie `name` (None: not set)."""
    found = set_cookies(headers, name)
    assert len(found) <= 1, found
    if not found:
        return None
    return found[0].split(";", 1)[0].split("=", 1)[1]


def attributes(header: str) -> Dict[str, str]:
    """The attributes of one Set-Cookie value, lower-cased names."""
    parts = [p.strip() for p in header.split(";")[1:]]
    out = {}
    for part in parts:
        name, _, value = part.partition("=")
        out[name.lower()] = value
    return out
