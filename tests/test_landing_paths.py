"""Local files and folders → landing keys: the keys `greenmfg ingest` lands each file under, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenmfg.landing import parse_landing_key
from greenmfg.landing_paths import LandingPathError, collect, landing_key

KEYS = [
    # parts below the path given, --type, --period, landing key
    (("2020年报.xlsx",), None, None, "auto/2020年报.xlsx"),
    (("贷款.csv",), "green_loans", None, "green_loans/贷款.csv"),
    (("贷款.csv",), "green_loans", "2020", "green_loans/period=2020/贷款.csv"),
    (("名单.XLS",), None, "6", "auto/period=6/名单.XLS"),
    (("enterprise_stats", "a.csv"), None, None, "enterprise_stats/a.csv"),
    (("enterprise_stats", "a.csv"), "enterprise_stats", None, "enterprise_stats/a.csv"),
    (("enterprise_stats", "2020", "a.csv"), None, None, "enterprise_stats/2020/a.csv"),
    (("enterprise_stats", "2020", "a.csv"), None, "2021", "enterprise_stats/period=2021/a.csv"),
    (("miit_lists", "data01.xlsx"), None, "6", "miit_lists/period=6/data01.xlsx"),
    (("green_loans", "period=2020", "q.csv"), None, None, "green_loans/period=2020/q.csv"),
    (("2020", "a.csv"), None, None, "auto/2020/a.csv"),  # a folder not named like a type stays a folder
    (("2020", "a.csv"), "incentives", None, "incentives/2020/a.csv"),
]

REFUSED = [
    # parts, --type, --period, words of the refusal
    (
        ("green_loans", "a.csv"),
        "incentives",
        None,
        "its folder says type green_loans, --type says incentives",
    ),
    (("a", "b", "c.csv"), None, None, "nested too deeply"),
    (("enterprise_stats", "a", "b", "c.csv"), None, None, "nested too deeply"),
    (("a.csv",), None, "2020/..", "--period"),
]


@pytest.mark.parametrize(("parts", "filing_type", "period", "expected"), KEYS)
def test_landing_key_of_each_local_path(parts, filing_type, period, expected) -> None:
    key = landing_key(parts, filing_type=filing_type, period=period)
    assert key == expected
    landed = parse_landing_key(key)  # every key made is one the landing layout accepts, meaning the same
    assert landed.name == parts[-1] and (period is None or landed.period == period)


@pytest.mark.parametrize(("parts", "filing_type", "period", "words"), REFUSED)
def test_paths_the_layout_cannot_hold_are_refused_naming_the_file(parts, filing_type, period, words) -> None:
    with pytest.raises(LandingPathError) as caught:
        landing_key(parts, filing_type=filing_type, period=period)
    assert words in str(caught.value) and parts[-1] in str(caught.value)


def _tree(root: Path, names: list[str]) -> Path:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(name.encode())
    return root


def test_folder_keeps_type_subfolders_and_skips_hidden_and_other_files(tmp_path: Path) -> None:
    folder = _tree(
        tmp_path / "bureau",
        [
            "b.csv",
            "a.xlsx",
            "green_loans/2021/q1.csv",
            "enterprise_stats/stats.XLS",
            "enterprise_stats/~$stats.xlsx",
            ".git/config.csv",
            "incentives/.hidden.csv",
            "notes.txt",
            "answer_key.json",
        ],
    )
    collected = collect([folder])
    assert [(f.path.relative_to(folder).as_posix(), f.landing_key) for f in collected.files] == [
        ("a.xlsx", "auto/a.xlsx"),
        ("b.csv", "auto/b.csv"),
        ("enterprise_stats/stats.XLS", "enterprise_stats/stats.XLS"),
        ("green_loans/2021/q1.csv", "green_loans/2021/q1.csv"),
    ]
    assert [p.name for p in collected.skipped] == ["answer_key.json", "notes.txt"]


def test_a_folder_named_like_a_type_is_that_type(tmp_path: Path) -> None:
    folder = _tree(tmp_path / "green_register", ["2020.csv", "batch2/2021.csv"])
    assert [f.landing_key for f in collect([folder]).files] == [
        "green_register/2020.csv",
        "green_register/batch2/2021.csv",
    ]


def test_files_given_by_name_are_landed_whatever_their_extension(tmp_path: Path) -> None:
    _tree(tmp_path, ["scan.pdf", "loans.csv"])
    collected = collect([tmp_path / "scan.pdf", tmp_path / "loans.csv"], filing_type="green_loans")
    assert [f.landing_key for f in collected.files] == ["green_loans/scan.pdf", "green_loans/loans.csv"]


@pytest.mark.parametrize(
    ("names", "given", "period", "words"),
    [
        ([], "missing.csv", None, "no such file or folder"),
        (["~$book.xlsx"], "~$book.xlsx", None, "hidden or temporary"),
        (["x/readme.txt"], "x", None, "no .csv/.xlsx/.xls file in this folder (found 1 other files)"),
        (["one/q.csv", "two/q.csv"], "", "2020", "would both land as auto/period=2020/q.csv"),
    ],
)
def test_collect_refuses_what_cannot_be_landed(tmp_path: Path, names, given, period, words) -> None:
    _tree(tmp_path, names)
    with pytest.raises(LandingPathError) as caught:
        collect([tmp_path / given], period=period)
    assert words in str(caught.value)
