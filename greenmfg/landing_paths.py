"""Local files and folders → landing keys, as `greenmfg ingest` lands them (the layout of greenmfg.landing).

A file given by name lands as `<type>/<name>` (`auto/<name>` when no type is given: the parser detects it);
`--period P` puts it under the layout's period folder, `<type>/period=<P>/<name>`. A folder contributes its
.csv/.xlsx/.xls files; a first-level subfolder named like a landing prefix (a filing type, `miit_lists`)
keeps that type (so does a folder given by such a name), and one further folder level is kept where the
layout has room for it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from greenmfg.errors import GreenmfgError
from greenmfg.landing import ALLOWED_EXTENSIONS, AUTO_GROUP, landing_prefixes, period_folder

_LAYOUT = "<type>/<file>, <type>/<folder>/<file> or <folder>/<file>"


class LandingPathError(GreenmfgError):
    """A local path that cannot be landed as given (missing, too deeply nested, in conflict with --type)."""


@dataclass(frozen=True)
class LocalFile:
    """One local file and the landing key it is written to."""

    path: Path
    landing_key: str


@dataclass(frozen=True)
class Collected:
    """The files to land, in landing order, and the files of the folders that are not filings."""

    files: list[LocalFile]
    skipped: list[Path] = field(default_factory=list)


def landing_key(parts: Sequence[str], *, filing_type: str | None = None, period: str | None = None) -> str:
    """The landing key of a file at `parts` (its path below the folder given, or just its name).

    Pure: the same parts and options always give the same key, or LandingPathError naming the file.
    """
    *folders, name = parts
    shown = "/".join(parts)
    prefix = filing_type or AUTO_GROUP
    if folders and folders[0] in landing_prefixes():
        if filing_type is not None and folders[0] != filing_type:
            raise LandingPathError(
                f"{shown}: its folder says type {folders[0]}, --type says {filing_type}; "
                "ingest that folder on its own or drop --type"
            )
        prefix, folders = folders[0], folders[1:]
    if len(folders) > 1:
        raise LandingPathError(
            f"{shown}: nested too deeply for the landing layout ({_LAYOUT}); ingest its folder on its own"
        )
    try:
        middle = [period_folder(period)] if period is not None else folders
    except ValueError as exc:
        raise LandingPathError(f"{shown}: --period: {exc}") from None
    return "/".join([prefix, *middle, name])


def is_hidden(name: str) -> bool:
    """Hidden files and folders, and Excel's owner files (`~$book.xlsx`), are never filings."""
    return name.startswith((".", "~$"))


def collect(paths: Sequence[Path], *, filing_type: str | None = None, period: str | None = None) -> Collected:
    """Files to land for `paths`, in the order given (a folder's files sorted), each with its landing key.

    A file named on the command line is always landed, whatever its extension, so that a refusal is
    archived and reported; in a folder only filings are picked up and the rest is listed as skipped.
    """
    files: list[LocalFile] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            found, others = _folder_files(path)
            if not found:
                raise LandingPathError(
                    f"{path}: no {'/'.join(ALLOWED_EXTENSIONS)} file in this folder"
                    + (f" (found {len(others)} other files)" if others else "")
                )
            skipped += others
            # A folder named like a type is that type's folder, as a first-level subfolder would be.
            named = (path.resolve().name,) if path.resolve().name in landing_prefixes() else ()
            for parts in found:
                key = landing_key((*named, *parts), filing_type=filing_type, period=period)
                files.append(LocalFile(path.joinpath(*parts), key))
        elif path.is_file():
            if is_hidden(path.name):
                raise LandingPathError(f"{path}: a hidden or temporary file (Excel owner file), not a filing")
            files.append(LocalFile(path, landing_key([path.name], filing_type=filing_type, period=period)))
        else:
            raise LandingPathError(f"{path}: no such file or folder")
    _check_unique(files)
    return Collected(files, skipped)


def _folder_files(folder: Path) -> tuple[list[tuple[str, ...]], list[Path]]:
    """(relative parts of every filing below `folder`, sorted; other visible files), hidden ones left out."""
    found, others = [], []
    for root, folders, names in os.walk(folder, followlinks=False):
        folders[:] = [name for name in folders if not is_hidden(name)]
        base = Path(root).relative_to(folder).parts
        for name in names:
            path = Path(root, name)
            if is_hidden(name) or not path.is_file():
                continue
            if path.suffix.lower() in ALLOWED_EXTENSIONS:
                found.append((*base, name))
            else:
                others.append(path)
    return sorted(found), sorted(others)


def _check_unique(files: list[LocalFile]) -> None:
    seen: dict[str, Path] = {}
    for file in files:
        if file.landing_key in seen:
            raise LandingPathError(
                f"{seen[file.landing_key]} and {file.path} would both land as {file.landing_key}; "
                "rename one or ingest them separately"
            )
        seen[file.landing_key] = file.path
