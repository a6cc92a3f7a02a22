"""Named rewrites of a cell's text before typing, for columns whose values are written in more than one
notation (Column.normaliser): each reads a notation exactly or leaves the text as written for the column's
checks to judge."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pyarrow as pa

from greenmfg import codes
from greenmfg.parsing.values import Converted, map_unique

_STARS = re.compile(r"^([1-5一二三四五])\s*(?:星级?|★)$")
_CN_STARS = {c: str(i) for i, c in enumerate("一二三四五", start=1)}
_SECTION_CLASS = re.compile(r"^([A-Za-z])\s*(\d{4})$")


def stars(text: str) -> str | None:
    """★★★ → 3, 四星级 → 4, 5星 → 5; anything else as written."""
    token = unicodedata.normalize("NFKC", text).strip()
    solid = token.replace("☆", "")
    if solid and set(solid) == {"★"}:
        return str(len(solid))
    if match := _STARS.match(token):
        return _CN_STARS.get(match.group(1), match.group(1))
    return token


def industry_class(text: str) -> str | None:
    """C2822 → 2822 when C is the GB/T 4754 section of division 28; a letter of another section stays, so the
    class's pattern check quarantines it with the evidence."""
    token = unicodedata.normalize("NFKC", text).strip()
    match = _SECTION_CLASS.match(token)
    if match and match.group(2)[:2] in codes.section_divisions().get(match.group(1).upper(), ()):
        return match.group(2)
    return token


# A register's status column (状态): the words for an accreditation still in force and for one removed.
_IN_FORCE = frozenset({"有效", "正常", "在册", "保留", "有效期内", "在有效期内"})
_REMOVED = frozenset({"撤销", "已撤销", "被撤销", "取消", "已取消", "移出", "已移出", "动态调整出", "摘牌"})


def revocation(text: str) -> str | None:
    """有效 → 否 (not removed), 撤销 / 动态调整出 → 是; yes/no answers as written."""
    token = unicodedata.normalize("NFKC", text).strip()
    if token in _IN_FORCE:
        return "否"
    if token in _REMOVED:
        return "是"
    return token


NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "stars": stars,
    "industry_class": industry_class,
    "revocation": revocation,
}


def normalise_cells(name: str, array: pa.ChunkedArray) -> pa.Array:
    """The column's text rewritten by the normaliser `name`, once per distinct value."""
    rewritten: Converted = map_unique(array, NORMALISERS[name], pa.string())
    return rewritten[0]
