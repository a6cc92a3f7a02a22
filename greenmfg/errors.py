"""Domain exceptions: each names the file, the problem and the evidence, so the CLI can print one line."""

from __future__ import annotations


class GreenmfgError(Exception):
    """Base of every error the CLI reports as one line and a non-zero exit, never a traceback."""

    exit_code = 2


class FilingError(GreenmfgError):
    """A filing that cannot be read or mapped: names the file, the problem and the evidence."""

    def __init__(self, source: str, problem: str, *, found: object = None, expected: object = None):
        self.source = source
        self.problem = problem
        self.found = found
        self.expected = expected
        parts = [f"{source}: {problem}"]
        if found is not None:
            parts.append(f"found {_render(found)}")
        if expected is not None:
            parts.append(f"expected {_render(expected)}")
        super().__init__("; ".join(parts))


class UnknownFilingTypeError(FilingError):
    """The filing type could not be detected, or the name given is not a known type."""


class MissingColumnsError(FilingError):
    """Required canonical columns have no matching header in the file."""


class ResourceLimitError(FilingError):
    """A file exceeds a configured limit (size, rows, cell length, decompressed size)."""


class ValidationRejectedError(GreenmfgError):
    """A filing failed a critical expectation and is not used."""

    exit_code = 3


class StorageError(GreenmfgError):
    """The object store refused or failed an operation."""


class PreconditionFailedError(StorageError):
    """A conditional write lost: the object exists (create-once) or changed (compare-and-swap)."""


class TransientStorageError(StorageError):
    """A storage failure worth retrying (connection refused, timeout, 5xx)."""


class SettingsError(GreenmfgError):
    """Settings are missing or inconsistent (for example S3 without credentials)."""


class SnapshotError(GreenmfgError):
    """A snapshot is missing, incomplete or fails its manifest checks."""


class DiffGateBlockedError(SnapshotError):
    """The diff gate blocked a publication: nothing was committed until a person accepts it (--accept-diff),
    so the command exits as a refusal, like a rejected filing."""

    exit_code = 3


class StaleParentError(SnapshotError):
    """Another publisher committed first: content built on the former latest is never committed on top."""


def _render(value: object, limit: int = 12) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(map(str, value)) if isinstance(value, (set, frozenset)) else [str(v) for v in value]
        shown = ", ".join(items[:limit])
        more = f", … (+{len(items) - limit} more)" if len(items) > limit else ""
        return f"[{shown}{more}]"
    return str(value)


class ObjectNotFoundError(StorageError):
    """The key does not exist in the store."""


class RejectedLandingKeyError(FilingError):
    """A landed object key is unsafe or unexpected (traversal, control characters, unknown type, …)."""
