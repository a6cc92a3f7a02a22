"""`greenmfg stack up | status | down`: the local stack (SeaweedFS, Prefect server, workers, bridge)."""

from __future__ import annotations

import argparse
from pathlib import Path

from greenmfg.commands import add_command


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "stack",
        summary="start, inspect or stop the local stack (loopback only)",
        description="""\
The local stack: SeaweedFS, a Prefect server, work pools and workers, the task workers and the
landing bridge, all on 127.0.0.1, with every log, database and generated secret under one state
folder. `up` starts it and deploys the flows, `status` shows each component's health (exit 1 when
one is not healthy), `down` stops exactly the processes `up` started.""",
        examples=[
            "greenmfg stack up",
            "greenmfg stack status",
            "GREENMFG_STATE_DIR=/tmp/stack2 greenmfg stack up   # a second stack beside the first",
            "greenmfg stack down",
        ],
    )
    parser.add_argument("action", choices=("up", "status", "down"), help="one of: %(choices)s")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="folder of every log, database and datum of the stack (default: $GREENMFG_STATE_DIR, "
        "else .greenmfg/stack in the project)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from infra import stack

    state_dir = (args.state_dir or stack.state_dir_from_env()).resolve()
    if args.action == "up":
        stack.up(state_dir, log=lambda message: print(f"… {message}", flush=True))
        print(f"stack up; state, logs and credentials (0600) in {state_dir}")
        return _print_status(stack.status(state_dir))
    if args.action == "down":
        stopped = stack.down(state_dir)
        print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")
        return 0
    return _print_status(stack.status(state_dir))


def _print_status(components: list) -> int:
    """A table of component, PID, health and URL; exit 0 only when every component is healthy."""
    rows = [("component", "pid", "health", "url / pool", "detail")]
    for c in components:
        health = "healthy" if c.healthy else ("unhealthy" if c.running else "stopped")
        rows.append((c.name, str(c.pid or "-"), health, c.url or "-", c.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0 if all(c.healthy for c in components) else 1
