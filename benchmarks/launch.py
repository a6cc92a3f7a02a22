"""Run one command as a process and report its wall time and peak memory: `python -S launch.py OUT -- CMD...`.

Stdlib only and started with `python -S`, so this launcher stays a few MiB: Linux carries the peak resident
set (ru_maxrss) of the process that execs into the child, so a child started from a big harness would report
the harness's size; started from this small launcher it reports its own. The clock runs from just before the
spawn to the reaping of the child: interpreter start, imports, work and exit. Writes one JSON object to OUT
({"seconds", "peak_rss_bytes", "returncode"}); the child's stdout and stderr go to OUT.stdout / OUT.stderr.
"""

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -S launch.py OUT -- CMD [ARG...]", file=sys.stderr)
        return 2
    out, command = argv[0], argv[2:]
    with open(out + ".stdout", "wb") as stdout, open(out + ".stderr", "wb") as stderr:
        actions = [
            (os.POSIX_SPAWN_DUP2, stdout.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, stderr.fileno(), 2),
        ]
        start = time.perf_counter()
        try:
            pid = os.posix_spawnp(command[0], command, os.environ, file_actions=actions)
        except OSError as exc:
            print(f"launch: cannot start {command[0]}: {exc.strerror}", file=sys.stderr)
            return 2
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - start
    result = {
        "seconds": seconds,
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # Linux reports KiB
        "returncode": os.waitstatus_to_exitcode(status),
    }
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
