"""Access control over every route, pages and API alike.

The routes are read from the app's URL map, so a new route is covered the day it is added: it must either be
listed as public here or refuse the people outside its scope. An official of township A sends well-formed
requests (valid CSRF token, valid form data) at every route with the ids of township B, and must be refused
with nothing of B's changed or shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth import services as accounts
from app.auth.models import GroupRole, Role
from app.extensions import db
from tests.conftest import AuthActions
from tests.factories import PASSWORD, gen_admin, gen_community, gen_member, gen_official, gen_roll, gen_township

#: public pages; the roll and preparation notices are public by design behind unguessable tokens
PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "auth.set_language",
    "healthz",
    "livez",
    "api-docs.openapi_json",
    "roll.notice",
    "roll.notice_pdf",
    "roll.notice_pdf_status",
    "notices.public",
    "notices.public_pdf",
    # the voter's pages: the credential in the session is the authorisation (tests/voting/test_ballot_pages.py)
    "ballot.enter",
    "ballot.enter_code",
    "ballot.page",
    "ballot.verify",
    "ballot.send_code",
    "ballot.review",
    "ballot.cast",
    "ballot.receipt",
    "ballot.attachment",
    "ballot.my_ballot",  # the owner's own check file: the session's credential and its second factor (test_pages.py)
    # published results are public by design: the page, the PDFs, the package, its verification, the owner's check
    "results_public.public_result",
    "results_public.package",
    "results_public.result_pdf",
    "results_public.certificate_pdf",
    "results_public.verify_stored",
    "results_public.verify_upload",
    "results_public.owner_check",
    "results_public.public_keys",
    # a township's revocation of a committee decision is published to the owners behind an unguessable token
    "supervision.public",
    "supervision.public_pdf",
    # a community's public record (Shaoxing Art 23), for its owners, behind an unguessable token
    # an owner's sign-in: a number on the roll and its text-message code (tests/owners/test_sign_in.py)
    "owners.sign_in",
    "owners.enter_code",
    "api_owners.send_code",
    "api_owners.sign_in",
    "transparency.public",
}
CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: the owners' own pages and API (issue 20): a signed-in owner is their authorisation, never a staff account; they
#: are held to their own matrix below (an owner of A reaches nothing of B's)
OWNER_BLUEPRINTS = ("owners.", "owner_objections.", "owner_petitions.", "api_owners.")
#: an owner's own session: ending it names nothing of anyone else's
OWN_SESSION_ENDPOINTS = {"owners.sign_out", "api_owners.sign_out"}


def _is_owners(endpoint: str) -> bool:
    return endpoint.startswith(OWNER_BLUEPRINTS) and endpoint != "owner_objections.staff_photo"


#: API operations open to every token holder that name no object and change nothing: they answer B's caller too,
#: and are still held to the leak and snapshot checks
SCOPELESS_API_ENDPOINTS = {
    "api_results.verify",  # checks the package in the request body; stores nothing
}

#: well-formed data for every form and JSON body, so that only authorisation can stop a request
VALID_DATA = {
    "name": "越界测试",
    "admin_code": "330681999",
    "address": "越界路1号",
    "developer_name": "越界置业",
    "total_floor_area": "1000.00",
    "display_name": "越界者",
    "username": "intruder-made",
    "password": "long enough password",
    "role": "group_member",
    "group_role": "owner_representative",
    "current_password": PASSWORD,
    "new_password": "another long password",
    "confirm": "another long password",
    "starts_on": "2026-09-17",
    "reason": "越界测试",
    "unit_label": "1幢1单元101",
    "objector_name": "越界者",
    "description": "越界测试",
    "answer": "越界测试",
    "area": "90.00",
    "status": "delivered",
    "kind": "other",
    "title": "越界公告",
    "body": "越界测试",
    "requested_on": "2026-09-01",
    "formed_on": "2026-09-02",
    "on": "2026-09-03",
    "id_number": "330681199001011234",
    "route": "self",
    "nominated_on": "2026-09-10",
    "statement": "越界测试",
    "decision": "approve",
    "reasons": "越界测试",
    "amount": "100.00",
    "demanded_on": "2026-09-10",
    "paid_on": "2026-09-11",
    "received_on": "2026-09-11",
    "reference": "越界-1",
    "text": "越界测试",
    "seats": 7,
    "max_alternates": 3,
    "min_committee_members": 5,
    "declaration_made": "y",
    "opens_on": "2026-12-01",
    "opens_time": "08:00",
    "closes_on": "2026-12-08",
    "closes_time": "20:00",
    "channels": "phone,paper",
    "second_factor": "id_last6",
    "allow_change": "y",
    "category": "1",
    "building": "",
    "replace": "y",
    "contact_phone": "0575-87000000",
    "paper_place": "越界地点",
    "property_company_tie": "no",
    "decision_on": "2026-09-03",
    "findings": "越界测试",
    "due_on": "2026-12-31",
    "legal_ground": "越界测试",
    "complied_on": "2026-09-04",
    "note": "越界测试",
    "active": False,
}


@dataclass
class World:
    """Two townships, each with a community, an official, a group member and an API token."""

    ids_of_b: dict[str, Any]
    names_of_b: list[str]
    official_a: str
    token_a: str
    #: an owner on A's roll only (its look-up hash)
    owner_a: str


@pytest.fixture
def world(app: Flask) -> World:
    township_a, township_b = gen_township("甲街道"), gen_township("乙街道B")
    community_a, community_b = gen_community(township_a, "甲小区"), gen_community(township_b, "乙小区B")
    official_a = gen_official(township_a, "official-a")
    official_b = gen_official(township_b, "official-b-secret")
    gen_member(community_a, "member-a")
    member_b = gen_member(community_b, "member-b-secret")
    token_b = accounts.create_api_token(official_b, "B's token")
    token_a = accounts.create_api_token(official_a, "A's token")
    roll_b = gen_roll(community_b, official_b)
    preparation_b = _preparation_of(community_b, official_b)
    voting_b = _voting_of(community_b, official_b)
    owner_a = _owner_of(community_a, official_a)
    db.session.commit()
    return World(
        ids_of_b={
            "township_id": township_b.id,
            "community_id": community_b.id,
            "token_id": token_b.token.id,
            "user_id": member_b.id,
            "grant_id": member_b.grants[0].id,
            **roll_b,
            **preparation_b,
            **voting_b,
            **_supervision_of(community_b, official_b),
            **_petition_of(community_b),
        },
        names_of_b=["乙街道B", "乙小区B", "official-b-secret", "member-b-secret"],
        official_a="official-a",
        token_a=token_a.secret,
        owner_a=owner_a,
    )


def _preparation_of(community: Any, official: Any) -> dict[str, Any]:
    """B's preparation: a group, a notice with an objection, candidates, a list under review, an arrears demand."""
    from datetime import date

    from app.preparation import candidates as nominations
    from app.preparation import notices
    from tests.preparation.helpers import declare_clean, gen_preparation

    made = gen_preparation(community, official)
    notice = notices.publish(made.group, "members", date(2026, 9, 2), official.id, recorded_on=date(2026, 9, 2))
    objection = notices.record_objection(notice, "乙业主", "1幢1单元101", "成员有误", official.id)
    candidate = made.candidates["self"]
    for standing in made.candidates.values():
        declare_clean(standing, official)
        nominations.vet(standing, True, "", official.id)
    review = nominations.submit_list(made.group, official.id)
    demand = nominations.record_demand(
        community,
        id_number=made.owners[8].id_number,
        kind="property_fee",
        amount_fen=10_000,
        demanded_on=date(2026, 9, 5),
        user_id=official.id,
    )
    return {
        "group_id": made.group.id,
        "kind": "covenant",
        "notice_id": notice.id,
        "notice_objection_id": objection.id,
        "candidate_id": candidate.id,
        "review_id": review.id,
        "demand_id": demand.id,
    }


def _voting_of(community: Any, official: Any) -> dict[str, Any]:
    """B's open meeting: a matter, a voter with a credential, a letter batch, a proxy."""
    from app.voting import credentials, proxies
    from app.voting.letter_batches import start_batch
    from tests.voting.helpers import gen_open_meeting

    opened = gen_open_meeting(community, official)
    credentials.issue(opened.voters[0], official.id)
    batch = start_batch(opened.meeting, opened.voters[0].building, "https://b.example/", official.id, replace=True)
    proxy = proxies.record_proxy(
        opened.meeting,
        opened.voters[1],
        proxy_name="王建军",
        proxy_phone="13900001111",
        matter_ids=[opened.motion.id],
        directions={},
        scan=b"scan",
        declared_not_property_staff=True,
        user_id=official.id,
    )
    # and its result, counted and published with an objection (the pages refuse before any state check)
    from app.results import certification, closing, count_runs
    from app.results.models import CountRun
    from app.roll.services import today
    from tests.results.helpers_lifecycle import end_window

    end_window(opened.meeting)
    closing.close(opened.meeting)
    result = count_runs.count(opened.meeting, official.id)
    certification.publish(result, today())
    objection = certification.record_objection(result, "乙业主", "越界测试", today(), official.id)
    return {
        "meeting_id": opened.meeting.id,
        "matter_id": opened.motion.id,
        "voter_id": opened.voters[0].id,
        "batch_id": batch.id,
        "proxy_id": proxy.id,
        "result_id": result.id,
        "run_id": db.session.scalars(sa.select(CountRun.id).where(CountRun.result_id == result.id)).one(),
        "objection_id": objection.id,
        "digest": result.package_sha256,
    }


def _supervision_of(community: Any, official: Any) -> dict[str, Any]:
    """B's committee in office and a township's order to correct one of its decisions."""
    from datetime import timedelta

    from app.governance import supervision, transparency
    from app.roll.services import today
    from tests.governance.test_supervision_helpers import gen_body

    gen_body(community)
    order = supervision.order_correction(
        community, "越界决定", today(), "越界测试", today() + timedelta(days=10), official.id
    )
    decision = transparency.record(community, "decision", "越界公示", "越界测试", today(), None, None)
    return {"supervision_id": order.id, "publication_id": decision.id}


def _owner_of(community: Any, official: Any) -> str:
    """An owner of A's roll (another demo roll than B's: nobody owns in both)."""
    from app.demo.roll_generator import demo_small_roll
    from app.roll.versions import create_version
    from tests.owners.helpers import people_of

    version = create_version(community, demo_small_roll(seed=99)[:12], "甲名册", official.id, "import")
    return people_of(version)[0].lookup


def _petition_of(community: Any) -> dict[str, Any]:
    """B's owners' proposal, drafted by an owner of B's roll (B has a committee in office)."""
    from app.owners import petitions
    from app.owners.identity import my_community
    from app.roll.services import today
    from tests.owners.helpers import latest_roll, people_of

    drafter = people_of(latest_roll(community))[1]
    petition = petitions.propose(my_community(community.id, [drafter.lookup]), "audit", "越界提议", "", today())
    return {"petition_id": petition.id, "kind": "covenant", "about": "roll"}


def _routes(app: Flask) -> list[tuple[str, str, Any]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule))
    return found


BOOKKEEPING_COLUMNS = {"last_used_at", "last_login_at", "last_seen_at"}  # the caller's own token, login, session


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table except the append-only audit log and the caller's bookkeeping times."""
    snapshot = {}
    for table in db.metadata.sorted_tables:
        if table.name == "audit_events":
            continue
        columns = [c for c in table.columns if c.name not in BOOKKEEPING_COLUMNS]
        rows = db.session.execute(sa.select(*columns).order_by(*table.primary_key.columns))
        snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def _url_for_b(rule: Any, world: World) -> str:
    values = {}
    for argument in rule.arguments:
        assert argument in world.ids_of_b, f"{rule.rule}: teach this test which object of B '{argument}' names"
        values[argument] = world.ids_of_b[argument]
    return rule.build(values)[1]


def test_every_non_public_route_is_listed(app):
    """A sanity check that the URL map is read (and that no route slipped into the public list)."""
    endpoints = {endpoint for endpoint, _method, _rule in _routes(app)}
    assert {"communities.community", "api_communities.create_community", "audit.verify"} <= endpoints
    assert PUBLIC_ENDPOINTS.isdisjoint(endpoints)


def test_anonymous_requests_are_sent_to_login_or_refused(app, client, world):
    csrf = AuthActions(client).csrf("/login")
    for endpoint, method, rule in _routes(app):
        url = _url_for_b(rule, world)
        if url.startswith("/api/"):
            response = client.open(url, method=method, json=VALID_DATA)
            assert response.status_code == 401, (endpoint, method)
            assert response.json["code"] == "unauthenticated"
        else:
            response = client.open(url, method=method, data={**VALID_DATA, "csrf_token": csrf})
            assert response.status_code == 302, (endpoint, method, response.status_code)
            login = "/owner/sign-in" if _is_owners(endpoint) else "/login"
            assert response.headers["Location"].startswith(login), (endpoint, method)


def test_an_official_of_township_a_cannot_reach_township_b_through_the_pages(app, client, auth, world):
    assert auth.login(world.official_a).status_code == 302
    before = _snapshot()
    for endpoint, method, rule in _routes(app):
        url = _url_for_b(rule, world)
        if url.startswith("/api/") or endpoint == "auth.logout" or _is_owners(endpoint):
            continue
        data = {**VALID_DATA, "csrf_token": auth.csrf("/account/tokens")} if method in CHANGING_METHODS else None
        if endpoint == "auth.api_tokens" and method == "POST":
            continue  # creates the caller's own token: no B id involved, covered by the leak check below
        if endpoint == "auth.change_password":
            continue  # the caller's own password: no B id involved
        response = client.open(url, method=method, data=data)
        body = response.get_data(as_text=True)
        if rule.arguments:
            assert response.status_code in (403, 404), (endpoint, method, response.status_code)
        for name in world.names_of_b:
            assert name not in body, (endpoint, method, name)
    assert _snapshot() == before


def test_an_official_of_township_a_cannot_reach_township_b_through_the_api(app, client, world):
    headers = {"Authorization": f"Bearer {world.token_a}"}
    before = _snapshot()
    for endpoint, method, rule in _routes(app):
        url = _url_for_b(rule, world)
        if not url.startswith("/api/") or _is_owners(endpoint):
            continue
        response = client.open(url, method=method, json=VALID_DATA, headers=headers)
        if endpoint in SCOPELESS_API_ENDPOINTS:
            assert not rule.arguments, endpoint
        elif rule.arguments or method in CHANGING_METHODS:
            assert response.status_code in (403, 404), (endpoint, method, response.status_code)
            code = response.json["code"]
            assert code == "forbidden" or code.endswith("_not_found"), (endpoint, response.json)
        body = response.get_data(as_text=True)
        for name in world.names_of_b:
            assert name not in body, (endpoint, method, name)
    assert _snapshot() == before


def test_an_owner_of_a_reaches_nothing_of_b_through_the_owners_pages_and_api(app, client, world):
    """Every owners' route, with B's ids, for an owner who owns only in A: 404 (its existence is not confirmed),
    nothing of B's in the answer, nothing changed; the owner's token is refused by the staff's API."""
    from tests.owners.helpers import owner_token, sign_in_as

    session = sign_in_as(client, world.owner_a)
    bearer = {"Authorization": f"Bearer {owner_token(world.owner_a)}"}
    before = _snapshot()
    page = client.get("/owner?all=1").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    for endpoint, method, rule in _routes(app):
        if not _is_owners(endpoint) or endpoint in OWN_SESSION_ENDPOINTS:
            continue
        url = _url_for_b(rule, world)
        if url.startswith("/api/"):
            response = client.open(url, method=method, json=VALID_DATA, headers=bearer)
        else:
            data = {**VALID_DATA, "csrf_token": csrf.group(1) if csrf else ""} if method in CHANGING_METHODS else None
            response = client.open(url, method=method, data=data)
        if rule.arguments:
            assert response.status_code in (400, 404), (endpoint, method, response.status_code)
        body = response.get_data(as_text=True)
        for name in world.names_of_b:
            assert name not in body, (endpoint, method, name)
    assert _snapshot() == before
    staff_api = client.get(f"/api/v1/communities/{world.ids_of_b['community_id']}", headers=bearer)
    assert staff_api.status_code == 401
    assert session.revoked_at is None


# Who may change what inside their own scope. Each case: (actor, url template, allowed?)
ROLE_CASES = [
    ("admin", "/townships/new", True),
    ("official", "/townships/new", False),
    ("admin", "/townships/{township}/accounts/new", True),
    ("official", "/townships/{township}/accounts/new", False),
    ("admin", "/townships/{township}/communities/new", True),
    ("official", "/townships/{township}/communities/new", True),
    ("leader", "/townships/{township}/communities/new", False),
    ("observer_t", "/townships/{township}/communities/new", False),
    ("official", "/communities/{community}/accounts/new", True),
    ("leader", "/communities/{community}/accounts/new", False),
    ("teller", "/communities/{community}/accounts/new", False),
    ("observer_c", "/communities/{community}/accounts/new", False),
    ("admin", "/audit/verify", True),
    ("official", "/audit/verify", False),
]


@pytest.mark.parametrize(("actor", "template", "allowed"), ROLE_CASES)
def test_roles_inside_their_own_scope(app, client, auth, actor, template, allowed):
    township = gen_township("本街道")
    community = gen_community(township, "本小区")
    users = {
        "admin": gen_admin("the-admin"),
        "official": gen_official(township, "the-official"),
        "observer_t": gen_official(township, "the-observer-t", role=Role.OBSERVER),
        "leader": gen_member(community, "the-leader", group_role=GroupRole.LEADER),
        "teller": gen_member(community, "the-teller", role=Role.TELLER),
        "observer_c": gen_member(community, "the-observer-c", role=Role.OBSERVER),
    }
    db.session.commit()
    auth.login(users[actor].username)
    url = template.format(township=township.id, community=community.id)
    data = {**VALID_DATA, "username": f"new-{actor}", "admin_code": "330681888", "name": f"新{actor}"}
    if "{township}/accounts" in template:
        data.update(role="township_official", group_role="")
    response = auth.post(url, data)
    if allowed:
        errors = re.findall(r'role="(?:alert|status)">([^<]*)<', response.get_data(as_text=True))
        assert response.status_code == 302, errors
    else:
        assert response.status_code == 403


def test_every_observer_and_member_can_read_their_own_community(app, client, auth):
    township = gen_township()
    community = gen_community(township, "看得见小区")
    for username, role in (("m1", Role.GROUP_MEMBER), ("t1", Role.TELLER), ("o1", Role.OBSERVER)):
        gen_member(community, username, role=role)
    gen_official(township, "o-town", role=Role.OBSERVER)
    db.session.commit()
    for username in ("m1", "t1", "o1", "o-town"):
        reader = app.test_client()
        AuthActions(reader).login(username)
        page = reader.get(f"/communities/{community.id}")
        assert page.status_code == 200, username
        assert "看得见小区" in page.get_data(as_text=True)


HOSTILE_QUERIES = (
    "page=99999999999999999999",
    "page=-5",
    "page=%00",
    "page=1e9",
    "next=/x%0d%0aSet-Cookie:%20a=b",
    "entered=99999999999999999999&q=%ff%fe&sort=;DROP",
)


def test_hostile_query_parameters_on_every_page_never_give_a_500(app, client, auth, world):
    """Issue 16 item 7: every page of the service (its own community's, as an official who may read it) with
    out-of-range page numbers, a NUL, a header-breaking ``next`` and junk parameters answers without a server error;
    an out-of-range page is clamped."""
    assert auth.login("official-b-secret").status_code == 302
    for endpoint, method, rule in _routes(app):
        url = _url_for_b(rule, world)
        if method != "GET" or url.startswith("/api/") or endpoint == "auth.logout":
            continue
        for query in HOSTILE_QUERIES:
            response = client.get(f"{url}?{query}")
            assert response.status_code < 500, (endpoint, query, response.status_code)
    # public pages: the language switch with a newline in ``next`` goes home instead of breaking the header
    response = client.get("/lang/en?next=/x%0d%0aSet-Cookie:%20a=b")
    assert response.status_code == 302
    assert "Set-Cookie: a=b" not in response.headers["Location"]
