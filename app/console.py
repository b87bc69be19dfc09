"""The `gongjue` console script. `gongjue tally` is a recount anyone runs on a published case, offline: it is served
here without importing Flask, SQLAlchemy or the app's configuration, which it needs none of (issue 21 item 5: the
import alone cost a quarter of a second of a one-second recount). Every other command is the Flask group of
app.cli."""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["tally"] and not {"-h", "--help"} & set(args[1:]):
        from app.tally_command import run

        sys.exit(run(args[1:]))
    from app.cli import main as commands

    commands()
