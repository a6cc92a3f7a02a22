"""Subcommands of `greenmfg`: each module defines `register(subparsers)` and sets `handler`."""
