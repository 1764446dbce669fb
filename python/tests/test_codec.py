"""The core binding: Keyring, Codec, values, errors, no panics, packaging."""

from __future__ import annotations

import datetime
import math
import pathlib
import re
import time

import pytest

import cookie_seal
from cookie_seal import (
    Codec,
    ConfigError,
    Error,
    Expired,
    Invalid,
    IssuedInFuture,
    Keyring,
    Malformed,
    ModeMismatch,
    TooLarge,
    UnknownKey,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]

VALUES = {
    "none": None,
    "yes": True,
    "no": False,
    "zero": 0,
    "neg": -1,
    "u64_max": 2**64 - 1,
    "i64_min": -(2**63),
    "beyond_u64": 2**64,
    "below_i64": -(2**64) - 5,
    "i128_max": 2**127 - 1,
    "i128_min": -(2**127),
    "float": 0.1,
    "half": 1.5,
    "inf": math.inf,
    "text": "naïve ☃",
    "empty": "",
    "bytes": b"\x00\xff\x10",
    "list": [1, "two", [3.0, None]],
    "dict": {"a": {"b": [True, {"c": b"d"}]}},
}


def test_round_trip_every_value_kind(keys):
    for codec in (Codec.sealed(keys), Codec.signed(keys)):
        back = codec.decode(codec.encode(VALUES))
        assert back == VALUES
        for key, value in VALUES.items():
            assert type(back[key]) is type(value), key


def test_nan_round_trips(keys):
    codec = Codec.sealed(keys)
    assert math.isnan(codec.decode(codec.encode({"x": math.nan}))["x"])


def test_subclasses_store_as_their_base_type(keys):
    import enum

    class Colour(enum.IntEnum):
        RED = 1

    class Text(str):
        pass

    class Data(dict):
        pass

    codec = Codec.sealed(keys)
    back = codec.decode(codec.encode(Data(c=Colour.RED, t=Text("x"))))
    assert back == {"c": 1, "t": "x"}
    assert type(back["c"]) is int and type(back["t"]) is str


@pytest.mark.parametrize(
    "value, hint",
    [
        ((1, 2), "tuple"),
        ({1, 2}, "set"),
        (bytearray(b"x"), "bytearray"),
        (datetime.datetime(2026, 1, 1), "datetime"),
        (object(), "object"),
        ([1, (2,)], "tuple"),
        ({"nested": {3}}, "set"),
    ],
)
def test_unsupported_values_are_type_errors(keys, value, hint):
    with pytest.raises(TypeError, match=hint):
        Codec.sealed(keys).encode({"v": value})


def test_dict_keys_must_be_str(keys):
    with pytest.raises(TypeError, match="keys must be str"):
        Codec.sealed(keys).encode({"v": {1: "one"}})
    with pytest.raises(TypeError, match="keys must be str"):
        Codec.sealed(keys).encode({1: "one"})


def test_integers_beyond_128_bits_overflow(keys):
    with pytest.raises(OverflowError):
        Codec.sealed(keys).encode({"v": 2**127})
    with pytest.raises(OverflowError):
        Codec.sealed(keys).encode({"v": -(2**127) - 1})


def test_nesting_limit_and_cycles(keys):
    deep: list = []
    value = deep
    for _ in range(200):
        value.append([])
        value = value[0]
    with pytest.raises(ValueError, match="nested deeper"):
        Codec.sealed(keys).encode({"v": deep})
    cycle: list = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="nested deeper"):
        Codec.sealed(keys).encode({"v": cycle})


def test_sealed_token_hides_the_values(keys):
    token = Codec.sealed(keys).encode({"secret_value": "hunter2"})
    import base64

    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"hunter2" not in raw and b"secret_value" not in raw
    assert cookie_seal.inspect(token)["mode"] == "sealed"


def test_every_flipped_character_is_rejected(keys):
    codec = Codec.sealed(keys)
    token = codec.encode({"user_id": 42})
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for i, ch in enumerate(token):
        other = alphabet[(alphabet.index(ch) + 1) % 64]
        with pytest.raises(Error) as caught:
            codec.decode(token[:i] + other + token[i + 1 :])
        assert isinstance(
            caught.value, (Invalid, Malformed, UnknownKey, ModeMismatch)
        ), type(caught.value)


def test_wrong_key_purpose_and_mode(keys):
    token = Codec.sealed(keys).encode({"a": 1})
    with pytest.raises(Invalid):
        Codec.sealed(Keyring.generate(1)).decode(token)
    with pytest.raises(UnknownKey) as caught:
        Codec.sealed(Keyring.generate(7)).decode(token)
    assert caught.value.key_id == 1
    with pytest.raises(Invalid):
        Codec.sealed(keys, purpose="csrf").decode(token)
    with pytest.raises(ModeMismatch):
        Codec.signed(keys).decode(token)
    with pytest.raises(Malformed):
        Codec.sealed(keys).decode("not a token!")


def test_expiry_and_future(keys):
    codec = Codec.sealed(keys, max_age=datetime.timedelta(minutes=10))
    now = time.time()
    token = codec.encode({"a": 1}, now=now)
    assert codec.decode(token, now=now + 599) == {"a": 1}
    with pytest.raises(Expired) as caught:
        codec.decode(token, now=now + 601)
    assert caught.value.lifetime == "idle"
    assert abs(caught.value.expired_at - (now + 600)) < 2
    with pytest.raises(IssuedInFuture):
        codec.decode(token, now=now - 3600)


def test_absolute_lifetime(keys):
    codec = Codec.sealed(keys, max_age=3600, absolute_lifetime=60)
    now = time.time()
    token = codec.encode({"a": 1}, now=now)
    with pytest.raises(Expired) as caught:
        codec.decode(token, now=now + 61)
    assert caught.value.lifetime == "absolute"


def test_too_large(keys):
    with pytest.raises(TooLarge) as caught:
        Codec.sealed(keys).encode({"blob": "x" * 5000})
    assert caught.value.limit is not None and caught.value.length > caught.value.limit


def test_rotation_old_key_still_reads(rotated_keys):
    old = Codec.sealed(rotated_keys["old"])
    new = Codec.sealed(rotated_keys["new"])
    token = old.encode({"a": 1})
    assert new.decode(token) == {"a": 1}
    assert cookie_seal.inspect(new.encode({"a": 1}))["key_id"] == 2


def test_keyring_errors_are_config_and_value_errors():
    for text in ["", "1:short", "x:abc", "1:" + "A" * 43 + ",1:" + "B" * 43]:
        with pytest.raises(ConfigError):
            Keyring.parse(text)
        with pytest.raises(ValueError):
            Keyring.parse(text)
    with pytest.raises(TypeError):
        Codec.sealed(42)  # type: ignore[arg-type]


def test_no_secret_in_repr_or_errors(keys):
    ring = Keyring.parse(keys)
    secret = keys.split(":", 1)[1]
    codec = Codec.sealed(ring)
    for text in (repr(ring), str(ring), repr(codec), repr(cookie_seal.SessionCookie(codec))):
        assert secret not in text
    assert repr(ring) == "Keyring(primary_id=1, ids=[1])"
    broken = keys[:-4] + "!!!!"
    with pytest.raises(ConfigError) as caught:
        Keyring.parse(broken)
    assert secret[:-4] not in str(caught.value)


def test_every_error_subclasses_error():
    for name in cookie_seal._errors.__all__:
        assert issubclass(getattr(cookie_seal, name), Error)


def test_a_rust_panic_is_an_error_not_a_panic():
    with pytest.raises(Error, match="internal error"):
        cookie_seal._native.panic_for_test()


def test_version_follows_the_crate():
    cargo = (ROOT / "Cargo.toml").read_text()
    version = re.search(r'^version = "([^"]+)"', cargo, re.M).group(1)
    binding = (ROOT / "python" / "Cargo.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', binding, re.M).group(1) == version
    assert cookie_seal.__version__ == version
    from importlib.metadata import version as installed

    assert installed("cookie-seal") == version


def test_package_ships_stubs_and_py_typed():
    package = pathlib.Path(cookie_seal.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "_native.pyi").exists()


def test_keyring_text_round_trip_and_ids(rotated_keys):
    ring = Keyring.parse(rotated_keys["new"])
    assert ring.primary_id == 2 and ring.ids == [1, 2]
    assert Keyring.parse(ring.export()).export() == ring.export()


def test_session_cookie_load_reports_why_and_reads_header_lines(keys):
    cookie = cookie_seal.SessionCookie(Codec.sealed(keys), "sid", secure=False)
    loaded = cookie.load(None)
    assert (loaded.present, loaded.error, loaded.data) == (False, None, {})
    set_cookie = cookie.save(loaded, {"user_id": 3})
    pair = set_cookie[0].split(";", 1)[0]
    # Several header lines, bytes or str, and other cookies (one not UTF-8) beside it.
    for lines in (f"theme=dark; {pair}", [b"city=Z\xfcrich", pair.encode()], [pair]):
        loaded = cookie.load(lines)
        assert loaded.data == {"user_id": 3} and loaded.key_id == 1 and loaded.error is None
    assert cookie.load("sid=AAAA").error == "Malformed"
    token = pair.split("=", 1)[1]
    assert cookie.load(f"sid={token[:-2]}AA").error == "Invalid"
    expired = cookie.load(pair, now=time.time() + 2 * 86400)
    assert expired.error == "Expired" and expired.present and expired.data == {}
    # A rejected cookie is deleted; an untouched valid one is left alone.
    assert "Max-Age=0" in cookie.save(expired)[0]
    assert cookie.save(cookie.load(pair)) == []
    with pytest.raises(TypeError):
        cookie.load(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cookie_seal.SessionCookie(Codec.sealed(keys), same_site="sometimes")
    with pytest.raises(ConfigError):
        cookie_seal.SessionCookie(Codec.sealed(keys), "bad name")


def test_compression_is_opt_in_when_sealed(keys):
    data = {"text": "abc" * 300}
    plain = Codec.sealed(keys).encode(data)
    packed = Codec.sealed(keys, compress=True).encode(data)
    assert len(packed) < len(plain) // 3
    assert Codec.sealed(keys).decode(packed) == data
