# ruff: noqa: E501 - the corpus is a table, one case per line
"""Bad input corpus, generated here: every case has its expected outcome — refused with a specific message,
or rows quarantined by a specific rule, or read correctly — and none ends in a traceback, a hang or a lost
file. Each goes through the command line (`greenmfg validate` and `greenmfg inspect`) and through ingestion
of a landed object on SeaweedFS (status, quarantine, and the raw bytes kept in the archive).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers.stores import HELPERS, PYTHON

from greenmfg import archive, sweep
from greenmfg.settings import Settings
from greenmfg.storage import LocalStore, Stores, keys

HEADER = [
    "年份",
    "申请编号",
    "统一社会信用代码",
    "企业名称",
    "区县",
    "贷款银行",
    "申请金额(万元)",
    "申请日期",
    "贷款用途",
]
NAME = "吴兴凯元丝绸有限公司"
CODE = "91330502MA0UYMAU94"  # a valid credit code (check character computed by greenmfg.uscc)


def row(
    n: int, *, amount: str = "980", date: str = "2020-02-08", name: str = NAME, purpose: str = "节能改造"
) -> list:
    return ["2020", f"LZ2020{n:04d}", CODE, name, "吴兴区", "湖州银行", amount, date, purpose]


def good(tag: str) -> list[list]:
    """Two valid rows; the tag makes each case's bytes unique (the archive is content-addressed)."""
    return [row(1, purpose=tag), row(2, purpose=tag)]


def csv_text(rows: list[list], header: list[str] = HEADER, delimiter: str = ",") -> str:
    def quote(cell: object) -> str:
        text = str(cell)
        return '"' + text.replace('"', '""') + '"' if delimiter in text or '"' in text else text

    quoted = [[quote(c) for c in r] for r in [header, *rows]]
    return "".join(delimiter.join(r) + "\n" for r in quoted)


def csv_bytes(rows: list[list], **options) -> bytes:
    return csv_text(rows, **options).encode()


def xlsx_bytes(rows: list[list], *, text_cells: bool = False) -> bytes:
    """A workbook with the header and rows; `text_cells` stores '=…' as text, otherwise as formulas."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    if text_cells:
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A small ZIP that claims to be a workbook and inflates to more than the 1 GiB default limit."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/workbook.xml", "<workbook/>")
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            zeros = b"\0" * (64 << 20)
            for _ in range(17):
                sheet.write(zeros)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as plain:
        plain.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    """One bad input: its landing key and bytes, and what must become of it."""

    name: str
    data: bytes
    status: str  # of ingestion: unreadable | refused | accepted | held (most of its rows quarantined)
    message: str = ""  # in the refusal (and in the command line's one error line)
    quarantined: tuple[str, ...] = ()  # rules that must quarantine rows
    check: Callable[[pd.DataFrame], None] | None = None  # on the staged rows
    key: str = ""  # landing key (default green_loans/<name>.csv)
    settings: dict = field(default_factory=dict)  # resource limits lowered for this case
    archived: bool = True  # False only for keys no store can address

    @property
    def landing_key(self) -> str:
        return self.key or f"green_loans/{self.name}.csv"

    @property
    def file_name(self) -> str:
        suffix = Path(self.landing_key.replace("\x00", "")).suffix.lower()
        return f"{self.name}{suffix if suffix in ('.csv', '.xlsx') else '.csv'}"


def values_of(column: str, expected: dict[str, object]) -> Callable[[pd.DataFrame], None]:
    def check(rows: pd.DataFrame) -> None:
        found = rows.set_index("application_no")[column]
        for number, value in expected.items():
            if isinstance(value, float):
                assert found[number] == pytest.approx(value, rel=1e-12), number
            elif isinstance(value, pd.Timestamp):
                assert pd.Timestamp(found[number]) == value, number
            else:
                assert found[number] == value, number

    return check


NOTATIONS = {
    "１，４７０": 1470.0,  # full-width digits and comma
    "1,234.5": 1234.5,
    "1 234": 1234.0,
    "１２３．５": 123.5,
    "1.2e3": 1200.0,
    "3亿元": 30000.0,  # a unit in the cell beats the header's 万元
    "500千元": 50.0,
    "12.5元": 0.00125,
    "980万元": 980.0,
}
DATES = ["2020/02/08", "2020年2月8日", "20200208", "2020-2-8", "43869", "2020.02.08"]
RISKY_TEXT = ['=HYPERLINK("http://example.invalid","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)"]
LONG = "长" * 40_000


def cases() -> list[Case]:
    text = csv_text(good("encodings"))
    head_then_rows = [row(n) for n in range(1, 60)]
    return [
        # encodings
        Case("gb18030", text.encode("gb18030"), "accepted", check=values_of("enterprise_name", {"LZ20200001": NAME})),
        Case("utf8_bom", b"\xef\xbb\xbf" + text.encode(), "accepted", check=values_of("enterprise_name", {"LZ20200002": NAME})),
        Case("utf16", text.encode("utf-16"), "unreadable", "binary content (NUL bytes)"),
        Case("mixed_encodings", csv_bytes([row(1)]) + csv_text([row(2)], header=[]).encode("gb18030"), "unreadable", "undecodable"),
        Case("bom_then_gb18030", b"\xef\xbb\xbf" + text.encode("gb18030"), "unreadable", "undecodable UTF-8 (after BOM)"),
        # empty, header only
        Case("empty", b"", "unreadable", "empty file"),
        Case("blank_lines", b" \r\n\n\t\n", "unreadable", "empty file"),
        Case("bom_only", b"\xef\xbb\xbf", "unreadable", "empty file"),
        Case("header_only", csv_bytes([]), "unreadable", "header only"),
        # truncated
        Case("truncated_row", csv_bytes(good("truncated_row")) + b"2020,LZ20200003,9133050", "held",
             quarantined=("not_null:enterprise_name", "pattern:credit_code")),
        Case("truncated_in_quotes", csv_bytes(good("truncated_in_quotes")) + f'2020,LZ20200003,{CODE},"{NAME},吴兴区'.encode(), "held",
             quarantined=("not_null:loan_amount_10k_yuan",)),
        Case("truncated_in_character", csv_bytes(good("截断"))[:-3], "unreadable", "undecodable"),
        Case("truncated_xlsx", xlsx_bytes(good("truncated_xlsx"))[:1500], "unreadable", "truncated or corrupt", key="green_loans/t.xlsx"),
        Case("zip_not_xlsx", plain_zip(), "unreadable", "a ZIP archive but not an XLSX workbook", key="green_loans/z.xlsx"),
        Case("zip_bomb", zip_bomb(), "unreadable", "max_xlsx_uncompressed_bytes", key="green_loans/bomb.xlsx"),
        Case("csv_named_xlsx", csv_bytes(good("csv_named_xlsx")), "unreadable", "not really an XLSX", key="green_loans/fake.xlsx"),
        Case("legacy_xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "unreadable", "legacy .xls", key="green_loans/old.xlsx"),
        # formulas and external links
        Case("formulas", xlsx_bytes([row(1), row(2, amount="=SUM(1,2)")]), "held",
             quarantined=("not_null:loan_amount_10k_yuan",), key="green_loans/f.xlsx"),
        Case("external_link", xlsx_bytes([row(1), row(2, amount="=[budget.xlsx]Sheet1!A1")]), "held",
             quarantined=("not_null:loan_amount_10k_yuan",), key="green_loans/ext.xlsx"),
        Case("formula_text_xlsx", xlsx_bytes([row(n, name=t) for n, t in enumerate(RISKY_TEXT, 1)], text_cells=True),
             "accepted", check=values_of("enterprise_name", {f"LZ2020{n:04d}": t for n, t in enumerate(RISKY_TEXT, 1)}),
             key="green_loans/text.xlsx"),
        Case("formula_text_csv", csv_bytes([row(n, name=t) for n, t in enumerate(RISKY_TEXT, 1)]), "accepted",
             check=values_of("enterprise_name", {f"LZ2020{n:04d}": t for n, t in enumerate(RISKY_TEXT, 1)})),
        # long cells and lines, wide headers
        Case("long_cell_in_head", csv_bytes([row(1, name=LONG)]), "unreadable", "cell too long"),
        Case("long_cell_in_body", csv_bytes([*head_then_rows, row(60, name=LONG)]), "unreadable", "max_cell_chars"),
        Case("long_line", csv_bytes(head_then_rows) + (",".join(["x"] * 200_000) + "\n").encode(), "accepted",
             check=lambda rows: len(rows) == len(head_then_rows)),
        Case("million_columns", (",".join(f"c{i}" for i in range(2_000_000)) + "\n1\n").encode(), "unreadable",
             "max_columns"),
        # numbers and dates
        Case("number_notations", csv_bytes([row(n, amount=a) for n, a in enumerate(NOTATIONS, 1)]), "accepted",
             check=values_of("loan_amount_10k_yuan", {f"LZ2020{n:04d}": v for n, v in enumerate(NOTATIONS.values(), 1)})),
        Case("negative_in_brackets", csv_bytes([row(1), row(2, amount="(12.5)")]), "held",
             quarantined=("range:loan_amount_10k_yuan",)),
        Case("not_a_number", csv_bytes([row(1), row(2, amount="￥1,000"), row(3, amount="abc")]), "held",
             quarantined=("type",)),
        Case("date_formats", csv_bytes([row(n, date=d) for n, d in enumerate(DATES, 1)]), "accepted",
             check=values_of("application_date", {f"LZ2020{n:04d}": pd.Timestamp("2020-02-08") for n in range(1, 7)})),
        Case("impossible_dates", csv_bytes([row(1), row(2, date="2020-02-30"), row(3, date="08/02/2020")]), "held",
             quarantined=("type",)),
        # headers
        Case("duplicate_headers", csv_bytes(good("duplicate_headers"), header=[*HEADER[:4], "企业名称", *HEADER[4:]]), "unreadable",
             "duplicate headers"),
        Case("missing_header", csv_bytes(good("missing_header"), header=["年份", "", *HEADER[2:]]), "unreadable", "missing required columns"),
        Case("unknown_headers", csv_bytes([["1", "2"]], header=["货品", "数量"]), "unreadable",
             "no header row matches any filing type"),
        Case("semicolons", csv_bytes(good("semicolons"), delimiter=";"), "accepted", check=values_of("loan_amount_10k_yuan", {"LZ20200001": 980.0})),
        # resource limits are configuration, enforced before loading
        Case("too_many_rows", csv_bytes([row(n) for n in range(1, 11)]), "unreadable", "max_rows", settings={"max_rows": 5}),
        Case("too_large", csv_bytes(good("too_large")), "unreadable", "max_file_bytes", settings={"max_file_bytes": 100}),
        # object keys
        Case("dotdot_key", csv_bytes(good("dotdot_key")), "refused", "path traversal segment", key="green_loans/../x.csv", archived=False),
        Case("absolute_key", csv_bytes(good("absolute_key")), "refused", "absolute path", key="/green_loans/x.csv", archived=False),
        Case("control_key", csv_bytes(good("control_key")), "refused", "control or invisible character", key="green_loans/a\x01b.csv"),
        Case("bidi_key", csv_bytes(good("bidi_key")), "refused", "control or invisible character", key="green_loans/x\u202ecsv.exe.csv"),
        Case("unknown_type_key", csv_bytes(good("unknown_type_key")), "refused", "unknown filing type", key="energy_bills/2020.csv"),
        Case("pdf_key", b"%PDF-1.4\n", "refused", "unsupported file type", key="green_loans/scan.pdf"),
    ]  # fmt: skip


CASES = cases()
FILE_CASES = [c for c in CASES if c.status != "refused"]


def test_the_corpus_is_large_and_names_are_unique() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict]]:
    """validate and inspect of every file case, in one helper process (see helpers/cli_batch.py)."""
    folder = tmp_path_factory.mktemp("corpus")
    requests, names = [], []
    for case in FILE_CASES:
        path = folder / case.file_name
        path.write_bytes(case.data)
        env = {f"GREENMFG_{k.upper()}": str(v) for k, v in case.settings.items()}
        for command in ("validate", "inspect"):
            requests.append({"argv": [command, str(path)], "env": {"GX_ANALYTICS_ENABLED": "false", **env}})
            names.append((case.name, command))
    done = subprocess.run(
        [PYTHON, str(HELPERS / "cli_batch.py")], input=json.dumps(requests), capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict[str, dict[str, dict]] = {}
    for (name, command), result in zip(names, json.loads(done.stdout), strict=True):
        results.setdefault(name, {})[command] = result
    return results


@pytest.mark.slow
@pytest.mark.parametrize("case", FILE_CASES, ids=lambda c: c.name)
def test_command_line_gives_one_line_or_a_verdict(case: Case, cli_results) -> None:
    for command, result in cli_results[case.name].items():
        assert result["code"] != "hang", command
        assert "Traceback" not in result["stderr"] + result["stdout"], (command, result["stderr"][-2000:])
        if case.status == "unreadable":
            lines = result["stderr"].strip().splitlines()
            assert result["code"] == 2 and len(lines) == 1, (command, result)
            assert lines[0].startswith(f"greenmfg {command}: error: ")
            assert case.message in lines[0], (command, lines[0])
        else:
            assert result["code"] == 0 and result["stderr"] == "", (command, result)
    if case.quarantined:
        assert "quarantined" in cli_results[case.name]["validate"]["stdout"]
        for rule in case.quarantined:
            assert rule in cli_results[case.name]["validate"]["stdout"]


def test_a_few_cases_through_the_real_console_script(tmp_path: Path) -> None:
    """The same outcomes from the installed `greenmfg` script, one process each."""
    script = Path(PYTHON).with_name("greenmfg")
    for case in [c for c in FILE_CASES if c.name in ("zip_bomb", "million_columns", "utf16", "gb18030")]:
        path = tmp_path / case.file_name
        path.write_bytes(case.data)
        done = subprocess.run(
            [str(script), "inspect", str(path)], capture_output=True, text=True, timeout=120
        )
        assert "Traceback" not in done.stderr
        if case.status == "unreadable":
            assert done.returncode == 2 and case.message in done.stderr
            assert len(done.stderr.strip().splitlines()) == 1
        else:
            assert done.returncode == 0 and NAME in done.stdout


@pytest.fixture(scope="module")
def ingested(seaweedfs, tmp_path_factory) -> dict[str, tuple[Stores, object]]:
    """Every case landed on SeaweedFS and ingested as the ingester identity, each under its own prefix: the
    cases are independent filings, not corrections of one another (issue 13 holds a suspicious correction)."""
    from helpers.stores import stores_for

    corpus = f"corpus-{tmp_path_factory.mktemp('p').name}"
    ingested = {}
    for case in CASES:
        stores = stores_for(seaweedfs, "ingester", f"{corpus}/{case.name}")
        if case.archived:
            stores.landing.write_bytes(case.landing_key, case.data)
        settings = Settings(**case.settings) if case.settings else None
        result = sweep.ingest_landed(stores, case.landing_key, settings=settings, build_docs=False)
        ingested[case.name] = (stores, result)
    return ingested


@pytest.mark.s3
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_ingestion_outcome_and_the_raw_bytes_are_kept(case: Case, ingested) -> None:
    stores, result = ingested[case.name]
    assert result.status == case.status, result.message
    assert case.message in result.message
    sha = archive.sha256_hex(case.data)
    if not case.archived:
        assert result.sha256 == "" and not stores.raw.exists(keys.raw_rejected(sha))
    elif case.status == "refused":
        assert stores.raw.read_bytes(keys.raw_rejected(sha)) == case.data
        assert case.message in archive.read_rejected_sidecar(stores.raw, sha)["reason"]
    else:
        assert archive.read_filing(stores.raw, sha) == case.data
    quarantine = pd.concat(
        [
            pq.read_table(stores.staging.arrow_path(p.validation_keys["quarantine"]),
                          filesystem=stores.staging.arrow_filesystem()[0]).to_pandas()
            for p in result.parts if "quarantine" in p.validation_keys
        ] or [pd.DataFrame({"rule": [], "action": []})]
    )  # fmt: skip
    quarantine = quarantine[quarantine["action"] == "quarantined"]  # rows, not table-level warnings
    assert set(case.quarantined) <= set(quarantine["rule"]), set(quarantine["rule"])
    if not case.quarantined:
        assert quarantine.empty, quarantine[["rule", "source_row"]]
    if case.check is not None:
        staged = [s["key"] for p in result.parts for s in p.staged.values()]
        filesystem = stores.staging.arrow_filesystem()[0]
        rows = pd.concat(
            [pq.read_table(stores.staging.arrow_path(k), filesystem=filesystem).to_pandas() for k in staged]
        )
        assert case.check(rows) is not False


def test_cells_that_look_like_formulas_are_neutralised_in_csv_exports(tmp_path: Path) -> None:
    """`greenmfg read --format csv` prefixes text a spreadsheet would evaluate; numbers stay numbers."""
    import csv

    import pyarrow as pa

    from greenmfg.publish import publish_snapshot

    risky = [*RISKY_TEXT, "\tTAB", "\rCR", "plain", "=", "-"]
    frame = pd.DataFrame({"id": range(len(risky)), "label": risky, "value": [-5.5] * len(risky)})
    schema = pa.schema([("id", pa.int64()), ("label", pa.string()), ("value", pa.float64())])
    publish_snapshot(
        LocalStore(tmp_path / "store" / "published"), {"risky": frame}, schemas={"risky": schema},
        partition_by={"risky": []}, sources=[], parameters={}, validation={}, dictionary_json={},
        dictionary_markdown="", code_version="test", key_columns={"risky": ["id"]},
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENMFG_")}
    env["GREENMFG_STORE_URL"] = str(tmp_path / "store")
    script = Path(PYTHON).with_name("greenmfg")
    done = subprocess.run(
        [str(script), "read", "risky", "--format", "csv"], capture_output=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode(), newline="")))
    assert [r["label"] for r in rows] == [f"'{t}" if t[0] in "=+-@\t\r" else t for t in risky]
    assert {r["value"] for r in rows} == {"-5.5"}
