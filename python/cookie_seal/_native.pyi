"""Type stubs of the native module (Rust, PyO3)."""

import datetime
from typing import Any, Dict, List, Literal, Mapping, Optional, Union

_Seconds = Union[int, float, datetime.timedelta]
_Keys = Union[str, "Keyring"]
_Cookies = Union[None, str, bytes, List[Union[str, bytes]]]

MAX_COOKIE_LEN: int
CRATE_VERSION: str

class Keyring:
    """Key IDs and keys; the primary one signs or seals. repr shows IDs only."""

    @staticmethod
    def parse(text: str) -> Keyring: ...
    @staticmethod
    def generate(key_id: int = 1) -> Keyring: ...
    @property
    def primary_id(self) -> int: ...
    @property
    def ids(self) -> List[int]: ...
    def export(self) -> str:
        """The textual keyring: it holds the keys."""

class Codec:
    """Sealed or signed tokens of session dicts."""

    @staticmethod
    def sealed(
        keys: _Keys,
        *,
        purpose: str = "session",
        max_age: Optional[_Seconds] = None,
        clock_skew: Optional[_Seconds] = None,
        absolute_lifetime: Optional[_Seconds] = None,
        compress: Optional[bool] = None,
        accept_signed: bool = False,
    ) -> Codec: ...
    @staticmethod
    def signed(
        keys: _Keys,
        *,
        purpose: str = "session",
        max_age: Optional[_Seconds] = None,
        clock_skew: Optional[_Seconds] = None,
        absolute_lifetime: Optional[_Seconds] = None,
        compress: Optional[bool] = None,
    ) -> Codec: ...
    @property
    def mode(self) -> Literal["sealed", "signed"]: ...
    @property
    def purpose(self) -> str: ...
    @property
    def max_age(self) -> float: ...
    @property
    def token_budget(self) -> int: ...
    def encode(self, data: Dict[str, Any], *, now: Optional[float] = None) -> str: ...
    def decode(self, token: str, *, now: Optional[float] = None) -> Dict[str, Any]: ...

class LoadedSession:
    """What SessionCookie.load found in a request."""

    @property
    def data(self) -> Dict[str, Any]: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def present(self) -> bool: ...
    @property
    def permanent(self) -> Optional[bool]: ...
    @property
    def key_id(self) -> Optional[int]: ...
    @property
    def issued_at(self) -> Optional[float]: ...
    @property
    def needs_reissue(self) -> bool: ...

class SessionCookie:
    """A codec bound to a cookie name and attributes."""

    def __init__(
        self,
        codec: Codec,
        name: str = "session",
        *,
        path: str = "/",
        domain: Optional[str] = None,
        secure: bool = True,
        http_only: bool = True,
        same_site: Optional[str] = "lax",
        partitioned: bool = False,
        max_age: Optional[_Seconds] = None,
        browser_session: bool = False,
    ) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def max_age(self) -> float: ...
    def load(self, cookies: _Cookies, *, now: Optional[float] = None) -> LoadedSession: ...
    def save(
        self,
        loaded: LoadedSession,
        data: Optional[Mapping[str, Any]] = None,
        *,
        permanent: Optional[bool] = None,
        regenerate: bool = False,
        force: bool = False,
        now: Optional[float] = None,
    ) -> List[str]: ...

def inspect(token: str) -> Dict[str, Any]:
    """The token's readable header, unverified: version, mode, key_id, issued_at."""

def panic_for_test() -> None: ...
