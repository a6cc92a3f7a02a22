"""`greenmfg stack up | status | env | down`: the local stack (SeaweedFS, Prefect server, workers, bridge)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
from pathlib import Path

from greenmfg.commands import add_command

# Whose settings `stack env` prints (infra/stack.py: role_env); declared here so the parser needs no infra.
ROLES = ("ingester", "publisher", "consumer", "operator")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "stack",
        summary="start, inspect or stop the local stack (loopback only)",
        description="""\
The local stack: SeaweedFS, a Prefect server, work pools and workers, the task workers and the
landing bridge, all on 127.0.0.1, with every log, database and generated secret under one state
folder. `up` starts it and deploys the flows, `status` shows each component's health (exit 1 when
one is not healthy), `env --role R` prints the settings of one role (shell export lines, or --json),
`down` stops exactly the processes `up` started.""",
        examples=[
            "greenmfg stack up",
            "greenmfg stack status",
            "eval \"$(greenmfg stack env --role consumer)\"   # read snapshots as the consumer",
            "greenmfg stack env --role operator --json",
            "GREENMFG_STATE_DIR=/tmp/stack2 greenmfg stack up   # a second stack beside the first",
            "greenmfg stack down",
        ],
    )
    parser.add_argument("action", choices=("up", "status", "env", "down"), help="one of: %(choices)s")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="folder of every log, database and datum of the stack (default: $GREENMFG_STATE_DIR, "
        "else .greenmfg/stack in the project)",
    )
    parser.add_argument(
        "--role", choices=ROLES, help="env: whose settings to print (S3 identity, Prefect API and login)"
    )
    parser.add_argument("--json", action="store_true", help="env: a JSON object instead of export lines")
    parser.add_argument(
        "--notify-url",
        metavar="URL",
        help="up: webhook the automations post their messages to (default: $GREENMFG_NOTIFY_WEBHOOK_URL, "
        "else the one of the previous start)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from infra import stack
    from infra.automations import NOTIFY_URL_ENV

    state_dir = (args.state_dir or stack.state_dir_from_env()).resolve()
    if args.action == "up":
        notify_url = args.notify_url or os.environ.get(NOTIFY_URL_ENV)
        stack.up(state_dir, log=lambda message: print(f"… {message}", flush=True), notify_url=notify_url)
        print(f"stack up; state, logs and credentials (0600) in {state_dir}")
        return _print_status(stack.status(state_dir), state_dir)
    if args.action == "down":
        stopped = stack.down(state_dir)
        print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")
        return 0
    if args.action == "env":
        if args.role is None:
            raise stack.StackError(f"stack env needs --role, one of {', '.join(ROLES)}")
        return _print_env(stack.role_env(state_dir, args.role), as_json=args.json)
    return _print_status(stack.status(state_dir), state_dir)


def _print_env(variables: dict[str, str], *, as_json: bool) -> int:
    """To stdout only (it holds secrets): never through logging, which a handler could send elsewhere."""
    if as_json:
        print(json.dumps(variables, indent=1, sort_keys=True))
    else:
        for name, value in sorted(variables.items()):
            print(f"export {name}={shlex.quote(value)}")
    return 0


def _print_status(components: list, state_dir: Path) -> int:
    """Component, PID, health and URL, then how to use the stack; exit 0 only when all are healthy."""
    rows = [("component", "pid", "health", "url / pool", "detail")]
    for c in components:
        health = "healthy" if c.healthy else ("unhealthy" if c.running else "stopped")
        rows.append((c.name, str(c.pid or "-"), health, c.url or "-", c.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    given = "" if state_dir == _default_state_dir() else f" --state-dir {shlex.quote(str(state_dir))}"
    roles = "|".join(ROLES)
    print(f'\nsettings of a role: eval "$(greenmfg stack env{given} --role {roles})"')
    print("Prefect UI: the prefect-server URL above; its login is PREFECT_API_AUTH_STRING of --role operator")
    return 0 if all(c.healthy for c in components) else 1


def _default_state_dir() -> Path:
    from infra import stack

    return stack.state_dir_from_env()
