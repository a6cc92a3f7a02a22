"""A deployment's own spellings and district aliases, from its configuration folder, without a code change."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenmfg.errors import MissingColumnsError, SettingsError
from greenmfg.parsing import parse_one, vocabulary
from greenmfg.settings import Settings

FILE = "年份,统一社会信用代码,企业名称,县域,行业代码,是否规上,销售营收(万元),工业总产值(万元)\n"
FILE += "2020,91110000600037341L,甲,织里片区,1311,是,10,20\n"


def test_unknown_spellings_refuse_until_the_deployment_adds_them(tmp_path: Path) -> None:
    with pytest.raises(MissingColumnsError, match="revenue_10k_yuan"):
        parse_one(FILE.encode(), "规上.csv", settings=Settings(config_dir=str(tmp_path)))
    (tmp_path / "headers.csv").write_text(
        "filing_type,column,raw_header\nenterprise_stats,revenue_10k_yuan,销售营收\n"
        "enterprise_stats,district_code,县域\n",
        encoding="utf-8",
    )
    (tmp_path / "district_aliases.csv").write_text(
        "alias,district_code,note\n织里片区,330502,town\n", encoding="utf-8"
    )
    filing = parse_one(FILE.encode(), "规上.csv", settings=Settings(config_dir=str(tmp_path)))
    assert filing.rows[["revenue_10k_yuan", "district_code"]].values.tolist() == [[10.0, "330502"]]
    assert str(tmp_path / "headers.csv") in vocabulary(Settings(config_dir=str(tmp_path))).sources


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        (
            "headers.csv",
            "filing_type,column,raw_header\nenterprise_stats,no_such_column,X\n",
            "not a canonical column",
        ),
        ("headers.csv", "type,col\nenterprise_stats,x\n", "columns"),
        ("district_aliases.csv", "alias,district_code\n某地,999999\n", "is not a district"),
        ("header_words.csv", "kind,word\nsomething,x\n", "unknown kind 'something'"),
    ],
)
def test_a_wrong_configuration_line_is_an_error_naming_the_file(
    tmp_path: Path, name: str, content: str, problem: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError, match=problem) as exc:
        vocabulary(Settings(config_dir=str(tmp_path)))
    assert str(tmp_path / name) in str(exc.value)
