"""`gongjue tally CASE.json [--format json|text]`: count a tally case (gongjue.tally-case/1, docs/tally-format.md)
and print its result; no database, no configuration, no Flask. Exit 0 with the result, or 2 with a message naming
what is wrong (the file, the JSON, the case)."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from app.rules.case_format import CaseError, count_case, load_case_json, read_case, result_document

USAGE = "用法（usage）：gongjue tally CASE.json [--format json|text]"
INVALID = "无效的计票文件（invalid case）："


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off for the block, back as it was after.

    A case is a tree (the parsed JSON, then the units, voters and ballots made from it): nothing in it forms a
    reference cycle, so reference counting frees all of it and the collector has nothing to find. Left on, it walks
    the growing heap again and again while half a million objects are made: a third of a 20,000-unit recount's CPU
    (issue 21 item 5, bench/tally.py)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def recount(data: bytes, output: str = "json") -> str:
    """The printed result of a case file's bytes; CaseError or ValueError (UnicodeDecodeError included) if it is not
    a valid case."""
    with cyclic_gc_paused():
        document = result_document(count_case(read_case(load_case_json(data.decode("utf-8-sig")))))
    if output == "text":
        from app.rules.report_text import render_text

        return render_text(document)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _arguments(argv: Sequence[str]) -> tuple[str, str] | None:
    """(path, format) from the command line, or None when it is not a valid one."""
    path, output, rest = None, "json", list(argv)
    while rest:
        word = rest.pop(0)
        if word == "--format" and rest:
            output = rest.pop(0)
        elif word.startswith("--format="):
            output = word.partition("=")[2]
        elif path is None and not word.startswith("-"):
            path = word
        else:
            return None
    return (path, output) if path is not None and output in ("json", "text") else None


def run(argv: Sequence[str]) -> int:
    """The command: its exit status (the output and messages are written)."""
    parsed = _arguments(argv)
    if parsed is None:
        print(USAGE, file=sys.stderr)
        return 2
    path, output = parsed
    try:
        with open(path, "rb") as case_file:
            data = case_file.read()
    except OSError as error:
        print(f"{INVALID}{path}：{error.strerror or error}", file=sys.stderr)
        return 2
    try:
        printed = recount(data, output)
    except (CaseError, ValueError) as error:
        print(f"{INVALID}{error}", file=sys.stderr)
        return 2
    sys.stdout.write(printed)
    return 0
