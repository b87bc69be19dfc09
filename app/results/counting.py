"""Counting a closed meeting into its signed result package (DOMAIN §9; issue "counting", "the package" and 17).

The count is the counting engine's (app/rules/) on the voters fixed from the frozen roll when voting opened and
the ballots stored, encrypted (`gongjue.result-package/2`): the run in the background is app.results.count_runs;
this module holds what a package takes from the database, and signs and stores it. The same code recounts the
package in `gongjue verify`. The platform and the convening body sign the package as it is made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit import services as audit
from app.communities.models import Community, Township
from app.db_types import SHANGHAI, utcnow
from app.extensions import db
from app.results import closing, keys
from app.results.models import Result
from app.results.package import package_hash, sign
from app.roll.models import RollVersion
from app.rules.case_format import read_runoff
from app.rules.model import Election, Matter, Motion, Settings
from app.rules.outcome import outcome
from app.voting.models import Meeting, MeetingVoter
from crypto.canonical import canonical_json


def engine_settings(meeting: Meeting) -> Settings:
    """The engine's settings the meeting was opened with (copied from the voting rules)."""
    saved, defaults = meeting.settings, Settings()
    return Settings(
        count_parking=bool(saved.get("count_parking", defaults.count_parking)),
        blank_and_invalid_take_part=bool(
            saved.get("blank_and_invalid_take_part", defaults.blank_and_invalid_take_part)
        ),
        rank_by=tuple(saved.get("rank_by") or defaults.rank_by),
        min_committee_members=int(saved.get("min_committee_members", defaults.min_committee_members)),
        tie_rule=str(saved.get("tie_rule", defaults.tie_rule)),
    )


def engine_matters(meeting: Meeting) -> list[Matter]:
    matters: list[Matter] = []
    for matter in meeting.matters:
        if matter.kind == "election":
            candidates = tuple(str(c.id) for c in matter.candidates)
            by_election = bool(meeting.settings.get("by_election", False))
            seats, alternates = matter.seats or 0, matter.max_alternates or 0
            runoff = read_runoff(matter.runoff) if matter.runoff is not None else None
            matters.append(
                Election(
                    str(matter.id),
                    seats,
                    alternates,
                    candidates,
                    by_election=by_election,
                    part=matter.list_part,
                    runoff=runoff,
                )
            )
        else:
            matters.append(Motion(str(matter.id), matter.category))
    return matters


def labels(meeting: Meeting) -> dict[str, Any]:
    """The names people read: matter titles and candidate names (the engine sees only ids)."""
    return {
        "matters": {str(m.id): m.title for m in meeting.matters},
        "candidates": {str(c.id): c.name for m in meeting.matters for c in m.candidates},
    }


def cast_on(cast_at: datetime) -> str:
    """The day a ballot was cast (Asia/Shanghai), as the ledger publishes it: staff see who voted and may see when,
    so an exact time would match a ballot to its voter (issue 16 item 1); the day is as far as the package goes."""
    return cast_at.astimezone(SHANGHAI).date().isoformat()


def voters_of(meeting: Meeting) -> list[tuple[str, int]]:
    """The meeting's voters fixed at opening: (pseudonym, area in 0.01 m²)."""
    rows = db.session.execute(
        select(MeetingVoter.voter_key, MeetingVoter.area_centi).where(MeetingVoter.meeting_id == meeting.id)
    ).all()
    return [(key, area) for key, area in rows]


def common(meeting: Meeting) -> tuple[dict[str, Any], int]:
    """What a package holds of a closed meeting besides its ballots (the keyword arguments of the package
    builders), and its township's id."""
    community = db.session.get_one(Community, meeting.community_id)
    township = db.session.get_one(Township, community.township_id)
    version = db.session.get(RollVersion, meeting.roll_version_id) if meeting.roll_version_id else None
    found: dict[str, Any] = {
        "community": {
            "id": community.id,
            "name": community.name,
            "township": township.name,
            "township_id": township.id,
        },
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "opens_at": meeting.opens_at.isoformat(),
            "closes_at": meeting.closes_at.isoformat(),
            "closed_at": meeting.closed_at.isoformat() if meeting.closed_at else None,
            "channels": meeting.channels.split(","),
            "roll_version": version.number if version else None,
            "roll_fingerprint": meeting.roll_root or (version.fingerprint if version else None),
        },
        "settings": engine_settings(meeting),
        "matters": engine_matters(meeting),
        "labels": labels(meeting),
        "voters": voters_of(meeting),
        "excluded": closing.excluded_list(meeting),
    }
    return found, township.id


def store(meeting: Meeting, package: dict[str, Any], user_id: int | None) -> Result:
    """Sign a counted package (the platform and the convener) and keep it as the meeting's Result; the meeting
    becomes "counted" (no ballot is taken after this). Audited."""
    signed_at = utcnow().replace(microsecond=0).isoformat()
    platform = keys.key_in_force("platform")
    convener = keys.key_in_force("convener", community_id=meeting.community_id)
    for role, key in (("platform", platform), ("convener", convener)):
        sign(package, role=role, public_pem=key.public_pem, private_pem=keys.private_pem(key), signed_at=signed_at)
    kind = "runoff" if meeting.settings.get("runoff_of") else "later" if meeting.body_id is not None else "first"
    decided = outcome(package["matters"], package["tally"]["matters"], kind)
    result = Result(
        meeting_id=meeting.id,
        package=canonical_json(package).decode(),
        package_sha256=package_hash(package),
        counted_by_id=user_id,
        outcome=decided.document(),
    )
    db.session.add(result)
    meeting.status = "counted"
    db.session.flush()
    community = db.session.get_one(Community, meeting.community_id)
    audit.record(
        "result.count",
        "result",
        result.id,
        {
            "meeting": meeting.id,
            "package": result.package_sha256,
            "format": package["format"],
            "ballots": len(package["ledger"]["ballots"]),
        },
        township_id=community.township_id,
        community_id=community.id,
    )
    return result
