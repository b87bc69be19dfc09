"""Every kind of owner on the roll, and each of them votes (issue 15 item 4, done when; DOMAIN §3): a roll file with a
company (through its named representative), a Hong Kong resident (travel permit), a foreigner (passport and
nationality) and a Zhuji resident ID of 1962 whose region code is younger than its holder imports with warnings only;
each of them votes by phone with the end of its own document, or the representative's for the company; the public
notice shows nothing of the short documents."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select
from stdnum.cn import ric

from app.extensions import db
from app.privacy import decrypt, mask_id_for_notice
from app.roll import services
from app.roll.models import RollImport, RollOwner, RollVersion
from app.roll.services import today
from app.roll.template import example_rows, template_headers
from app.voting import ballots, credentials, meetings
from app.voting.models import Ballot, MeetingVoter
from tests.factories import gen_community, gen_official, gen_township
from tests.preparation.helpers import refused
from tests.voting.helpers import gen_meeting

ZHUJI_1962 = "33068119620517123"
ZHUJI_1962 += ric.calc_check_digit(ZHUJI_1962 + "0")


def meeting_ballots(meeting_id: int) -> list[Ballot]:
    return list(db.session.scalars(select(Ballot).where(Ballot.meeting_id == meeting_id)))


def roll_file() -> bytes:
    """The template's example (a company with its representative, a Hong Kong resident, a foreigner among them) and
    one more flat whose owner's resident ID was issued under 330681 to a holder born in 1962."""
    rows = example_rows()
    zhuji = ["3幢", "1单元", "301", "住宅", 101.5, "登记", "已交付", "楼志明", ZHUJI_1962, "13905751962"]
    rows.append(zhuji + [""] * (len(template_headers()) - len(zhuji)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(template_headers())
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_every_kind_of_owner_is_on_the_roll_and_votes(app: object) -> None:
    township = gen_township()
    community, official = gen_community(township), gen_official(township)
    started = services.start_import(community, "roll.csv", roll_file(), "全体业主", official.id)
    db.session.commit()
    services.run_import(started.id)
    done = db.session.get_one(RollImport, started.id)
    assert done.status == "done", done.report
    assert [w["code"] for w in done.report["warnings"]] == ["id_region"]  # the 1962 Zhuji ID: a warning only
    version = db.session.get_one(RollVersion, done.roll_version_id)
    owners = {o.name: o for u in version.units for o in u.owners}
    company, visitor, foreigner = owners["诸暨示例贸易有限公司"], owners["陈嘉欣"], owners["John Smith"]
    assert (company.id_type, company.agent_name) == ("uscc", "赵明")
    assert (visitor.id_type, decrypt(visitor.id_number_cipher)) == ("travel_permit", "H12345678")
    assert (foreigner.id_type, foreigner.nationality) == ("passport", "美国")
    # the notice shows nothing of a short document, whose last six characters are the ballot's second factor
    assert mask_id_for_notice("E12345678", "passport") == "*********"
    assert mask_id_for_notice(ZHUJI_1962) == "330**************" + ZHUJI_1962[-1]

    services.publish_version(version, date(2026, 8, 10), official.id)
    meeting = gen_meeting(community, official)
    meetings.open_voting(meeting, today(), official.id)
    voters = {
        v.holder_name: v for v in db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id))
    }
    agent_tail = decrypt(db.session.scalars(select(RollOwner.agent_id_cipher).where(RollOwner.id == company.id)).one())[
        -6:
    ]
    factors = {
        "诸暨示例贸易有限公司": agent_tail,  # through its representative
        "陈嘉欣": "345678",
        "John Smith": "345678",
        "楼志明": ZHUJI_1962[-6:],
    }
    company_voter = voters["诸暨示例贸易有限公司"]
    assert company_voter.shown_name == "诸暨示例贸易有限公司"  # an organisation's name is not masked
    assert company_voter.factor_words == "单位代表人证件号码后六位"
    assert voters["John Smith"].factor_words == "护照号码后六位"
    assert decrypt(company_voter.phone_cipher) == "13906751234"  # the representative's phone
    motion = meeting.matters[0]
    for name, tail in factors.items():
        voter = voters[name]
        issued = credentials.issue(voter, official.id)
        credential = credentials.find(token=issued.token)
        assert credential is not None
        if name == "诸暨示例贸易有限公司":  # the company's own code (public) is not its factor
            uscc_tail = decrypt(company.id_number_cipher)[-6:]
            assert refused(credentials.verify, credential, uscc_tail).code == "second_factor_wrong"
            db.session.refresh(credential)
        credentials.verify(credential, tail)
        ballots.cast(voter, {str(motion.id): "yes"}, "phone")
        assert voter.id in {b.meeting_voter_id for b in meeting_ballots(meeting.id)}
