"""An owner objects online to their roll entry, a notice and a preliminary result; staff answer in their queues and
the owner reads the answer (issue 20 item 3)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.roll import services as roll
from app.roll.models import RollObjection, RollVersion
from app.roll.services import today
from app.voting.models import Ballot
from tests.conftest import csrf_token_from
from tests.owners.helpers import gen_owner_world, latest_roll, people_of, sign_in_as


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def world(app):
    return gen_owner_world()


def _file(client, url, data):
    page = client.get(url)
    assert page.status_code == 200, url
    return client.post(url, data={**data, "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def test_an_owner_objects_to_an_area_and_reads_the_answer_and_the_corrected_roll(client, world, auth):
    person = world.shared
    sign_in_as(client, person.lookup)
    page = client.get(f"/owner/communities/{world.first.id}").get_data(as_text=True)
    assert "data-object-roll" in page
    url = f"/owner/communities/{world.first.id}/objections/roll"
    response = _file(
        client,
        url,
        {"unit_label": person.units[0], "text": "面积应为 95.50 平方米", "photo": (io.BytesIO(_jpeg()), "a.jpg")},
    )
    assert response.status_code == 302
    objection = db.session.scalars(select(RollObjection).where(RollObjection.owner_lookup == person.lookup)).one()
    assert objection.objector_name == person.name
    assert objection.photo is not None
    assert objection.photo[:2] == b"\xff\xd8"
    page = client.get(f"/owner/communities/{world.first.id}").get_data(as_text=True)
    assert f'data-objection="MC-{objection.id}"' in page
    assert 'data-status="open"' in page
    # the group accepts it in its queue: a corrected version
    version = latest_roll(world.first)
    unit = next(u for u in version.units if u.label == person.units[0])
    corrected = roll.accept_objection(
        objection, "已核对产权证，更正面积", unit.id, "95.50", unit.status, world.official.id
    )
    db.session.commit()
    page = client.get(f"/owner/communities/{world.first.id}").get_data(as_text=True)
    assert 'data-status="accepted"' in page
    assert "已核对产权证" in page
    assert "面积95.50平方米" not in page  # a corrected version nobody has published is nobody's roll yet …
    roll.publish_version(corrected, today(), world.official.id)
    db.session.commit()
    page = client.get(f"/owner/communities/{world.first.id}").get_data(as_text=True)
    assert "面积95.50平方米" in page  # … once published, the owner's entry shows the new area
    # the photo is the owner's, and the staff's who answer; nobody else's
    assert client.get(f"/owner/objections/roll/{objection.id}/photo").status_code == 200
    other = client.application.test_client()
    sign_in_as(other, people_of(version)[1].lookup)
    assert other.get(f"/owner/objections/roll/{objection.id}/photo").status_code == 404
    auth.login("owner-official")
    assert client.get(f"/objections/roll/{objection.id}/photo").status_code == 200


def test_an_owner_may_object_only_to_their_own_units_and_while_the_notice_runs(client, world, pinned_clock):
    person = world.shared
    sign_in_as(client, person.lookup)
    url = f"/owner/communities/{world.first.id}/objections/roll"
    someone_else = people_of(latest_roll(world.first))[2].units[0]
    response = _file(client, url, {"unit_label": someone_else, "text": "不是我的"})
    assert response.status_code == 422
    assert db.session.scalars(select(RollObjection).where(RollObjection.owner_lookup.is_not(None))).first() is None
    ends = latest_roll(world.first).notice_ends_on
    pinned_clock.shift((ends - today() + timedelta(days=1)).days * 86400)
    assert client.get(url).status_code == 404  # the notice is over: no form
    page = client.get(f"/owner/communities/{world.first.id}").get_data(as_text=True)
    assert "data-object-roll" not in page


def test_an_owner_never_reaches_a_community_where_they_own_nothing(client, world):
    person = people_of(latest_roll(world.first))[3]
    sign_in_as(client, person.lookup)
    assert client.get(f"/owner/communities/{world.first.id}").status_code == 200
    assert client.get(f"/owner/communities/{world.second.id}").status_code == 404
    assert client.get(f"/owner/communities/{world.second.id}/objections/roll").status_code == 404


def test_an_owner_objects_to_a_running_notice_and_the_group_sees_it_in_its_queue(app, client, auth):
    from app.preparation import notices
    from app.preparation.models import NoticeObjection
    from app.privacy import lookup_hash
    from tests.factories import gen_community, gen_official, gen_township
    from tests.preparation.helpers import gen_preparation

    township = gen_township("公示街道")
    community = gen_community(township, "公示小区")
    official = gen_official(township, "notice-official")
    made = gen_preparation(community, official, with_candidates=False)
    notice = notices.publish(made.group, "members", today(), official.id, recorded_on=today())
    db.session.commit()
    person = made.owners[8]
    sign_in_as(client, lookup_hash(person.id_number))
    page = client.get(f"/owner/communities/{community.id}").get_data(as_text=True)
    assert f'data-notice="{notice.id}"' in page
    unit = people_of(latest_roll(community))[8].units[0]
    response = _file(
        client,
        f"/owner/communities/{community.id}/objections/notice-{notice.id}",
        {"unit_label": unit, "text": "成员名单有误"},
    )
    assert response.status_code == 302
    filed = db.session.scalars(select(NoticeObjection)).one()
    assert (filed.objector_name, filed.unit_label, filed.recorded_by_id) == (person.name, unit, None)
    auth.login("notice-official")
    staff_page = client.get(f"/notices/{notice.id}/manage").get_data(as_text=True)
    assert f"GS-{filed.id}" in staff_page
    assert "data-owner-filed" in staff_page


def test_an_owner_sees_their_ballot_and_objects_to_the_published_result(app, client, auth):
    from app.results import certification, closing, count_runs
    from app.results.models import ResultObjection
    from tests.results.helpers_lifecycle import end_window, gen_voted, owner_voters

    voted = gen_voted(share=0.5)
    meeting = voted.meeting
    end_window(meeting)
    closing.close(meeting)
    result = count_runs.count(meeting, voted.official.id)
    certification.publish(result, today())
    db.session.commit()
    version = db.session.get(RollVersion, meeting.roll_version_id)
    voter = owner_voters(voted)[0]  # voted by phone
    building, entrance, room = voter.unit_key.split("/")
    person = next(p for p in people_of(version) if f"{building}{entrance}{room}" in p.units)
    sign_in_as(client, person.lookup)
    page = client.get(f"/owner/communities/{voted.community.id}").get_data(as_text=True)
    assert 'data-standing="published"' in page
    assert "data-my-ballot" in page
    assert "data-inclusion" in page
    ballot = db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == voter.id)).one()
    assert ballot.receipt_code in page
    response = _file(
        client,
        f"/owner/communities/{voted.community.id}/objections/result-{result.id}",
        {"unit_label": person.units[0], "text": "计票有误"},
    )
    assert response.status_code == 302
    objection = db.session.scalars(select(ResultObjection)).one()
    assert objection.owner_lookup == person.lookup
    assert person.units[0] in objection.objector


def test_an_objections_photo_is_for_those_who_may_see_personal_data_and_each_view_is_audited(client, auth, world):
    from app.audit.models import AuditEvent
    from app.auth.models import Role
    from tests.factories import gen_member

    sign_in_as(client, world.shared.lookup)
    url = f"/owner/communities/{world.first.id}/objections/roll"
    _file(
        client, url, {"unit_label": world.shared.units[0], "text": "面积有误", "photo": (io.BytesIO(_jpeg()), "a.jpg")}
    )
    objection = db.session.scalars(select(RollObjection).where(RollObjection.owner_lookup.is_not(None))).one()
    gen_member(world.first, "photo-observer", role=Role.OBSERVER)
    db.session.commit()
    auth.login("photo-observer")
    assert client.get(f"/objections/roll/{objection.id}/photo").status_code in (403, 404)
    auth.logout()
    auth.login("owner-official")
    assert client.get(f"/objections/roll/{objection.id}/photo").status_code == 200
    db.session.expire_all()
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "objection.photo_view")).all()
    assert [event.object_id for event in viewed] == [str(objection.id)]
