"""QR label payloads and human item codes (pure, no database).

A payload is ``"EV1" + kind + key + check``:

* ``EV1``  – format marker and version, so a future layout can coexist with this one;
* kind     – ``I`` (item) or ``L`` (location);
* key      – the human code with its separators removed (``VC26-000123-K`` -> ``VC26000123K``);
* check    – one ISO/IEC 7064 MOD 37,36 character over everything before it.

Everything is upper-case ``[0-9A-Z]`` so the QR symbol uses alphanumeric mode (smaller symbol,
version 1 for a typical item) and a keyboard-wedge scanner cannot mistype it through a
lower-case keyboard layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_M = 36  # MOD 37,36: arithmetic modulo 36 and 37 (hybrid system)

PREFIX = "EV"
VERSION = "1"
KIND_CODES: dict[str, Literal["item", "location"]] = {"I": "item", "L": "location"}
_KIND_LETTER: dict[str, str] = {v: k for k, v in KIND_CODES.items()}

_SEPARATORS = str.maketrans("", "", "-./ ")
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9]")
_ITEM_CODE = re.compile(r"^VC(\d{2})-(\d{6,})-([0-9A-Z])$")


# --- ISO/IEC 7064 MOD 37,36 ----------------------------------------------------------------


def _values(s: str) -> list[int]:
    try:
        return [_VALUE[c] for c in s]
    except KeyError as exc:
        raise ValueError(f"not an upper-case alphanumeric string: {s!r}") from exc


def _running(values: list[int]) -> int:
    """The hybrid-system state P after consuming ``values`` (P starts at M)."""
    p = _M
    for a in values:
        s = (p + a) % _M or _M
        p = (2 * s) % (_M + 1)
    return p


def check_char(s: str) -> str:
    """The MOD 37,36 check character for ``s`` (upper-case ``[0-9A-Z]+``).

    The hybrid system yields one of the 36 input characters; ``*`` never occurs (that is the
    pure MOD 37-2 system). It detects every single substitution and every adjacent
    transposition, which is what a damaged or hand-typed label produces.
    """
    if not s:
        raise ValueError("cannot compute a check character of an empty string")
    # Choose c so that the final step lands on 1: (P + c) mod 36 == 1.
    return ALPHABET[(1 - _running(_values(s))) % _M]


def is_valid(s_with_check: str) -> bool:
    """True if the last character is the right MOD 37,36 check over the rest."""
    if len(s_with_check) < 2 or any(c not in _VALUE for c in s_with_check):
        return False
    return (_running(_values(s_with_check[:-1])) + _VALUE[s_with_check[-1]]) % _M == 1


# --- payloads --------------------------------------------------------------------------------


class PayloadError(ValueError):
    """A scan that must be refused. ``message_vi`` is what the Vietnamese UI shows."""

    message_vi = "Mã không hợp lệ"

    def __init__(self, message: str, raw: str = "") -> None:
        super().__init__(message)
        self.raw = raw


class DamagedPayload(PayloadError):
    """Looks like one of our payloads, but the check fails: damaged label or typo."""

    message_vi = "Nhãn bị hỏng hoặc nhập sai"


class UnknownFormat(PayloadError):
    """Not one of our payloads (another barcode, or a version this build does not know)."""

    message_vi = "Không phải mã nhãn của hệ thống hoặc phiên bản không được hỗ trợ"


@dataclass(frozen=True)
class ScannedPayload:
    kind: Literal["item", "location"]
    key: str

    @property
    def payload(self) -> str:
        return build_payload(_KIND_LETTER[self.kind], self.key)


def code_key(code: str) -> str:
    """``"vc26-000123-k"`` -> ``"VC26000123K"``; the key printed into the payload."""
    key = code.upper().translate(_SEPARATORS)
    if not key or any(c not in _VALUE for c in key):
        raise ValueError(f"code must be letters and digits (with - . / or spaces): {code!r}")
    return key


def build_payload(kind_letter: str, key: str) -> str:
    body = PREFIX + VERSION + kind_letter + key
    return body + check_char(body)


def make_payload(kind: str, code: str) -> str:
    """``make_payload("item", "VC26-000123-K")``; kind may also be the letter ``I``/``L``."""
    letter = _KIND_LETTER.get(kind, kind)
    if letter not in KIND_CODES:
        raise ValueError(f"unknown label kind: {kind!r}")
    return build_payload(letter, code_key(code))


def make_qr_content(payload: str, base_url: str | None) -> str:
    """What goes into the QR symbol: the bare payload, or a URL ending in it (phone cameras).

    An upper-case base URL (``HTTPS://EV.EXAMPLE.VN/S``) keeps the whole symbol in
    alphanumeric mode; a lower-case one costs byte mode and a larger symbol.
    """
    if not base_url:
        return payload
    return base_url.rstrip("/") + "/" + payload


def _normalise(raw: str) -> str:
    s = raw.strip()  # also drops the CR/LF/TAB a keyboard-wedge scanner appends
    s = _AIM_PREFIX.sub("", s, count=1).strip()  # "]Q1" symbology identifier
    if "/" in s:
        # URL form: the payload is the last non-empty path segment.
        path = s.split("#", 1)[0].split("?", 1)[0]
        segments = [seg for seg in path.split("/") if seg]
        s = segments[-1] if segments else ""
    return s.upper()


def looks_like_payload(raw: str) -> bool:
    """Whether input is meant as a label (``EV1…``) rather than a code typed by hand."""
    return _normalise(raw).startswith(PREFIX + VERSION)


def parse_scan(raw: str) -> ScannedPayload:
    """Read what a scanner or camera produced; refuse anything not exactly right."""
    s = _normalise(raw)
    if not s.startswith(PREFIX) or len(s) < len(PREFIX) + 1:
        raise UnknownFormat(f"not an evidence label: {raw!r}", raw)
    if s[len(PREFIX)] != VERSION:
        raise UnknownFormat(f"unsupported label version {s[: len(PREFIX) + 1]!r}", raw)
    body = s[len(PREFIX) + 1 :]
    # body = kind + key (>= 1) + check
    if len(body) < 3 or not is_valid(s):
        raise DamagedPayload(f"label is damaged or mistyped: {raw!r}", raw)
    kind = KIND_CODES.get(body[0])
    if kind is None:
        # The check passed, so this is a well-formed label of a kind we do not know yet.
        raise UnknownFormat(f"unknown label kind {body[0]!r}", raw)
    return ScannedPayload(kind=kind, key=body[1:-1])


# --- item codes ------------------------------------------------------------------------------


def make_item_code(year: int, seq: int) -> str:
    """``make_item_code(2026, 123)`` -> ``"VC26-000123-?"`` (the check is MOD 37,36)."""
    if year < 0 or seq < 0:
        raise ValueError("year and seq must be non-negative")
    yy = year % 100
    body = f"VC{yy:02d}{seq:06d}"
    return f"VC{yy:02d}-{seq:06d}-{check_char(body)}"


def is_valid_item_code(code: str) -> bool:
    """Strict canonical form ``VCyy-nnnnnn-C`` with a correct check character."""
    m = _ITEM_CODE.match(code)
    if m is None:
        return False
    yy, seq, check = m.groups()
    return check_char(f"VC{yy}{seq}") == check
