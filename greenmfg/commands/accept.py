"""`greenmfg accept SHA`: accept a filing held for review, once (shared with reject/accept in review.py)."""

from __future__ import annotations

import argparse

from greenmfg.commands.review import register_decision


def register(subparsers: argparse._SubParsersAction) -> None:
    register_decision(subparsers, "accept")
