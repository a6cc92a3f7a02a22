"""Landed object keys are untrusted input: parse `<filing_type>/[<folder>/]<file name>` or say why not.

Accepted layout (relative to the landing area):
  <filing_type>/<file name>            e.g. enterprise_stats/2020年报.xlsx
  <filing_type>/<folder>/<file name>   one folder level (a batch, a year): green_loans/2021/q1.csv
  <filing_type>/period=<p>/<file name> the sender states the period of a file that carries none itself
  miit_lists/[period=<p>/]<file name>  a workbook holding several MIIT lists, one per sheet
  auto/[<folder>/]<file name>          a file of unstated type: the parser detects it among every type
The filing type is a key of greenmfg.contracts.CONTRACTS (or a group of LANDING_GROUPS); the file name ends
in .csv, .xlsx or .xls (any case; .xls is a legacy Excel 97-2003 workbook).

Ignored, not rejected (`is_ignorable`): objects a store or an editor writes beside real files and removes
again — any segment starting with "." (SeaweedFS keeps multipart parts under `.uploads/`, editors write
`.~lock.*#`) and Excel owner files `~$*.xlsx`. They are never archived as rejected: they are not filings.

Rejected (RejectedLandingKeyError, the flow archives the object under the rejected area): everything that
could escape the landing prefix or confuse a later path join, and everything that is not a known filing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NoReturn

from greenmfg.contracts import CONTRACTS, MIIT_FILING_TYPES
from greenmfg.errors import RejectedLandingKeyError

MAX_KEY_BYTES = 1024  # S3's own limit on a key, in UTF-8 bytes
MAX_SEGMENTS = 3  # filing type, at most one folder, file name
ALLOWED_EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx", ".xls")

# Control (C0, DEL, C1), format (bidi overrides, zero-width), surrogate, private-use, line/paragraph breaks.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
_SHOWN_KEY_CHARS = 120
_PERIOD = "[0-9A-Za-z_-]{1,16}"
_PERIOD_FOLDER = re.compile(rf"^period=({_PERIOD})$")

# Landing prefixes that stand for several filing types, told apart by the parser (sheet names, headers).
# `auto` is what `greenmfg ingest` lands a file under when the sender names no type.
AUTO_GROUP = "auto"
LANDING_GROUPS: dict[str, tuple[str, ...]] = {"miit_lists": MIIT_FILING_TYPES, AUTO_GROUP: tuple(CONTRACTS)}


def landing_prefixes() -> list[str]:
    """Every first key segment the layout accepts: the filing types and the group prefixes."""
    return sorted([*CONTRACTS, *LANDING_GROUPS])


def period_folder(period: str) -> str:
    """The `period=<p>` folder stating a file's period, or ValueError saying what a period may hold."""
    folder = f"period={period}"
    if not _PERIOD_FOLDER.match(folder):
        raise ValueError(f"period {period!r}: expected 1-16 letters, digits, '_' or '-' (e.g. 2020)")
    return folder


@dataclass(frozen=True)
class LandingKey:
    """A landed key that passed every check: its filing type and file name are safe to use."""

    key: str
    filing_type: str | None  # None for a group prefix: the parser detects the type among `filing_types`
    name: str
    filing_types: tuple[str, ...] = ()
    period: str | None = None  # from a `period=<p>` folder


def parse_landing_key(key: str) -> LandingKey:
    """The filing type and file name of `key`, or RejectedLandingKeyError naming the first problem."""
    segments = _safe_segments(key)
    filing_type, name = segments[0], segments[-1]
    if _hidden_segment(segments) is not None:
        _reject(key, "hidden or temporary object, not a filing", found=_hidden_segment(segments))
    if filing_type not in CONTRACTS and filing_type not in LANDING_GROUPS:
        _reject(key, "unknown filing type", found=filing_type, expected=landing_prefixes())
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        _reject(
            key, "unsupported file type", found=extension or "no extension", expected=list(ALLOWED_EXTENSIONS)
        )
    period_match = _PERIOD_FOLDER.match(segments[1]) if len(segments) == MAX_SEGMENTS else None
    if filing_type in LANDING_GROUPS:
        return LandingKey(key, None, name, LANDING_GROUPS[filing_type], period_match and period_match[1])
    return LandingKey(key, filing_type, name, (filing_type,), period_match and period_match[1])


def is_ignorable(key: str) -> bool:
    """True for a safe key naming a temporary or hidden object, which is skipped without any event.

    An unsafe key is never ignorable, so `.uploads/../x.csv` is rejected rather than silently skipped.
    """
    try:
        segments = _safe_segments(key)
    except RejectedLandingKeyError:
        return False
    return _hidden_segment(segments) is not None


def _safe_segments(key: str) -> list[str]:
    """The key's segments, after the checks that keep it inside the landing prefix."""
    if not key:
        _reject(key, "empty key")
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        _reject(key, "key too long", found=f"{size} bytes", expected=f"at most {MAX_KEY_BYTES} bytes")
    for position, char in enumerate(key):
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            _reject(key, "control or invisible character", found=f"U+{ord(char):04X} at position {position}")
    if "\\" in key:
        _reject(key, "backslash in key (a Windows path separator)")
    if key.startswith("/") or _WINDOWS_DRIVE.match(key):
        _reject(key, "absolute path", expected="a key relative to the landing area")
    segments = key.split("/")
    for segment in segments:
        folded = unicodedata.normalize("NFKC", segment)
        if folded in (".", ".."):
            _reject(key, "path traversal segment", found=segment)
        if "/" in folded or "\\" in folded:
            _reject(key, "character that normalises to a path separator", found=segment)
    if any(not segment.strip() for segment in segments):
        _reject(key, "empty path segment (a doubled or trailing '/', or blanks only)")
    if not 2 <= len(segments) <= MAX_SEGMENTS:
        _reject(
            key,
            "wrong folder depth",
            found=f"{len(segments)} segments",
            expected="<filing_type>/<file name> or <filing_type>/<folder>/<file name>",
        )
    return segments


def _hidden_segment(segments: list[str]) -> str | None:
    for segment in segments:
        if segment.startswith(".") or segment.startswith("~$"):
            return segment
    return None


def _reject(key: str, problem: str, *, found: object = None, expected: object = None) -> NoReturn:
    shown = key if len(key) <= _SHOWN_KEY_CHARS else key[:_SHOWN_KEY_CHARS] + "…"
    raise RejectedLandingKeyError(f"landing key {shown!r}", problem, found=found, expected=expected)
