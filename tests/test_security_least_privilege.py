"""Least privilege beyond tests/test_s3_security.py: what each identity may not do to the areas it does not
own, enforced by SeaweedFS itself — and that archived filings and commit entries cannot be rewritten."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from greenmfg.errors import PreconditionFailedError, StorageError
from greenmfg.storage import Stores, keys

pytestmark = pytest.mark.s3

SHA = "ab" * 32


@pytest.fixture
def seeded(s3_stores: Stores) -> Stores:
    """One object in every area, written by the admin identity."""
    s3_stores.landing.write_bytes("green_loans/2020.csv", b"landed")
    s3_stores.raw.write_bytes(keys.raw_filing(SHA), b"archived")
    s3_stores.staging.write_bytes(keys.ingestion_record(SHA), b"{}")
    s3_stores.published.write_bytes(keys.commit_entry(1), b"{}")
    return s3_stores


@pytest.mark.parametrize(
    ("role", "area", "operation"),
    [
        ("consumer", "landing", "read"),
        ("consumer", "staging", "read"),
        ("consumer", "staging", "list"),
        ("consumer", "published", "delete"),
        ("publisher", "raw", "delete"),
        ("publisher", "landing", "read"),
        ("publisher", "landing", "write"),
        ("ingester", "published", "list"),
        ("ingester", "published", "delete"),
    ],
)
def test_identity_is_refused_outside_its_role(
    s3_stores_as: Callable[[str], Stores], seeded: Stores, role: str, area: str, operation: str
) -> None:
    store = getattr(s3_stores_as(role), area)
    key = {"landing": "green_loans/2020.csv", "raw": keys.raw_filing(SHA),
           "staging": keys.ingestion_record(SHA), "published": keys.commit_entry(1)}[area]  # fmt: skip
    actions = {
        "read": lambda: store.read_bytes(key),
        "list": lambda: store.list(),
        "write": lambda: store.write_bytes(key, b"forged"),
        "delete": lambda: store.delete(key),
    }
    with pytest.raises(StorageError, match="access denied"):
        actions[operation]()
    assert getattr(seeded, area).read_bytes(key) != b"forged"


def test_archived_filings_and_commit_entries_are_create_once_even_for_their_writers(
    s3_stores_as: Callable[[str], Stores], seeded: Stores
) -> None:
    with pytest.raises(PreconditionFailedError):
        s3_stores_as("ingester").raw.write_bytes(keys.raw_filing(SHA), b"replaced", if_absent=True)
    with pytest.raises(PreconditionFailedError):
        s3_stores_as("publisher").published.write_bytes(keys.commit_entry(1), b"replaced", if_absent=True)
    assert seeded.raw.read_bytes(keys.raw_filing(SHA)) == b"archived"
    assert seeded.published.read_bytes(keys.commit_entry(1)) == b"{}"
