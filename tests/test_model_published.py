"""Published figures stay right under any sequence of events (issue 13): a Hypothesis state machine.

Rules land hand-sized filings of the four bureau types (originals, moderate and large corrections, mostly bad
corrections, the same bytes again), review and decide held filings and withdraw accepted ones (the CLI),
reprocess (with and without re-parsing), publish (through the core and through the CLI), crash a publish or an
ingestion at a random store operation and run it again, and race two publishers while a filing lands. After
every step:
  - the latest committed snapshot equals the oracle: a full derive of the filings in force, decided by the
    model from its own list of what landed and what was decided, from the filings' bytes parsed afresh
    (helpers/model_oracle.py) — never from staging records, winners or commits;
  - its manifest's sources are exactly the model's filings in force, and the datasets name no other;
  - every byte ever landed is still in the raw archive, under its SHA-256;
  - the commit history is 1..n without gaps, each entry's parent the previous, none ever rewritten.

CI runs a few sequences on a local store and fewer on SeaweedFS; GREENMFG_SOAK=N runs N sequences of up to
40 steps on the local store (`python -m tests.soak`, docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import model_pipeline as pipeline
from helpers.crash_store import PAUSE_TIMEOUT_SECONDS, SimulatedCrash, crashing, pausing
from helpers.model_filings import (
    BAD_CORRECTION_TYPES,
    LARGE_CORRECTION_TYPES,
    TYPES,
    City,
    Filing,
)
from helpers.model_oracle import (
    ACCEPTED,
    BLOCK,
    EITHER,
    HELD,
    PASS,
    Expected,
    differences,
    expected_snapshot,
    gate_prediction,
    hold_prediction,
)
from helpers.stores import stores_for
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from greenmfg import archive
from greenmfg.indicators import DATASETS
from greenmfg.publish import list_snapshots, read_dataframe, read_manifest
from greenmfg.publish.commits import CommitEntry
from greenmfg.publish.manifest import manifest_files, sha256_hex
from greenmfg.settings import AREAS
from greenmfg.storage import Stores
from greenmfg.storage.local import LocalStore

SOAK_VARIABLE = "GREENMFG_SOAK"
COUNTS_VARIABLE = "GREENMFG_MODEL_COUNTS"  # a JSON file the sequence and step counts are written to
SOAK = int(os.environ.get(SOAK_VARIABLE) or 0)
# Shrinking re-runs sequences of seconds each for minutes; a failure prints its whole sequence anyway.
SHRINK = os.environ.get("GREENMFG_MODEL_SHRINK") == "1"
YEAR_SETS = ((2019, 2020), (2019, 2020, 2021))
CRASH_POINTS = st.integers(1, 90)  # a publish of these filings makes about 60 store operations
COUNTS: Counter[str] = Counter()


@dataclass
class Environment:
    """A fresh store: the ingester's and the publisher's view of it, and how the CLI reaches it."""

    ingester: Stores
    publisher: Stores
    open_as: Callable[[str], Stores]  # new store objects for a role (another thread, another client)
    variables: Callable[[str], dict[str, str]]  # GREENMFG_* settings of a role, for the CLI
    cleanup: Callable[[], None]


def local_environment() -> Environment:
    root = Path(tempfile.mkdtemp(prefix="greenmfg-model-"))

    def open_as(role: str) -> Stores:
        return Stores(**{area: LocalStore(root / area) for area in AREAS})

    def cleanup() -> None:  # archived files are read-only: make them writable to remove them
        shutil.rmtree(root, onerror=lambda _f, path, _e: (os.chmod(path, stat.S_IWUSR), os.unlink(path)))

    stores = open_as("admin")
    return Environment(stores, stores, open_as, lambda role: {"GREENMFG_STORE_URL": str(root)}, cleanup)


def seaweedfs_environment(server) -> Environment:
    prefix = f"model-{uuid.uuid4().hex[:10]}"
    return Environment(
        stores_for(server, "ingester", prefix),
        stores_for(server, "publisher", prefix),
        lambda role: stores_for(server, role, prefix),
        lambda role: server.env_for(role, prefix),
        lambda: None,  # the raw bucket is locked; the prefix is unique, so nothing needs removing
    )


@dataclass
class Landed:
    """A filing the model landed, in landing order, and what became of it."""

    filing: Filing
    status: str  # ACCEPTED or HELD
    decision: str | None = None  # "accept" or "reject", for a held filing

    @property
    def in_force_candidate(self) -> bool:
        """Accepted, or accepted on review; a filing a person rejected never takes force."""
        if self.decision is not None:
            return self.decision == "accept"
        return self.status == ACCEPTED


def counted(function):
    """Count the rule's runs (for the soak report)."""

    def wrapper(self, *args, **kwargs):
        COUNTS["sequences"] += not self.steps  # a sequence counts once it has run a step
        self.steps += 1
        COUNTS["steps"] += 1
        COUNTS[f"rule:{function.__name__}"] += 1
        return function(self, *args, **kwargs)

    wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
    return wrapper


class PublishedFigures(RuleBasedStateMachine):
    """The model: what landed and was decided, and the snapshot latest must hold."""

    make_environment: Callable[[], Environment] = staticmethod(local_environment)

    def __init__(self) -> None:
        super().__init__()
        self.steps = 0
        self.env = self.make_environment()
        self.landed: list[Landed] = []
        self.archived: dict[str, bytes] = {}
        self.expected: Expected | None = None  # what latest holds (None: nothing published yet)
        self.commits: list[CommitEntry] = []
        self.checked: dict[str, dict] = {}  # snapshot id → its datasets, read once
        self.derived: dict[frozenset[str], Expected] = {}  # the oracle's derives, by filings in force
        self.number = 0

    def teardown(self) -> None:
        self.env.cleanup()

    # --- the model's own account -------------------------------------------------------------------

    @initialize(seed=st.integers(0, 2**32 - 1), years=st.sampled_from(YEAR_SETS))
    def start(self, seed: int, years: tuple[int, ...]) -> None:
        self.city, self.years = City(seed), years

    def in_force(self) -> dict[tuple[str, int], Filing]:
        """The filing in force per slot: the last landed among the accepted and the held-then-accepted."""
        chosen: dict[tuple[str, int], Filing] = {}
        for item in self.landed:
            if item.in_force_candidate:
                chosen[item.filing.slot] = item.filing
        return chosen

    def oracle(self) -> Expected:
        in_force = list(self.in_force().values())
        shas = frozenset(f.sha256 for f in in_force)
        if shas not in self.derived:
            self.derived[shas] = expected_snapshot(in_force)
        return self.derived[shas]

    def free_slots(self) -> list[tuple[str, int]]:
        taken = {item.filing.slot for item in self.landed}
        return [(t, y) for y in self.years for t in TYPES if (t, y) not in taken]

    def landed_slots(self, types: tuple[str, ...] = TYPES) -> list[tuple[str, int]]:
        return sorted({item.filing.slot for item in self.landed if item.filing.filing_type in types})

    def undecided(self) -> list[Landed]:
        return [item for item in self.landed if item.status == HELD and item.decision is None]

    def withdrawable(self) -> list[Landed]:
        return [item for item in self.landed if item.status == ACCEPTED and item.decision is None]

    def new_filing(self, data: st.DataObject) -> Filing:
        """An original for a free slot, or a correction of a landed one (moderate, large or mostly bad)."""
        choices = [("original", slot) for slot in self.free_slots()]
        choices += [("moderate", slot) for slot in self.landed_slots()]
        choices += [("large", slot) for slot in self.landed_slots(LARGE_CORRECTION_TYPES)]
        choices += [("bad", slot) for slot in self.landed_slots(BAD_CORRECTION_TYPES)]
        kind, (filing_type, year) = data.draw(st.sampled_from(choices), label="filing")
        self.number += 1
        return self.city.filing(self.number, filing_type, year, kind, variant=self.number)

    @staticmethod
    def pick(data: st.DataObject, items: list[Landed], label: str) -> Landed:
        """One of `items`, drawn so that a failing sequence prints the filing, not its bytes."""
        names = [repr(item.filing) for item in items]
        return items[names.index(data.draw(st.sampled_from(names), label=label))]

    def record_landing(self, filing: Filing, status: str) -> None:
        self.landed.append(Landed(filing, status))
        self.archived[filing.sha256] = filing.data

    def expect_ingested(self, filing: Filing, status: str, first_status: str) -> None:
        """Check an ingestion's outcome against the hold rule and record it."""
        if filing.sha256 in self.archived:  # the generator made bytes that landed before
            assert status == "duplicate", f"{filing} landed twice: {status}"
            return
        predicted = hold_prediction(filing, self.in_force().get(filing.slot))
        assert first_status in (ACCEPTED, HELD), f"{filing}: ingestion status {first_status}"
        COUNTS[f"ingested {first_status}"] += 1
        if predicted != EITHER:
            assert first_status == predicted, (
                f"{filing} (quarantined share {filing.quarantined_share:.0%}, totals {filing.money_totals}, "
                f"superseding {self.in_force().get(filing.slot)}): {first_status}, expected {predicted}"
            )
        self.record_landing(filing, first_status)

    def gate(self, after: Expected, accept_diff: bool) -> str:
        """The diff gate's verdict on publishing `after` over what latest holds."""
        verdict = PASS if accept_diff else gate_prediction(self.expected, after)
        COUNTS[f"gate predicted {verdict}"] += 1
        return verdict

    def expect_published(self, prediction: str, published: pipeline.Published, after: Expected) -> None:
        """Settle what latest must now hold from the gate's predicted and actual verdicts."""
        COUNTS[f"publication {published.outcome}"] += 1
        if not self.in_force() and self.expected is None:
            assert published.outcome == pipeline.NOTHING, published
            return
        if prediction == BLOCK:
            assert published.outcome == pipeline.BLOCKED, f"the gate passed {published}; expected a block"
        elif prediction == PASS:
            assert published.outcome in (pipeline.COMMITTED, pipeline.UNCHANGED), (
                f"{published}: expected the gate to pass"
            )
        if published.outcome != pipeline.BLOCKED:
            self.expected = after

    # --- rules ---------------------------------------------------------------------------------------

    @rule(data=st.data(), via_cli=st.booleans())
    @counted
    def land(self, data: st.DataObject, via_cli: bool) -> None:
        """A bureau's file: an original, or a correction (moderate, large, or mostly bad: held); now and then
        the bytes of an earlier one again, under another name: a duplicate, nothing changes."""
        if self.landed and data.draw(st.integers(0, 4), label="again") == 4:
            self.land_again(data)
            return
        filing = self.new_filing(data)
        if via_cli:
            code, outcome = pipeline.cli_ingest(self.env.variables("ingester"), filing)
            status = outcome["status"]
            first = status if status != "duplicate" else outcome["parts"][0]["status"]
            assert code == (3 if first == HELD else 0), f"greenmfg ingest exited {code}: {outcome}"
        else:
            result = pipeline.ingest(self.env.ingester, filing)
            status, first = result.status, result.record.get("status", result.status)
        self.expect_ingested(filing, status, first)

    def land_again(self, data: st.DataObject) -> None:
        earlier = self.pick(data, self.landed, "earlier").filing
        self.number += 1
        again = Filing(self.number, earlier.filing_type, earlier.year, earlier.kind, earlier.data,
                       earlier.bad_rows, earlier.money_totals, earlier.rows)  # fmt: skip
        result = pipeline.ingest(self.env.ingester, again)
        assert result.status == "duplicate", f"{again} (the bytes of {earlier}): {result.status}"

    @precondition(lambda self: self.undecided())
    @rule(data=st.data(), accept=st.booleans(), prefix=st.sampled_from([12, 64]))
    @counted
    def decide(self, data: st.DataObject, accept: bool, prefix: int) -> None:
        """`greenmfg review` lists the held filings nobody decided; `greenmfg accept|reject SHA` decides one,
        and a second decision on it is refused."""
        variables = self.env.variables("ingester")
        code, out, err = pipeline.cli(variables, "review", "--json")
        assert code == 0, f"greenmfg review: exit {code}: {err}"
        listed = {held["sha256"] for held in json.loads(out)}
        assert listed == {item.filing.sha256 for item in self.undecided()}, out
        item = self.pick(data, self.undecided(), "held")
        verb = "accept" if accept else "reject"
        sha = item.filing.sha256[:prefix]
        code, out, err = pipeline.cli(variables, verb, sha, "--by", "model", "--reason", "model-based test")
        assert code == 0, f"greenmfg {verb} {sha}: exit {code}: {out}{err}"
        item.decision = verb
        other = "reject" if accept else "accept"
        code, out, err = pipeline.cli(variables, other, item.filing.sha256, "--by", "model")
        assert code != 0, f"a second decision ({other}) on {item.filing} was not refused: {out}"
        assert verb in (out + err), f"the refusal of a second decision does not name the first: {out}{err}"

    @precondition(lambda self: self.withdrawable())
    @rule(data=st.data())
    @counted
    def withdraw(self, data: st.DataObject) -> None:
        """`greenmfg reject SHA` on a filing accepted at ingestion withdraws it (the one it superseded takes
        force again); `greenmfg accept` on it is refused, as only a held filing can be accepted."""
        item = self.pick(data, self.withdrawable(), "accepted")
        variables, sha = self.env.variables("ingester"), item.filing.sha256
        code, out, err = pipeline.cli(variables, "accept", sha, "--by", "model")
        assert code != 0, f"greenmfg accept of {item.filing}, not held, was not refused: {out}"
        code, out, err = pipeline.cli(variables, "reject", sha, "--by", "model", "--reason", "withdrawn")
        assert code == 0, f"greenmfg reject {sha}: exit {code}: {out}{err}"
        item.decision = "reject"

    @precondition(lambda self: self.landed)
    @rule(accept_diff=st.booleans(), via_cli=st.booleans())
    @counted
    def publish(self, accept_diff: bool, via_cli: bool) -> None:
        """A publication from staging, through the core or `greenmfg publish`."""
        after = self.oracle()
        prediction = self.gate(after, accept_diff)
        if via_cli:
            code, published = pipeline.cli_publish(self.env.variables("publisher"), accept_diff=accept_diff)
            expected_code = {pipeline.BLOCKED: 3, pipeline.NOTHING: 2}.get(published.outcome, 0)
            assert code == expected_code, (code, published)
        else:
            published = pipeline.publish(self.env.publisher, accept_diff=accept_diff)
        self.expect_published(prediction, published, after)

    @precondition(lambda self: self.landed)
    @rule(data=st.data(), reparse=st.booleans(), accept_diff=st.booleans())
    @counted
    def reprocess(self, data: st.DataObject, reparse: bool, accept_diff: bool) -> None:
        """Reprocess a range of years, of one filing type or one dataset, re-validating or not."""
        first, last = sorted(data.draw(st.lists(st.sampled_from(self.years), min_size=2, max_size=2)))
        scope = data.draw(st.sampled_from(["all", "filing_type", "dataset"]), label="scope")
        filing_type = data.draw(st.sampled_from(TYPES)) if scope == "filing_type" else None
        dataset = data.draw(st.sampled_from(sorted(DATASETS))) if scope == "dataset" else None
        before = self.revalidation_predictions() if reparse else {}
        published = pipeline.reprocess(
            self.env.publisher, first, last, filing_type=filing_type, dataset=dataset, reparse=reparse,
            accept_diff=accept_diff,
        )  # fmt: skip
        for sha, status in published.revalidated.items():
            item = next(i for i in self.landed if i.filing.sha256 == sha)
            predicted = before[sha]
            assert predicted == EITHER or status == predicted, (
                f"re-validating {item.filing} (was {item.status}) gave {status}, expected {predicted}"
            )
            item.status = status
        after = self.oracle()
        self.expect_published(self.gate(after, accept_diff), published, after)

    def revalidation_predictions(self) -> dict[str, str]:
        """What re-validating each landed filing must give: the hold rule against the filing in force besides
        it, if that one was received before it (a filing is never compared with a later correction).

        Re-validating one filing of a slot can change what is in force for the next one of that slot; where
        any filing of a slot would change status, the order decides, and each may go either way.
        """
        predictions = {}
        for position, item in enumerate(self.landed):
            against = None
            for other_position, other in enumerate(self.landed):
                if other is not item and other.filing.slot == item.filing.slot and other.in_force_candidate:
                    against = other.filing if other_position < position else None
            predictions[item.filing.sha256] = hold_prediction(item.filing, against)
        moving = {i.filing.slot for i in self.landed if predictions[i.filing.sha256] != i.status}
        for item in self.landed:
            if item.filing.slot in moving:
                predictions[item.filing.sha256] = EITHER
        return predictions

    @precondition(lambda self: self.landed)
    @rule(crash_at=CRASH_POINTS, accept_diff=st.booleans())
    @counted
    def crash_publish(self, crash_at: int, accept_diff: bool) -> None:
        """A publish stopped before its `crash_at`-th store operation, then run again."""
        after = self.oracle()
        prediction = self.gate(after, accept_diff)
        stores, countdown = crashing(self.env.publisher, crash_at)
        try:
            pipeline.publish(stores, accept_diff=accept_diff)
        except SimulatedCrash:
            # Between the crash and the restart readers see the previous snapshot or the new one, whole.
            self.check_latest(allowed=[self.expected, after], note=f"after a crash at {countdown.reached}")
        published = pipeline.publish(self.env.publisher, accept_diff=accept_diff)
        self.expect_published(prediction, published, after)

    @rule(data=st.data(), crash_at=CRASH_POINTS)
    @counted
    def crash_ingest(self, data: st.DataObject, crash_at: int) -> None:
        """An ingestion stopped before its `crash_at`-th store operation, then the same call again."""
        filing = self.new_filing(data)
        stores, _ = crashing(self.env.ingester, crash_at)
        with contextlib.suppress(SimulatedCrash):
            pipeline.ingest(stores, filing)
        result = pipeline.ingest(self.env.ingester, filing)
        self.expect_ingested(filing, result.status, result.record.get("status", result.status))

    @rule(data=st.data(), pause_at=st.integers(1, 60), accept_diff=st.booleans())
    @counted
    def race(self, data: st.DataObject, pause_at: int, accept_diff: bool) -> None:
        """Two publishers (threads, each with its own store clients): the first stops before its
        `pause_at`-th store operation while a filing lands and the second publishes, then goes on."""
        before, pre = self.expected, self.oracle()
        filing = self.new_filing(data)
        paused, resume = threading.Event(), threading.Event()
        stores, _ = pausing(self.env.open_as("publisher"), pause_at, paused, resume)
        outcomes: dict[str, object] = {}

        def first() -> None:
            try:
                outcomes["first"] = pipeline.publish(stores, accept_diff=accept_diff)
            finally:
                paused.set()  # it never paused: the second goes on after it

        def second() -> None:
            try:
                paused.wait(PAUSE_TIMEOUT_SECONDS)
                outcomes["ingested"] = pipeline.ingest(self.env.open_as("ingester"), filing)
                outcomes["second"] = pipeline.publish(self.env.open_as("publisher"), accept_diff=accept_diff)
            finally:
                resume.set()

        errors: list[BaseException] = []
        threads = [threading.Thread(target=_catching(target, errors)) for target in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, f"a racing publisher failed: {errors[0]!r}"
        ingested = outcomes["ingested"]
        self.expect_ingested(filing, ingested.status, ingested.record.get("status", ingested.status))
        if outcomes["second"].outcome in (pipeline.COMMITTED, pipeline.UNCHANGED):
            # It derived after the filing landed; the first, whatever it read before, never commits later
            # content built on a parent that moved.
            self.expected = self.oracle()
        elif outcomes["first"].outcome == pipeline.COMMITTED:
            self.expected = self.check_latest(allowed=[pre, self.oracle()], note="after a race")
        else:
            self.expected = before

    # --- invariants ----------------------------------------------------------------------------------

    @invariant()
    def history_without_gaps(self) -> None:
        entries = list_snapshots(self.env.publisher.published)
        assert entries[: len(self.commits)] == self.commits, "a commit entry was rewritten or removed"
        for number, entry in enumerate(entries, 1):
            assert entry.sequence == number, [e.sequence for e in entries]
            if number > 1:
                parent = entries[number - 2]
                assert (entry.parent_sequence, entry.parent_snapshot_id) == (
                    parent.sequence,
                    parent.snapshot_id,
                ), entry
                assert entry.snapshot_id != parent.snapshot_id, f"commit {number} repeats its parent"
        self.commits = entries

    @invariant()
    def latest_equals_oracle(self) -> None:
        self.check_latest(allowed=[self.expected], note="")

    @invariant()
    def archive_keeps_every_byte(self) -> None:
        raw = self.env.publisher.raw
        archived = set(archive.list_archived(raw))
        missing = sorted(set(self.archived) - archived)
        assert not missing, f"landed filings missing from the raw archive: {missing}"
        for sha, data in self.archived.items():
            assert archive.read_filing(raw, sha) == data

    def check_latest(self, allowed: list[Expected | None], note: str) -> Expected | None:
        """Latest holds one of `allowed` (None: nothing published), whole; return which."""
        published = self.env.publisher.published
        entries = list_snapshots(published)
        if not entries:
            assert None in allowed, f"nothing published{note and ' ' + note}; expected a snapshot"
            return None
        snapshot_id = entries[-1].snapshot_id
        manifest = read_manifest(published, snapshot_id)
        if snapshot_id not in self.checked:
            for file in manifest_files(manifest):  # whole: every file its manifest lists, intact
                assert sha256_hex(published.read_bytes(file["key"])) == file["sha256"], file["key"]
            read = {name: read_dataframe(published, name, snapshot_id=snapshot_id) for name in DATASETS}
            self.checked[snapshot_id] = read
        found = self.checked[snapshot_id]
        sources = {s["sha256"] for s in manifest["sources"]}
        named = {
            sha
            for frame in found.values()
            for joined in frame["source_sha256s"].dropna().unique()
            for sha in str(joined).split(";")
        }
        assert named == sources, f"manifest sources {sorted(sources)} but the datasets name {sorted(named)}"
        problems: list[str] = []
        for candidate in allowed:
            if candidate is None:
                problems.append("expected nothing published")
                continue
            problems = differences(candidate.datasets, found)
            if set(candidate.sources) != sources:
                problems.append(
                    f"sources: expected {sorted(s[:12] for s in candidate.sources)}, "
                    f"found {sorted(s[:12] for s in sources)}"
                )
            if not problems:
                return candidate
        raise AssertionError(f"latest snapshot {snapshot_id} {note}: " + "\n".join(problems))


def _catching(target: Callable[[], None], errors: list[BaseException]) -> Callable[[], None]:
    def wrapped() -> None:
        try:
            target()
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    return wrapped


def _settings(examples: int, steps: int) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
        phases=[p for p in Phase if p is not Phase.shrink or SHRINK],
    )


def _write_counts() -> None:
    path = os.environ.get(COUNTS_VARIABLE)
    if path:
        Path(path).write_text(json.dumps(dict(COUNTS), indent=1, sort_keys=True))


@pytest.mark.slow
def test_published_figures_follow_the_model_on_a_local_store() -> None:
    examples, steps = (SOAK, 40) if SOAK else (5, 12)
    try:
        run_state_machine_as_test(PublishedFigures, settings=_settings(examples, steps))
    finally:
        _write_counts()


@pytest.mark.slow
@pytest.mark.skipif(bool(SOAK), reason="the soak runs on the local store only")
def test_published_figures_follow_the_model_on_seaweedfs(seaweedfs) -> None:
    machine = type(
        "PublishedFiguresOnSeaweedFS",
        (PublishedFigures,),
        {"make_environment": staticmethod(lambda: seaweedfs_environment(seaweedfs))},
    )
    try:
        run_state_machine_as_test(machine, settings=_settings(3, 8))
    finally:
        _write_counts()
