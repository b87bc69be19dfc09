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
from app.roll.models import RollObjection
from app.roll.services import today
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
    roll.accept_objection(objection, "已核对产权证，更正面积", unit.id, "95.50", unit.status, world.official.id)
    db.session.commit()
    page = client.get(f"/owner/communities/{world.first.id}").get_data(as_text=True)
    assert 'data-status="accepted"' in page
    assert "已核对产权证" in page
    assert "95.50" in page  # the corrected roll shows the new area
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
