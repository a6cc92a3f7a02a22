"""Reference generator: same arguments give the same bytes, scale mode, the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_reference_reading import default_reference, read_filing

from greenmfg.cli import main
from greenmfg.errors import GreenmfgError
from greenmfg.reference import generate


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return default_reference(tmp_path_factory)


def test_two_runs_give_identical_bytes(default_run: Path, tmp_path: Path) -> None:
    generate(tmp_path / "second")
    first, second = tree(default_run), tree(tmp_path / "second")
    assert sorted(first) == sorted(second)
    assert len(first) == 22  # 5 years x 4 filing types, one correction, the answer key
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []


def test_another_seed_gives_another_city_with_the_same_calibration(default_run: Path, tmp_path: Path) -> None:
    key = generate(tmp_path, seed=7, years=(2020, 2020))
    (mine,) = [r.key for r in key.files if r.filing_type == "enterprise_stats"]
    (default,) = (default_run / "enterprise_stats").glob("*_2020年*")
    codes = set(read_filing(tmp_path / mine, "enterprise_stats")["credit_code"])
    default_codes = set(read_filing(default, "enterprise_stats")["credit_code"])
    assert len(codes & default_codes) < len(codes) / 2
    assert key.calibrated and key.headline["green_plants"] == 3091


def test_file_names_sort_in_landing_order(default_run: Path) -> None:
    key = json.loads((default_run / "answer_key.json").read_text(encoding="utf-8"))
    stats = sorted(name for name in key["files"] if name.startswith("enterprise_stats/"))
    periods = [key["files"][name]["period"] for name in stats]
    assert periods == [2017, 2018, 2019, 2020, 2019, 2021]
    assert key["files"][stats[2]]["superseded_by"] == stats[4]
    assert key["periods"]["enterprise_stats"]["2019"]["effective_file"] == stats[4]


def test_scale_mode_writes_n_rows_per_year_as_csv(default_run: Path, tmp_path: Path) -> None:
    key = generate(tmp_path, enterprises=5000)
    assert key.calibrated is False
    files = sorted((tmp_path / "enterprise_stats").iterdir())
    assert files and all(p.suffix == ".csv" for p in files)
    for path in files:
        assert len(read_filing(path, "enterprise_stats")) == 5000
    for filing_type in ("green_register", "incentives", "green_loans"):
        scaled, default = tree(tmp_path / filing_type), tree(default_run / filing_type)
        assert scaled == default


def test_scale_mode_below_the_city_size_truncates(tmp_path: Path) -> None:
    key = generate(tmp_path, enterprises=100, years=(2020, 2020))
    (record,) = [r for r in key.files if r.filing_type == "enterprise_stats"]
    assert record.rows == 100
    assert len(read_filing(tmp_path / record.key, "enterprise_stats")) == 100


def test_command_line_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reference-data", str(tmp_path), "--years", "2019-2020", "--seed", "2021"]) == 0
    key = json.loads((tmp_path / "answer_key.json").read_text(encoding="utf-8"))
    assert key["years"] == [2019, 2020] and key["calibrated"] is True
    assert all((tmp_path / name).is_file() for name in key["files"])
    assert "calibrated" in capsys.readouterr().out
    # Running again over its own output replaces it; a folder with foreign files is refused.
    assert main(["reference-data", str(tmp_path), "--years", "2020-2020"]) == 0
    assert not list(tmp_path.glob("*/*2019年*"))
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["reference-data", str(tmp_path)]) == 2
    with pytest.raises(GreenmfgError, match=r"notes\.txt"):
        generate(tmp_path)


def test_bad_years_are_refused(tmp_path: Path) -> None:
    assert main(["reference-data", str(tmp_path), "--years", "2021-2017"]) == 2
    with pytest.raises(SystemExit):
        main(["reference-data", str(tmp_path), "--years", "last year"])
