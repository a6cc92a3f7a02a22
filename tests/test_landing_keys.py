"""Landed keys: which are accepted, ignored or rejected, and that each rejection says why."""

from __future__ import annotations

import re

import pytest

from greenmfg.contracts import CONTRACTS, MIIT_FILING_TYPES
from greenmfg.errors import FilingError, RejectedLandingKeyError
from greenmfg.landing import LANDING_GROUPS, MAX_KEY_BYTES, is_ignorable, parse_landing_key

ACCEPTED = [
    # key, filing type, file name
    ("enterprise_stats/2020.csv", "enterprise_stats", "2020.csv"),
    ("green_register/register.xlsx", "green_register", "register.xlsx"),
    ("incentives/REPORT.XLSX", "incentives", "REPORT.XLSX"),
    ("green_loans/2021/q1.csv", "green_loans", "q1.csv"),
    ("miit_green_factories/第七批 绿色工厂名单.xlsx", "miit_green_factories", "第七批 绿色工厂名单.xlsx"),
    ("enterprise_stats/２０２０年报.csv", "enterprise_stats", "２０２０年报.csv"),  # full-width digits
    ("enterprise_stats/a..b.csv", "enterprise_stats", "a..b.csv"),  # dots inside a name are no traversal
    ("enterprise_stats/%2e%2e.csv", "enterprise_stats", "%2e%2e.csv"),  # nothing decodes it again
]

IGNORED = [
    ".uploads/f2aa6698ec1a_8b08/0001_0fd3dd32.part",  # SeaweedFS multipart part, as its webhook posts it
    "enterprise_stats/.~lock.2020.xlsx#",
    "enterprise_stats/~$2020.xlsx",
    "enterprise_stats/.hidden.csv",
    "green_loans/.tmp/q1.csv",
]

REJECTED = [
    # key, words expected in the reason
    ("", "empty key"),
    ("enterprise_stats/../raw/x.csv", "traversal"),
    ("../enterprise_stats/x.csv", "traversal"),
    ("enterprise_stats/./x.csv", "traversal"),
    ("enterprise_stats/..", "traversal"),
    ("enterprise_stats/．．/x.csv", "traversal"),  # full-width dots fold to '..' under NFKC
    ("enterprise_stats/a／b.csv", "path separator"),  # full-width solidus folds to '/'
    (".uploads/../enterprise_stats/x.csv", "traversal"),  # hidden but unsafe: rejected, not ignored
    ("/enterprise_stats/x.csv", "absolute path"),
    ("C:/enterprise_stats/x.csv", "absolute path"),
    ("enterprise_stats\\x.csv", "backslash"),
    ("enterprise_stats/x\x00.csv", "U+0000"),
    ("enterprise_stats/x\n.csv", "U+000A"),
    ("enterprise_stats/x\r.csv", "U+000D"),
    ("enterprise_stats/x\t.csv", "U+0009"),
    ("enterprise_stats/x\x7f.csv", "U+007F"),
    ("enterprise_stats/x\x85.csv", "U+0085"),  # C1 next line
    ("enterprise_stats/x\u202ecsv.xlsx", "U+202E"),  # right-to-left override hides the real extension
    ("enterprise_stats/x\u2028.csv", "U+2028"),
    ("enterprise_stats//x.csv", "empty path segment"),
    ("enterprise_stats/x.csv/", "empty path segment"),
    ("enterprise_stats/ /x.csv", "empty path segment"),
    ("enterprise_stats/" + "x" * MAX_KEY_BYTES + ".csv", "too long"),
    ("enterprise_stats/" + "表" * 340 + ".csv", "too long"),  # 1,041 UTF-8 bytes in 361 characters
    ("x.csv", "folder depth"),
    ("green_loans/2021/q1/a.csv", "folder depth"),
    ("unknown_type/x.csv", "unknown filing type"),
    ("Enterprise_Stats/x.csv", "unknown filing type"),
    ("enterprise_stats/x.pdf", "unsupported file type"),
    ("enterprise_stats/x.csv.exe", "unsupported file type"),
    ("enterprise_stats/x.xlsm", "unsupported file type"),
    ("enterprise_stats/README", "no extension"),
    ("enterprise_stats/x.csv ", "unsupported file type"),
]


@pytest.mark.parametrize(("key", "filing_type", "name"), ACCEPTED)
def test_accepted_keys_give_type_and_name(key: str, filing_type: str, name: str) -> None:
    parsed = parse_landing_key(key)
    assert (parsed.key, parsed.filing_type, parsed.name) == (key, filing_type, name)
    assert parsed.filing_types == (filing_type,)
    assert not is_ignorable(key)


@pytest.mark.parametrize("key", IGNORED)
def test_temporary_objects_are_ignored(key: str) -> None:
    assert is_ignorable(key)
    with pytest.raises(RejectedLandingKeyError, match="hidden or temporary"):
        parse_landing_key(key)


@pytest.mark.parametrize(("key", "reason"), REJECTED)
def test_rejected_keys_name_the_reason(key: str, reason: str) -> None:
    assert not is_ignorable(key)
    with pytest.raises(RejectedLandingKeyError, match=re.escape(reason)) as caught:
        parse_landing_key(key)
    assert isinstance(caught.value, FilingError)
    assert str(caught.value).startswith("landing key ")


def test_unknown_type_lists_the_known_ones() -> None:
    with pytest.raises(RejectedLandingKeyError) as caught:
        parse_landing_key("energy/x.csv")
    assert caught.value.expected == sorted([*CONTRACTS, *LANDING_GROUPS])
    assert all(filing_type in str(caught.value) for filing_type in list(CONTRACTS)[:3])


def test_period_folder_states_the_period() -> None:
    assert parse_landing_key("green_loans/period=2020/q.csv").period == "2020"
    assert parse_landing_key("green_loans/2020/q.csv").period is None


def test_group_prefix_leaves_the_type_to_the_parser() -> None:
    landed = parse_landing_key("miit_lists/period=6/data01.xlsx")
    assert landed.filing_type is None
    assert landed.filing_types == MIIT_FILING_TYPES
    assert landed.period == "6"


def test_auto_group_lets_the_parser_choose_among_every_type() -> None:
    landed = parse_landing_key("auto/period=2020/贷款.XLS")
    assert (landed.filing_type, landed.name, landed.period) == (None, "贷款.XLS", "2020")
    assert set(landed.filing_types) == set(CONTRACTS)
    assert parse_landing_key("auto/2020/old.xls").period is None


def test_every_known_filing_type_is_accepted() -> None:
    for filing_type in CONTRACTS:
        assert parse_landing_key(f"{filing_type}/f.csv").filing_type == filing_type


def test_message_shows_control_characters_escaped_and_long_keys_cut() -> None:
    with pytest.raises(RejectedLandingKeyError) as caught:
        parse_landing_key("enterprise_stats/a\nb.csv")
    assert "\n" not in str(caught.value)
    with pytest.raises(RejectedLandingKeyError) as caught:
        parse_landing_key("enterprise_stats/" + "y" * 5000 + ".csv")
    assert len(str(caught.value)) < 400
