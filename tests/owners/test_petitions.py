"""Owners' initiative from their phones: a proposal signed until 20% of the heads, the committee's clock, the
township's reminder; joint and self nominations into the vetting (issue 20 items 4–5; DOMAIN §7 item 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.governance import reminders
from app.governance.reminder_models import GovernanceReminder
from app.owners import petitions
from app.owners.identity import my_community
from app.owners.models import Petition
from app.preparation.models import Candidate
from app.roll.services import today
from app.roll.weights import voter_roll
from tests.conftest import csrf_token_from
from tests.factories import gen_community, gen_official, gen_township
from tests.governance.test_supervision_helpers import gen_body
from tests.owners.helpers import gen_owner_world, latest_roll, people_of, sign_in_as
from tests.preparation.helpers import COSIGNER_INDEXES, gen_preparation


def _press(client, page_url, action_url, data=None):
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    return client.post(action_url, data={**(data or {}), "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def _heads_of(version) -> int:
    return len(voter_roll(version.units).voters)


@pytest.fixture
def world(app):
    made = gen_owner_world(units=24)
    gen_body(made.first)
    db.session.commit()
    return made


def _signers(world) -> list:
    """One person per head of the first community's roll (the first owner of each voter), developer aside."""
    version = latest_roll(world.first)
    people = {p.lookup: p for p in people_of(version)}
    chosen = []
    for voter in voter_roll(version.units).voters:
        owner = sorted(voter.owners)[0]
        if owner in people and people[owner] not in chosen:
            chosen.append(people[owner])
    return chosen


def test_a_proposal_reaches_one_fifth_of_the_heads_and_starts_the_committees_clock(app, client, world):
    version = latest_roll(world.first)
    total = _heads_of(version)
    needed = -(-total // 5)
    signers = _signers(world)
    drafter = signers[0]
    sign_in_as(client, drafter.lookup)
    community_page = f"/owner/communities/{world.first.id}"
    url = f"{community_page}/proposals/interim_meeting"
    response = _press(client, url, url, {"title": "更换物业服务企业", "text": "服务质量差"})
    assert response.status_code == 302
    petition = db.session.scalars(select(Petition)).one()
    assert (petition.needed_heads, petition.total_heads, petition.status) == (needed, total, "collecting")
    page_url = f"/owner/petitions/{petition.id}"
    assert f'data-count="1" data-needed="{needed}"' in client.get(page_url).get_data(as_text=True)
    # a signer withdraws and signs again; the count follows
    second = app.test_client()
    sign_in_as(second, signers[1].lookup)
    _press(second, page_url, f"{page_url}/sign")
    _press(second, page_url, f"{page_url}/unsign")
    assert petitions.count(db.session.get(Petition, petition.id)).heads == 1
    for person in signers[1:needed]:
        other = app.test_client()
        sign_in_as(other, person.lookup)
        assert _press(other, page_url, f"{page_url}/sign").status_code == 302
    db.session.expire_all()
    petition = db.session.get(Petition, petition.id)
    assert petition.status == "reached"
    assert petition.reached_on == today()
    assert petition.convene_by is not None
    assert petition.convene_by >= today() + timedelta(days=30)
    # signatures are final now: none added, none withdrawn
    with pytest.raises(DomainError) as late:
        petitions.sign(petition, my_community(world.first.id, [signers[1].lookup]), today())
    assert late.value.code == "petition_closed"
    with pytest.raises(DomainError) as withdrawn:
        petitions.withdraw_signature(petition, my_community(world.first.id, [drafter.lookup]))
    assert withdrawn.value.code == "petition_closed"
    assert petitions.count(petition).heads == needed
    # the committee is reminded, and the township once it is overdue
    reminders.send_reminders(petition.convene_by + timedelta(days=1))
    overdue = db.session.scalars(select(GovernanceReminder).where(GovernanceReminder.clock == "petition")).one()
    assert (overdue.addressee, overdue.subject_id) == ("township", petition.id)


def test_the_threshold_is_exactly_one_fifth(app, world):
    """One head short of a fifth stays collecting; the head that makes a fifth exactly reaches it."""
    version = latest_roll(world.first)
    total = _heads_of(version)
    signers = _signers(world)
    needed = -(-total // 5)
    first = my_community(world.first.id, [signers[0].lookup])
    petition = petitions.propose(first, "audit", "审计公共收益", "", today())
    for person in signers[1 : needed - 1]:
        petitions.sign(petition, my_community(world.first.id, [person.lookup]), today())
    assert petition.status == "collecting"
    assert petitions.count(petition).heads == needed - 1
    petitions.sign(petition, my_community(world.first.id, [signers[needed - 1].lookup]), today())
    assert petition.status == "reached"
    assert needed * 5 >= total > (needed - 1) * 5


def test_without_a_body_in_office_there_is_nobody_to_convene(client, app):
    made = gen_owner_world()
    sign_in_as(client, made.shared.lookup)
    url = f"/owner/communities/{made.first.id}/proposals/interim_meeting"
    response = _press(client, url, url, {"title": "临时会议", "text": ""})
    assert response.status_code == 422
    assert db.session.scalars(select(Petition)).first() is None


def test_an_owner_of_another_community_never_sees_or_signs_a_petition(app, client, world):
    drafter = _signers(world)[0]
    petition = petitions.propose(my_community(world.first.id, [drafter.lookup]), "audit", "审计", "", today())
    db.session.commit()
    outsider = people_of(latest_roll(world.second))[3]
    sign_in_as(client, outsider.lookup)
    assert client.get(f"/owner/petitions/{petition.id}").status_code == 404
    page = client.get("/owner?all=1").get_data(as_text=True)
    csrf = csrf_token_from(page) if "csrf_token" in page else ""
    assert client.post(f"/owner/petitions/{petition.id}/sign", data={"csrf_token": csrf}).status_code in (400, 404)
    assert petitions.count(petition).heads == 1


@pytest.fixture
def preparing(app):
    township = gen_township("提名街道")
    community = gen_community(township, "提名小区")
    official = gen_official(township, "nomination-official")
    made = gen_preparation(community, official, with_candidates=False)
    db.session.commit()
    return made


def test_ten_owners_co_sign_a_joint_nomination_that_the_group_then_vets(app, client, preparing):
    from app.privacy import lookup_hash

    owners = preparing.owners
    candidate = owners[6]
    sign_in_as(client, lookup_hash(candidate.id_number))
    community_id = preparing.group.community_id
    url = f"/owner/communities/{community_id}/nominate"
    response = _press(client, url, url, {"route": "joint", "statement": "愿为大家服务", "party_member": "y"})
    assert response.status_code == 302
    petition = db.session.scalars(select(Petition)).one()
    page_url = f"/owner/petitions/{petition.id}"
    for index in COSIGNER_INDEXES:
        other = app.test_client()
        sign_in_as(other, lookup_hash(owners[index].id_number))
        assert _press(other, page_url, f"{page_url}/sign").status_code == 302
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).status == "reached"
    response = _press(client, page_url, f"{page_url}/submit")
    assert response.status_code == 302
    nomination = db.session.scalars(select(Candidate)).one()
    assert (nomination.route, nomination.name, len(nomination.cosigners)) == ("joint", candidate.name, 10)
    assert nomination.party_member is True
    assert nomination.group_id == preparing.group.id
    assert nomination.status == "nominated"  # the group vets it as any other


def test_an_owner_nominates_themself(app, client, preparing):
    from app.privacy import lookup_hash

    person = preparing.owners[4]
    sign_in_as(client, lookup_hash(person.id_number))
    url = f"/owner/communities/{preparing.group.community_id}/nominate"
    assert _press(client, url, url, {"route": "self", "statement": "我来试试"}).status_code == 302
    nomination = db.session.scalars(select(Candidate)).one()
    assert (nomination.route, nomination.statement, nomination.recorded_by_id) == ("self", "我来试试", None)


def test_the_body_answers_a_reached_proposal_with_a_meeting_announced_since(app, world):
    from app.voting.models import Meeting
    from tests.voting.helpers import gen_meeting

    signers = _signers(world)
    needed = -(-_heads_of(latest_roll(world.first)) // 5)
    petition = petitions.propose(my_community(world.first.id, [signers[0].lookup]), "audit", "审计", "", today())
    for person in signers[1:needed]:
        petitions.sign(petition, my_community(world.first.id, [person.lookup]), today())
    assert petition.status == "reached"
    meeting: Meeting = gen_meeting(world.first, world.official)  # announced 30 days before its window: before
    with pytest.raises(DomainError) as earlier:
        petitions.record_convened(petition, meeting, world.official.id)
    assert earlier.value.code == "meeting_not_announced"
    meeting.announced_on = today()
    petitions.record_convened(petition, meeting, world.official.id)
    assert (petition.status, petition.convened_meeting_id) == ("convened", meeting.id)
    assert [c for c in reminders.clocks(world.first) if c.clock == "petition"] == []


def test_who_signed_is_for_those_who_act_on_it_not_tellers(app, client, auth, world):
    from app.auth.models import Role
    from tests.factories import gen_member

    gen_member(world.first, "petition-teller", role=Role.TELLER)
    db.session.commit()
    auth.login("petition-teller")
    assert client.get(f"/communities/{world.first.id}/petitions").status_code == 403
    auth.logout()
    auth.login("owner-official")
    assert client.get(f"/communities/{world.first.id}/petitions").status_code == 200
