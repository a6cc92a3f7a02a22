"""The words headers are read with: spellings per canonical column, group and note words, district aliases.

Built in: contracts/headers.csv, contracts/header_words.csv and the city profile's district names and zones
(greenmfg.cities). A deployment adds
its own without a code change: files of the same names and columns in its configuration folder
(GREENMFG_CONFIG_DIR) extend the built-in ones, and `greenmfg inspect` prints the line to add for a header
it does not know.

A header is compared in a normal form (NFKC, no spaces, lower case, one kind of bracket). Its parts in
brackets are either a unit, a note that carries no meaning (盖章, 全称), or words that are part of its name
(工业总产值(当年价格) reads 工业总产值当年价格); a header matches a spelling only when every part of it is
accounted for this way — never because it merely contains a known spelling.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from greenmfg.cities import load_profile, selected
from greenmfg.contracts import CONTRACTS, HEADERS_CSV
from greenmfg.errors import SettingsError
from greenmfg.units import UNITS, fold

HEADER_WORDS_CSV = HEADERS_CSV.with_name("header_words.csv")
# File names a deployment's configuration folder may hold, each extending its built-in namesake.
CONFIG_FILES = ("headers.csv", "header_words.csv", "district_aliases.csv")
# Kinds of header word: a group parent, a bracketed note, a meaning-changing qualifier, a header to ignore.
WORD_KINDS = ("group", "note", "qualifier", "ignore")

_BRACKETS = str.maketrans(
    {"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")"}
)
_GROUP = re.compile(r"\(([^()]*)\)")
_UNIT_LABEL = re.compile(r"^(?:计量|金额|货币)?单位[:：]?")
_LEADING_MARKS = re.compile(r"^[*＊※△▲]+")
_UNIT_SEPARATOR = re.compile(r"[/_:：、,，]$")
# Longest spellings first, so 万千瓦时 is found before 千瓦时 at the end of a header.
_UNITS_BY_LENGTH = sorted(UNITS, key=len, reverse=True)


def normalise(text: str) -> str:
    """Comparable form: NFKC (full-width → ASCII), no whitespace, lower case, round brackets only."""
    folded = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    return re.sub(r"\s+", "", folded).lower()


@dataclass(frozen=True)
class HeaderParts:
    """A header taken apart: the name it reads as, the units it states and the notes it carries."""

    name: str
    units: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def decompose(text: str, notes: frozenset[str] = frozenset()) -> HeaderParts:
    """Bracketed units and notes out, other bracketed words kept as part of the name."""
    text = _LEADING_MARKS.sub("", normalise(text))
    units: list[str] = []
    found_notes: list[str] = []

    def part(match: re.Match) -> str:
        inner = _UNIT_LABEL.sub("", match.group(1))
        if inner and fold(inner) in UNITS:
            units.append(fold(inner))
            return ""
        if inner in notes:
            found_notes.append(inner)
            return ""
        return inner

    while (replaced := _GROUP.sub(part, text)) != text:
        text = replaced
    return HeaderParts(text.replace("(", "").replace(")", ""), tuple(units), tuple(found_notes))


def trailing_unit(name: str) -> tuple[str, str] | None:
    """('营业收入万元') → ('营业收入', '万元'): a unit written after the name without brackets, if any."""
    for unit in _UNITS_BY_LENGTH:
        if len(name) > len(unit) and name.endswith(unit):
            return _UNIT_SEPARATOR.sub("", name[: -len(unit)]), unit
    return None


@dataclass(frozen=True)
class Vocabulary:
    """Everything header reading needs, built-in and deployment words merged."""

    spellings: dict[str, dict[str, str]]  # filing type → normalised spelling → canonical column
    written: dict[str, dict[str, tuple[str, ...]]]  # filing type → column → spellings as written
    groups: frozenset[str]  # parent headers that only group their children (能源消费量)
    notes: frozenset[str]  # bracketed words that carry no meaning (盖章)
    qualifiers: frozenset[str]  # words that make a parent header change its children's meaning (上年, 计划)
    ignored: frozenset[str]  # headers known to carry nothing a contract reads (联系人)
    district_aliases: dict[str, str]  # name or alias → district code
    city_code: str  # the city the district aliases are of
    place_prefixes: tuple[str, ...]  # the city's and province's names a district label may be written under
    sources: tuple[str, ...]  # files read, for provenance

    def column_for(self, filing_type: str, name: str) -> str | None:
        return self.spellings.get(filing_type, {}).get(name)


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise SettingsError(
                    f"{path}: columns {missing} missing; expected a header row {list(columns)}"
                )
            return [row for row in reader if any((v or "").strip() for v in row.values())]
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read ({exc})") from None


def _config_files(config_dir: str | None) -> tuple[tuple[str, float], ...]:
    """(path, mtime) of the configuration files that exist: the cache key of a vocabulary."""
    if not config_dir:
        return ()
    folder = Path(config_dir)
    return tuple(
        (str(folder / name), (folder / name).stat().st_mtime)
        for name in CONFIG_FILES
        if (folder / name).is_file()
    )


def load_vocabulary(config_dir: str | None = None, city: str | None = None) -> Vocabulary:
    """The built-in vocabulary of the city (the selected one by default) extended by the configuration
    folder's files (re-read when they change)."""
    return _load(_config_files(config_dir), city or selected().code)


@cache
def _load(extra: tuple[tuple[str, float], ...], city_code: str) -> Vocabulary:
    extra_paths = {Path(path).name: Path(path) for path, _ in extra}

    def files(name: str, builtin: Path) -> list[Path]:
        return [builtin, *([extra_paths[name]] if name in extra_paths else [])]

    words: dict[str, list[str]] = {}
    for path in files("header_words.csv", HEADER_WORDS_CSV):
        for row in _read_csv(path, ("kind", "word")):
            if row["kind"] not in WORD_KINDS:
                raise SettingsError(
                    f"{path}: unknown kind {row['kind']!r} of header word {row['word']!r}; "
                    f"expected one of {list(WORD_KINDS)}"
                )
            words.setdefault(row["kind"], []).append(row["word"])
    notes = frozenset(normalise(word) for word in words.get("note", []))
    groups = frozenset(decompose(word, notes).name for word in words.get("group", []))
    qualifiers = frozenset(normalise(word) for word in words.get("qualifier", []))
    ignored = frozenset(decompose(word, notes).name for word in words.get("ignore", []))

    spellings: dict[str, dict[str, str]] = {}
    written: dict[str, dict[str, list[str]]] = {}
    for path in files("headers.csv", HEADERS_CSV):
        for row in _read_csv(path, ("filing_type", "column", "raw_header")):
            filing_type, column, raw = row["filing_type"].strip(), row["column"].strip(), row["raw_header"]
            contract = CONTRACTS.get(filing_type)
            if contract is None or column not in contract.column_names:
                raise SettingsError(
                    f"{path}: header spelling {raw!r} names {filing_type}.{column}, which is not a canonical "
                    f"column; expected a filing type of {sorted(CONTRACTS)} and one of its columns"
                )
            index = spellings.setdefault(filing_type, {})
            index.setdefault(normalise(column), column)
            index.setdefault(decompose(raw, notes).name, column)
            written.setdefault(filing_type, {}).setdefault(column, []).append(raw)

    city = load_profile(city_code)
    aliases = city.district_aliases()
    if "district_aliases.csv" in extra_paths:
        path, known = extra_paths["district_aliases.csv"], set(city.region_codes())
        for row in _read_csv(path, ("alias", "district_code")):
            if row["district_code"] not in known:
                raise SettingsError(
                    f"{path}: district code {row['district_code']!r} of alias {row['alias']!r} is not a "
                    f"district; expected one of {sorted(known)}"
                )
            aliases[row["alias"]] = row["district_code"]
    return Vocabulary(
        spellings=spellings,
        written={ft: {c: tuple(v) for c, v in cols.items()} for ft, cols in written.items()},
        groups=groups,
        notes=notes,
        qualifiers=qualifiers,
        ignored=ignored,
        district_aliases=aliases,
        city_code=city.code,
        place_prefixes=city.place_prefixes(),
        sources=(
            *(str(p) for p in (HEADERS_CSV, HEADER_WORDS_CSV, *extra_paths.values())),
            city.profile_file,
        ),
    )
