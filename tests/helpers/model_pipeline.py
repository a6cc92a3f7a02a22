"""What the model-based test does to the pipeline: the calls the CLI makes, in-process, and the CLI itself.

Each action returns what a user would see (an outcome word, the ingestion result), never the pipeline's
internal state, which the model does not read.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from greenmfg import sweep
from greenmfg.ingest import IngestResult
from greenmfg.storage import Stores
from helpers.model_filings import Filing

COMMITTED, UNCHANGED, BLOCKED, NOTHING = "committed", "unchanged", "blocked", "nothing staged"


@dataclass(frozen=True)
class Published:
    """The outcome of one publication as its caller sees it."""

    outcome: str  # COMMITTED, UNCHANGED, BLOCKED or NOTHING
    sequence: int | None = None
    revalidated: dict[str, str] = field(default_factory=dict)  # sha256 → status after re-validation


def ingest(stores: Stores, filing: Filing) -> IngestResult:
    """Land the filing's bytes and ingest them, as `greenmfg ingest FILE --type T` does for one file."""
    stores.landing.write_bytes(filing.landing_key, filing.data)
    return sweep.ingest_landed(stores, filing.landing_key, build_docs=False)


def publish(stores: Stores, *, accept_diff: bool = False) -> Published:
    """A publication from staging: the check `greenmfg publish` makes, then the publication loop it calls."""
    from greenmfg import build
    from greenmfg.policy import load_policy
    from greenmfg.publication import publish_in_force

    if build.nothing_to_publish(stores):
        return Published(NOTHING)
    publication = publish_in_force(stores, load_policy(), accept_diff=accept_diff)
    if publication.verdict == "blocked":
        return Published(BLOCKED)
    sequence = publication.result.sequence if publication.result else None
    return Published(COMMITTED if publication.is_new else UNCHANGED, sequence)


def reprocess(
    stores: Stores,
    year_from: int,
    year_to: int,
    *,
    filing_type: str | None,
    dataset: str | None,
    reparse: bool,
    accept_diff: bool = False,
) -> Published:
    """The reprocess flow without the Prefect engine: re-validate the filings the plan names, then publish."""
    from greenmfg import build, reprocess

    plan = reprocess.plan(
        build.select_filings(stores), year_from, year_to, filing_type=filing_type, dataset=dataset,
        reparse=reparse,
    )  # fmt: skip
    revalidated = {}
    for sha in plan.reparse_filings:
        result = reprocess.reingest(stores, sha, build_docs=False)
        revalidated[result.sha256] = result.status
    published = publish(stores, accept_diff=accept_diff)
    return Published(published.outcome, published.sequence, revalidated)


# The command line, in-process: the same parser, handlers and exit codes as the installed `greenmfg`.


@contextlib.contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """Only `variables` among the GREENMFG_* settings, for the duration; the cached settings reread."""
    from greenmfg.settings import get_settings

    saved = {k: v for k, v in os.environ.items() if k.startswith("GREENMFG_")}
    for name in saved:
        del os.environ[name]
    os.environ.update(variables)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name in [k for k in os.environ if k.startswith("GREENMFG_")]:
            del os.environ[name]
        os.environ.update(saved)
        get_settings.cache_clear()


def cli(variables: dict[str, str], *argv: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `greenmfg ARGV...` run in this process with `variables`."""
    from greenmfg.cli import main

    out, err = io.StringIO(), io.StringIO()
    with environment(variables), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def cli_ingest(variables: dict[str, str], filing: Filing) -> tuple[int, dict]:
    """`greenmfg ingest FILE --type T --json` on the filing written to a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="greenmfg-model-"))
    try:
        path = folder / filing.name
        path.write_bytes(filing.data)
        code, out, err = cli(variables, "ingest", str(path), "--type", filing.filing_type, "--json")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    try:
        [outcome] = json.loads(out)
    except ValueError:
        raise AssertionError(f"greenmfg ingest exited {code} without a JSON outcome: {out}{err}") from None
    return code, outcome


def cli_publish(variables: dict[str, str], *, accept_diff: bool) -> tuple[int, Published]:
    """`greenmfg publish --json [--accept-diff]`, its exit status and outcome."""
    code, out, err = cli(variables, "publish", "--json", *(["--accept-diff"] if accept_diff else []))
    if code == 2 and "nothing" in err:
        return code, Published(NOTHING)
    try:
        summary = json.loads(out)
    except ValueError:
        raise AssertionError(f"greenmfg publish exited {code} without JSON: {out}{err}") from None
    if summary["verdict"] == "blocked":
        return code, Published(BLOCKED)
    return code, Published(COMMITTED if summary.get("is_new") else UNCHANGED, summary.get("sequence"))
