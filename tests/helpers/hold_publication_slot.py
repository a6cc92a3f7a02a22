"""Test subprocess: hold the publication slot of the Prefect server in PREFECT_API_URL until a line (or the
end) arrives on stdin. Prints "held" once it holds it.

A separate process, because Prefect keeps one slot-acquisition service per limit name per process, bound
to the API of its first use: acquiring from the test process would leave later tests, on other servers,
with a service that still calls this one.
"""

from __future__ import annotations

import sys

from prefect.concurrency.sync import concurrency

from tasks.publication_slot import PUBLICATION_LIMIT


def main() -> int:
    with concurrency(PUBLICATION_LIMIT, occupy=1, strict=True):
        print("held", flush=True)
        sys.stdin.readline()
    return 0


if __name__ == "__main__":
    sys.exit(main())
