"""An opened meeting's matters, read from the database once per worker (issue 21 item 2).

Once voting opens, nothing about a meeting's matters, candidates or attachments can change (app.voting.models;
DOMAIN §8): `meetings.open_voting` checks them against the announcement and freezes them, and no path sets a meeting
back to draft. So the ballot pages, the load of a voting day, need not read them on every request: the first request
of a worker reads them with their lists (three statements) and keeps them, detached from its session, for every later
one. A draft meeting's matters are read every time (the convener is still editing them).

The kept objects are only read: a page gets them as its meeting's ``matters`` (``set_committed_value``, which
neither marks the meeting changed nor adds them to the session), and nothing on the ballot's path writes a matter.
The key is the meeting's id with the moment it opened, so that a database whose ids start again (a test's rolled
back SQLite) never finds another meeting's matters; ``forget_all`` empties the cache (the test suite does, per test).
``kept_rendering`` keeps, the same way, a piece of page made from the matters alone (the owner's fresh ballot form).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup
from sqlalchemy.orm import InstanceState, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.voting.models import Matter, Meeting

#: this worker's opened meetings' matters, by (meeting id, opened at): each a few kilobytes
_EXTENSION = "gongjue.frozen_matters"
#: and pieces of their pages, by (meeting id, opened at, variant)
_RENDERED = "gongjue.frozen_matters.rendered"
#: meetings kept at most (a worker serves a handful at once); the oldest read goes first
MAX_MEETINGS = 256

MATTERS = (
    sa.select(Matter)
    .where(Matter.meeting_id == sa.bindparam("meeting_id"))
    .order_by(Matter.position)
    .options(selectinload(Matter.candidates), selectinload(Matter.attachments))
)


def load(meeting: Meeting) -> None:
    """Give ``meeting`` its matters with their candidates and attachments: this worker's copy once voting has opened,
    else read now (three statements however many matters there are). Nothing is done if they are loaded already."""
    if "matters" not in sa.inspect(meeting).unloaded:
        return
    key = _frozen_key(meeting)
    if key is None:
        set_committed_value(meeting, "matters", _read(meeting.id))
        return
    kept: dict[tuple[int, object], list[Matter]] = current_app.extensions.setdefault(_EXTENSION, {})
    matters = kept.get(key)
    if matters is None or not _intact(matters):
        matters = _read(meeting.id)
        for matter in matters:
            db.session.expunge(matter)  # with its candidates and attachments (cascade)
        _make_room(kept, MAX_MEETINGS)
        kept[key] = matters
    set_committed_value(meeting, "matters", list(matters))


def _intact(matters: list[Matter]) -> bool:
    """The kept objects are still as kept: detached, nothing expired. A session call on a meeting that holds them
    (``add``, ``refresh``, ``expire``, ``delete``) cascades to them, as ``Meeting.matters`` cascades "all": nothing on
    the ballot's path makes one, but should a later change do so, they are read again instead of failing on every
    later page of the meeting."""
    for matter in matters:
        state: InstanceState[Matter] = sa.inspect(matter)
        if not state.detached or state.expired_attributes:
            return False
        for item in (*matter.candidates, *matter.attachments):
            listed = sa.inspect(item)
            if not listed.detached or listed.expired_attributes:
                return False
    return True


def _make_room(kept: dict[Any, Any], most: int) -> None:
    """Drop the oldest entry when ``kept`` is full (another thread of a threaded server may be dropping it too)."""
    if len(kept) >= most:
        with suppress(StopIteration, KeyError, RuntimeError):
            kept.pop(next(iter(kept)))


def kept_rendering(meeting: Meeting, variant: str, render: Callable[[], str]) -> Markup:
    """A piece of a page that depends on nothing but the opened meeting's matters and ``variant`` (its language),
    rendered once per worker and kept with the matters (a draft meeting's, every time). The owner's fresh ballot form
    is one: its matters with their candidates were a tenth of a ballot's CPU (issue 21 item 2)."""
    frozen = _frozen_key(meeting)
    if frozen is None:
        return Markup(render())  # noqa: S704  (a template's output, escaped by Jinja)
    kept: dict[tuple[int, object, str], Markup] = current_app.extensions.setdefault(_RENDERED, {})
    key = (*frozen, variant)
    found = kept.get(key)
    if found is None:
        found = Markup(render())  # noqa: S704  (a template's output, escaped by Jinja)
        _make_room(kept, MAX_MEETINGS * 4)
        kept[key] = found
    return found


def _frozen_key(meeting: Meeting) -> tuple[int, object] | None:
    """What the meeting's kept matters are found by, (its id, when it opened); None while it is a draft."""
    if meeting.status == "draft" or meeting.opened_at is None:
        return None
    return meeting.id, meeting.opened_at


def _read(meeting_id: int) -> list[Matter]:
    return list(db.session.scalars(MATTERS, {"meeting_id": meeting_id}).all())


def forget_all() -> None:
    """Empty this app's cache (the test suite, between tests whose databases reuse ids)."""
    current_app.extensions.pop(_EXTENSION, None)
    current_app.extensions.pop(_RENDERED, None)
