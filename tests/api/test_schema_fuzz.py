"""Property-based tests of the JSON API with schemathesis, driven by the app's own OpenAPI document.

Every documented operation is called in-process (WSGI, through the app's test client) with generated
requests, once as a platform administrator and once as a township official, each with a valid API token.
Each test builds a small world first (two townships with a community each, an administrator, an official
and a group member; in each community a roll and a preparation with a notice, an objection, candidates, a
submitted candidate list and an arrears demand, a draft meeting and an open one with a ballot cast, two
disagreeing paper entries, a batch of letters and a proxy, a closed meeting with a paper ballot to settle and a
counted one whose result is published with an objection); each generated request runs in a savepoint rolled back
after it, so examples do not see each other's writes (a revoked token, a created township), and the test's
transaction is rolled back as usual at its end.

The main fuzz test (`test_no_server_error`) checks every response: no 5xx, documented status codes and content
types, and bodies (success and error alike) that match the document. Regression tests below aim at inputs
that once crashed the API: integers beyond the id columns, floor areas beyond BIGINT, NUL characters (which
PostgreSQL refuses).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from app.auth import services as accounts
from app.auth.models import Role, User
from app.communities.models import Community
from app.db_types import utcnow
from app.extensions import db
from app.preparation import candidates as nominations
from app.preparation import notices
from app.results import certification, closing, count_runs
from app.roll.services import today
from app.voting import ballots, letter_batches, meetings, paper, proxies
from app.voting.models import Meeting, MeetingVoter
from tests.factories import PASSWORD, gen_admin, gen_community, gen_member, gen_official, gen_roll, gen_township
from tests.preparation.helpers import declare_clean, gen_preparation, load_roll, roll_owners, valid_members
from tests.results.helpers_lifecycle import end_window
from tests.voting.helpers import announce_back, gen_meeting

OPENAPI_URL = "/api/v1/openapi.json"

#: every operation of the document; `test_every_documented_operation_is_fuzzed` keeps this list complete
OPERATIONS = (
    "GET /api/v1/me",
    "GET /api/v1/tokens",
    "DELETE /api/v1/tokens/{token_id}",
    "GET /api/v1/townships",
    "POST /api/v1/townships",
    "GET /api/v1/townships/{township_id}",
    "POST /api/v1/townships/{township_id}/accounts",
    "GET /api/v1/townships/{township_id}/communities",
    "POST /api/v1/townships/{township_id}/communities",
    "GET /api/v1/communities/{community_id}",
    "GET /api/v1/communities/{community_id}/accounts",
    "POST /api/v1/communities/{community_id}/accounts",
    "GET /api/v1/audit/events",
    "POST /api/v1/audit/verifications",
    "GET /api/v1/audit/verifications/latest",
    "POST /api/v1/communities/{community_id}/roll/imports",
    "GET /api/v1/roll/imports/{import_id}",
    "POST /api/v1/roll/imports/{import_id}/cancel",
    "GET /api/v1/communities/{community_id}/roll/versions",
    "GET /api/v1/roll/versions/{version_id}",
    "GET /api/v1/roll/versions/{version_id}/weights",
    "POST /api/v1/roll/versions/{version_id}/publish",
    "POST /api/v1/roll/versions/{version_id}/freeze",
    "GET /api/v1/communities/{community_id}/preparation",
    "POST /api/v1/communities/{community_id}/preparation",
    "POST /api/v1/preparation/{group_id}/formation",
    "PUT /api/v1/preparation/{group_id}/members",
    "POST /api/v1/preparation/{group_id}/extension",
    "POST /api/v1/preparation/{group_id}/dissolution",
    "PUT /api/v1/preparation/{group_id}/meeting",
    "PUT /api/v1/preparation/{group_id}/rules",
    "GET /api/v1/preparation/{group_id}/documents/{kind}",
    "PUT /api/v1/preparation/{group_id}/documents/{kind}",
    "POST /api/v1/preparation/{group_id}/funding",
    "POST /api/v1/preparation/{group_id}/schedule",
    "GET /api/v1/communities/{community_id}/notices",
    "POST /api/v1/communities/{community_id}/notices",
    "GET /api/v1/notices/{notice_id}",
    "POST /api/v1/notices/{notice_id}/objections",
    "POST /api/v1/notice-objections/{notice_objection_id}/answer",
    "GET /api/v1/communities/{community_id}/candidates",
    "POST /api/v1/communities/{community_id}/candidates",
    "GET /api/v1/candidates/{candidate_id}",
    "PUT /api/v1/candidates/{candidate_id}/profile",
    "POST /api/v1/candidates/{candidate_id}/vetting",
    "POST /api/v1/candidates/{candidate_id}/withdrawal",
    "POST /api/v1/communities/{community_id}/candidate-list",
    "POST /api/v1/candidate-lists/{review_id}/review",
    "GET /api/v1/communities/{community_id}/arrears",
    "POST /api/v1/communities/{community_id}/arrears",
    "POST /api/v1/arrears/{demand_id}/payment",
)
#: the voting operations (app.api.voting, app.api.voting_proxies), fuzzed once more on the world's meetings only
MEETING_OPERATIONS = (
    "GET /api/v1/communities/{community_id}/meetings",
    "POST /api/v1/communities/{community_id}/meetings",
    "GET /api/v1/meetings/{meeting_id}",
    "PUT /api/v1/meetings/{meeting_id}/configuration",
    "POST /api/v1/meetings/{meeting_id}/matters",
    "DELETE /api/v1/matters/{matter_id}",
    "POST /api/v1/meetings/{meeting_id}/announcement",
    "POST /api/v1/meetings/{meeting_id}/opening",
    "GET /api/v1/meetings/{meeting_id}/voters",
    "POST /api/v1/meeting-voters/{voter_id}/credential",
    "POST /api/v1/meetings/{meeting_id}/letter-batches",
    "GET /api/v1/letter-batches/{batch_id}",
    "POST /api/v1/letter-batches/{batch_id}/cancel",
    "GET /api/v1/letter-batches/{batch_id}/pdf",
    "POST /api/v1/meetings/{meeting_id}/paper-entries",
    "GET /api/v1/meetings/{meeting_id}/paper-queue",
    "GET /api/v1/meetings/{meeting_id}/turnout",
    "GET /api/v1/meetings/{meeting_id}/proxies",
    "POST /api/v1/meetings/{meeting_id}/proxies",
    "POST /api/v1/proxies/{proxy_id}/credential",
    "POST /api/v1/proxies/{proxy_id}/revocation",
    "POST /api/v1/proxies/{proxy_id}/confirmation-code",
    "POST /api/v1/proxies/{proxy_id}/confirmation",
    "POST /api/v1/proxies/{proxy_id}/approval",
    "GET /api/v1/meetings/{meeting_id}/assisted-ballots",
)
#: the results operations (app.api.results), fuzzed once more on the world's meetings and results too
RESULT_OPERATIONS = (
    "POST /api/v1/meetings/{meeting_id}/close",
    "GET /api/v1/meetings/{meeting_id}/unsettled-paper",
    "POST /api/v1/meetings/{meeting_id}/paper-exclusions",
    "POST /api/v1/meetings/{meeting_id}/count",
    "GET /api/v1/meetings/{meeting_id}/count",
    "POST /api/v1/meetings/{meeting_id}/count/cancel",
    "GET /api/v1/meetings/{meeting_id}/result",
    "GET /api/v1/results/{result_id}",
    "GET /api/v1/results/{result_id}/package",
    "POST /api/v1/results/{result_id}/publish",
    "POST /api/v1/results/{result_id}/objections",
    "POST /api/v1/result-objections/{objection_id}/answer",
    "POST /api/v1/results/{result_id}/certify",
    "POST /api/v1/results/{result_id}/refuse",
    "POST /api/v1/verify",
)
#: the governance operations (app.api.governance): a community's state, timeline and body, the township's decisions
GOVERNANCE_OPERATIONS = (
    "GET /api/v1/communities/{community_id}/governance",
    "POST /api/v1/communities/{community_id}/governance/conversion",
    "POST /api/v1/communities/{community_id}/body/leaving",
    "POST /api/v1/communities/{community_id}/body/officers",
    "POST /api/v1/communities/{community_id}/body/filing",
    "POST /api/v1/communities/{community_id}/body/re-election-group",
    "POST /api/v1/communities/{community_id}/body/members",
    "POST /api/v1/communities/{community_id}/meetings/convened",
    "POST /api/v1/results/{result_id}/runoff",
    "POST /api/v1/communities/{community_id}/accounts/{user_id}/active",
    "DELETE /api/v1/communities/{community_id}/accounts/{user_id}/roles/{grant_id}",
    "POST /api/v1/meetings/{meeting_id}/election",
    "GET /api/v1/meetings/{meeting_id}/candidates",
    "POST /api/v1/meetings/{meeting_id}/candidates",
    "POST /api/v1/meetings/{meeting_id}/candidate-list",
)
#: the dashboards (app.api.dashboards): read-only figures of a township and of the city
DASHBOARD_OPERATIONS = (
    "GET /api/v1/townships/{township_id}/dashboard",
    "GET /api/v1/city/dashboard",
)
#: the owners' own API (app.api.owners), called with an owner's token of community 1's roll, and the staff's side of
#: their petitions
OWNER_OPERATIONS = (
    "POST /api/v1/owner/sign-in/code",
    "POST /api/v1/owner/sign-in",
    "POST /api/v1/owner/sign-out",
    "GET /api/v1/owner/me",
    "GET /api/v1/owner/communities/{community_id}",
    "POST /api/v1/owner/communities/{community_id}/objections",
    "GET /api/v1/owner/communities/{community_id}/objections",
    "POST /api/v1/owner/communities/{community_id}/proposals",
    "POST /api/v1/owner/communities/{community_id}/nominations",
    "GET /api/v1/owner/petitions/{petition_id}",
    "POST /api/v1/owner/petitions/{petition_id}/sign",
    "POST /api/v1/owner/petitions/{petition_id}/unsign",
    "POST /api/v1/owner/petitions/{petition_id}/withdraw",
    "POST /api/v1/owner/petitions/{petition_id}/submit",
    "GET /api/v1/communities/{community_id}/petitions",
    "POST /api/v1/petitions/{petition_id}/convened",
)
OPERATIONS = (
    *OPERATIONS,
    *MEETING_OPERATIONS,
    *RESULT_OPERATIONS,
    *GOVERNANCE_OPERATIONS,
    *DASHBOARD_OPERATIONS,
    *OWNER_OPERATIONS,
)
#: operations with an integer path or query parameter (ids, before_seq)
INTEGER_PARAMETER_OPERATIONS = (*(op for op in OPERATIONS if "{" in op), "GET /api/v1/audit/events")

ROLES = ("admin", "official")

#: floor areas are a BIGINT of hundredths of m²
BIGINT_MAX = 2**63 - 1
#: a value no column holds: over PostgreSQL's INTEGER and BIGINT and over SQLite's 64-bit integers
OUT_OF_RANGE = 2**63

#: a floor area in m² with at most two decimals, as parse_area accepts it
AREA_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
#: a moment of a meeting's window as MeetingConfiguration accepts it (days up to 28: every month has them)
MOMENT_PATTERN = (
    r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?(Z|[+]08:00)?$"
)
#: a login name as _check_new_account accepts it (which also takes non-ASCII letters and digits)
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"

MAX_EXAMPLES = 40

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same examples on every run
    database=None,  # no example database on disk: a run depends on the code only
    deadline=None,  # a request may hash a password (argon2)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

#: checks every response must pass
ALWAYS_CHECKED = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass(frozen=True)
class VotingWorld:
    """The meetings of one community: path ids, and what a valid paper entry of its open meeting names (the codes
    of some of its voters, its matters and its candidates)."""

    path_ids: dict[str, list[int]]
    paper_codes: list[str]
    matter_ids: list[str]
    candidate_ids: list[int]
    #: the closed meeting's voters, the first with a paper ballot to settle
    closed_voter_ids: list[int]
    #: the counted meeting's signed package, as stored
    package: str


@dataclass(frozen=True)
class World:
    """Ids of the objects the generated requests may hit, and the caller's token."""

    role: str
    headers: dict[str, str]
    #: an owner's token of community 1's latest roll, for the owners' operations
    owner_headers: dict[str, str]
    path_ids: dict[str, list[int]]
    #: the meetings of the caller's community (township 1's)
    voting: VotingWorld


@pytest.fixture
def world(request: pytest.FixtureRequest, app: Flask) -> World:
    """Township 1 (with community 1) in the official's scope, township 2 (with community 2) outside it."""
    role = request.param
    township, other_township = gen_township(), gen_township()
    community, other_community = gen_community(township), gen_community(other_township)
    admin, official = gen_admin(), gen_official(township)
    member = gen_member(community)
    caller, other = (admin, official) if role == "admin" else (official, admin)
    roll, other_roll = gen_roll(community, official), gen_roll(other_community, caller)
    preparation = gen_preparation_world(community, official, submitted_by=other)
    other_preparation = gen_preparation_world(other_community, official, submitted_by=other, returned_by=caller)
    voting = gen_voting_world(community, official, letters_made=True)
    other_voting = gen_voting_world(other_community, official, letters_made=False)
    owner, petition_ids = gen_owner_world(community), [gen_petition(c) for c in (community, other_community)]
    secret = accounts.create_api_token(caller, "模糊测试").secret
    spare_token = accounts.create_api_token(caller, "备用").token
    foreign_token = accounts.create_api_token(other, "他人的令牌").token
    return World(
        role=role,
        headers={"Authorization": f"Bearer {secret}"},
        owner_headers={"Authorization": f"Bearer {owner}"},
        path_ids={
            "petition_id": petition_ids,
            "township_id": [township.id, other_township.id],
            "community_id": [community.id, other_community.id],
            "token_id": [spare_token.id, foreign_token.id],
            "user_id": [member.id, other.id],
            "grant_id": [member.grants[0].id, other.grants[0].id],
            "version_id": [roll["version_id"], other_roll["version_id"]],
            "import_id": [roll["import_id"], other_roll["import_id"]],
            **{name: [preparation[name], other_preparation[name]] for name in preparation},
            **{name: voting.path_ids[name] + other_voting.path_ids[name] for name in voting.path_ids},
            "kind": ["rules_of_procedure", "covenant"],
        },
        voting=voting,
    )


def gen_owner_world(community: Community) -> str:
    """A token of the first owner of the community's latest roll."""
    from tests.owners.helpers import latest_roll, owner_token, people_of

    return owner_token(people_of(latest_roll(community))[0].lookup)


def gen_petition(community: Community) -> int:
    """An owners' proposal on the community's latest roll, signed by its drafter (built directly: the community has
    no body in office, which a proposal made through the service needs)."""
    from app.owners.models import Petition, PetitionSignature
    from tests.owners.helpers import latest_roll, people_of

    version = latest_roll(community)
    drafter = people_of(version)[0]
    petition = Petition(
        community_id=community.id,
        kind="audit",
        title="审计",
        drafter_lookup=drafter.lookup,
        drafter_name=drafter.name,
        roll_version_id=version.id,
        total_heads=8,
        needed_heads=2,
        signatures=[PetitionSignature(owner_lookup=drafter.lookup, name=drafter.name, unit_labels=drafter.units[0])],
    )
    db.session.add(petition)
    db.session.flush()
    return petition.id


def gen_preparation_world(
    community: Community, official: User, *, submitted_by: User, returned_by: User | None = None
) -> dict[str, int]:
    """A formed group with its members' notice (and an objection to it), an arrears demand, and three candidates:
    one accepted, two rejected, on a list submitted by ``submitted_by`` and pending (the candidates locked), or
    returned by ``returned_by`` (unlocked again). Returns the ids of each."""
    made = gen_preparation(community, official)
    group, candidates = made.group, made.candidates
    notice = notices.publish(group, "members", date(2026, 9, 2), official.id, recorded_on=date(2026, 9, 2))
    objection = notices.record_objection(notice, "张三", "1幢1单元101", "联系方式有误", official.id)
    demand = nominations.record_demand(
        community,
        id_number=made.owners[20].id_number,
        kind="property_fee",
        amount_fen=120_000,
        demanded_on=date(2026, 9, 5),
        user_id=official.id,
    )
    declare_clean(candidates["self"], official)
    nominations.vet(candidates["self"], True, "", submitted_by.id)  # who vets and submits cannot review (four eyes)
    for route in ("residents_committee", "joint"):
        nominations.vet(candidates[route], False, "材料不全", submitted_by.id)
    review = nominations.submit_list(group, submitted_by.id)
    if returned_by is not None:
        nominations.review_list(review, False, "请补充材料", returned_by.id)
    return {
        "group_id": group.id,
        "notice_id": notice.id,
        "notice_objection_id": objection.id,
        "candidate_id": candidates["self"].id,
        "review_id": review.id,
        "demand_id": demand.id,
    }


def gen_voting_world(community: Community, official: User, *, letters_made: bool) -> VotingWorld:
    """A draft meeting and an open one (on a small roll of 8 units, so that letters made by a request are quick)
    with a phone ballot cast, two tellers' disagreeing entries of a paper ballot (the mismatch queue), a batch of
    letters for one building: made (its PDF kept) or still pending, and a proxy of an owner who has not voted; a
    closed meeting with a paper ballot waiting for its second teller, and a counted one whose result is published
    with an objection. The open meeting's ids come first."""
    load_roll(community, official, units=8)
    opened = gen_meeting(community, official)
    announce_back(opened)
    meetings.open_voting(opened, today(), official.id)
    draft = gen_meeting(community, official)
    voters = db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == opened.id)).all()
    motion, election = opened.matters[0], opened.matters[2]
    candidate_ids = [c.id for c in election.candidates]
    ballots.cast(voters[0], {str(motion.id): "yes", str(election.id): candidate_ids[:3]}, "phone")
    code = paper.paper_code(voters[1])
    for teller, answer in (
        (gen_member(community, role=Role.TELLER), "yes"),
        (gen_member(community, role=Role.TELLER), "no"),
    ):
        paper.record_entry(opened, code, teller.id, {str(motion.id): answer, str(election.id): candidate_ids[:2]})
    batch = letter_batches.start_batch(opened, voters[0].building, "http://localhost", official.id)
    if letters_made:  # as run_batch leaves it, without the 0.4 s of writing real letters (tests/api/test_voting_api)
        batch.status, batch.progress, batch.finished_at = "done", 100, utcnow()
        batch.pdf_cipher = letter_batches.seal(b"%PDF-1.4\n%%EOF\n")
        db.session.flush()
    proxy = proxies.record_proxy(
        opened,
        voters[3],
        proxy_name="王建军",
        proxy_phone="13900001111",
        matter_ids=[motion.id],
        directions={str(motion.id): "yes"},
        scan=f"%PDF-1.4 signed authorisation of voter {voters[3].id}".encode(),  # one owner's own scan
        declared_not_property_staff=True,
        user_id=official.id,
    )
    closed, closed_voters = gen_voted_meeting(community, official)
    teller = gen_member(community, role=Role.TELLER)
    paper.record_entry(closed, paper.paper_code(closed_voters[1]), teller.id, {str(closed.matters[0].id): "no"})
    end_window(closed)
    closing.close(closed)
    counted, _counted_voters = gen_voted_meeting(community, official)
    end_window(counted)
    closing.close(counted)
    result = count_runs.count(counted, official.id)
    certification.publish(result, today())
    objection = certification.record_objection(result, "张三丰", "计票有误", today(), official.id)
    return VotingWorld(
        path_ids={
            "meeting_id": [opened.id, draft.id, closed.id, counted.id],
            "matter_id": [draft.matters[0].id, motion.id],
            "voter_id": [voters[2].id],
            "batch_id": [batch.id],
            "proxy_id": [proxy.id],
            "result_id": [result.id],
            "objection_id": [objection.id],
        },
        paper_codes=[paper.paper_code(voter) for voter in voters[:4]],
        matter_ids=[str(matter.id) for matter in opened.matters],
        candidate_ids=candidate_ids,
        closed_voter_ids=[voter.id for voter in closed_voters[1:4]],
        package=result.package,
    )


def gen_voted_meeting(community: Community, official: User) -> tuple[Meeting, list[MeetingVoter]]:
    """A meeting opened on the community's roll with one phone ballot cast; its voters."""
    meeting = gen_meeting(community, official)
    announce_back(meeting)
    meetings.open_voting(meeting, today(), official.id)
    voters = list(db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id)))
    ballots.cast(voters[0], {str(meeting.matters[0].id): "yes"}, "phone")
    return meeting, voters


def live_document(app: Flask) -> dict[str, Any]:
    response = app.test_client().get(OPENAPI_URL)
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def load_schema(app: Flask, document: dict[str, Any]) -> Any:
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                # always send the caller's token: these tests are about what an authorised caller can break
                "with-security-parameters": False,
            }
        }
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    schema.app = app  # call the app in-process (WSGI), never over the network
    return schema


def tightened_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document with three formats it gives only in words or not at all, else nearly every generated request
    to create a community or an account or to configure a meeting is refused for that one reason and doing it is
    barely tried:

    - `total_floor_area` is m² "at most two decimals" (below 10**10 m² here; larger areas are
      `test_huge_floor_area_is_not_a_server_error`);
    - a `username` is letters, digits, '.', '_' or '-' (app.auth.services._check_new_account; ASCII here);
    - a meeting's window lies in 2000–2099 (`x-minimum`, `x-maximum`, which generators ignore; here a pattern of
      such date-times with the offsets people use).

    Negative generation still sends strings outside these formats.
    """
    tightened = copy.deepcopy(document)
    schemas = tightened["components"]["schemas"]
    schemas["Community"]["properties"]["total_floor_area"].setdefault("pattern", AREA_PATTERN)
    schemas["NewAccount"]["properties"]["username"].setdefault("pattern", USERNAME_PATTERN)
    for name in ("opens_at", "closes_at"):
        moment = schemas["MeetingConfiguration"]["properties"][name]
        moment.pop("format", None)
        moment.setdefault("pattern", MOMENT_PATTERN)
    return tightened


def operation_of(schema: Any, label: str) -> Any:
    operation = schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the OpenAPI document"
    return operation


@contextmanager
def rolled_back(app: Flask) -> Iterator[None]:
    """A savepoint on the test's connection (see conftest), rolled back after one generated request."""
    connection = db._app_engines[app][None]
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


def call(app: Flask, case: Any, headers: dict[str, str]) -> Any:
    with rolled_back(app):
        # the app's test client gives every request its own app context, as in production
        return case.call(session=app.test_client(), headers=headers)


def case_strategy(operation: Any, path_ids: dict[str, list[int]]) -> st.SearchStrategy[Any]:
    """Valid and invalid requests; half of the valid ones aim at objects that exist (in scope or not)."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    names = [parameter.name for parameter in operation.path_parameters]
    if names:
        existing = st.fixed_dictionaries({name: st.sampled_from(path_ids[name]) for name in names})
        strategies.append(
            existing.flatmap(lambda ids: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids))
        )
    return st.one_of(strategies)


def run_fuzz(
    strategy: st.SearchStrategy[Any],
    check: Callable[[Any], None],
    fuzz_settings: settings = FUZZ_SETTINGS,
) -> None:
    @fuzz_settings
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        check(case)

    fuzz()


# --- the document -------------------------------------------------------------------------------------------


def test_every_documented_operation_is_fuzzed(app):
    schema = load_schema(app, live_document(app))
    documented = {result.ok().label for result in schema.get_all_operations()}
    assert documented == set(OPERATIONS)


# --- no server error, conforming success responses ----------------------------------------------------------


@pytest.mark.parametrize("label", OPERATIONS)
@pytest.mark.parametrize("world", ROLES, indirect=True)
def test_no_server_error(app, world, label):
    """No generated request gets a 5xx; status codes, content types and bodies match the document."""
    schema = load_schema(app, tightened_document(live_document(app)))
    operation = operation_of(schema, label)

    headers = world.owner_headers if label.split(" ")[1].startswith("/api/v1/owner/") else world.headers

    def check(case: Any) -> None:
        case.validate_response(call(app, case, headers), checks=ALWAYS_CHECKED)

    run_fuzz(case_strategy(operation, world.path_ids), check)


# --- the meetings: requests aimed at the world's own objects -------------------------------------------------

#: a paper ballot's marks, known or not: blank, any word, candidate ids of the election or any id within INTEGER
MARKS = st.one_of(
    st.none(),
    st.sampled_from(["yes", "no", "abstain", "invalid", "maybe"]),
    st.lists(st.integers(min_value=1, max_value=2**31 - 1), max_size=8),
)


@pytest.mark.parametrize("label", [*MEETING_OPERATIONS, *RESULT_OPERATIONS])
@pytest.mark.parametrize("world", ["official"], indirect=True)
def test_requests_to_existing_meetings_are_not_server_errors(app, world, label):
    """Most generated ids name nothing: here every request names an object of the world (the caller's or the other
    township's), with a valid or an invalid body."""
    schema = load_schema(app, tightened_document(live_document(app)))
    operation = operation_of(schema, label)
    names = [parameter.name for parameter in operation.path_parameters]
    ids = st.fixed_dictionaries({name: st.sampled_from(world.path_ids[name]) for name in names})
    strategy = ids.flatmap(
        lambda chosen: st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=chosen),
            operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=chosen),
        )
    )

    def check(case: Any) -> None:
        case.validate_response(call(app, case, world.headers), checks=ALWAYS_CHECKED)

    run_fuzz(strategy, check, settings(FUZZ_SETTINGS, max_examples=25))


@pytest.mark.parametrize("world", ["official"], indirect=True)
def test_paper_entries_with_real_codes_are_not_server_errors(app, world):
    """Entries of the open meeting's real paper codes (one in the mismatch queue already), with marks of every kind
    on its matters and on ids that are no matter."""
    schema = load_schema(app, live_document(app))
    operation = operation_of(schema, "POST /api/v1/meetings/{meeting_id}/paper-entries")
    voting = world.voting
    matter_ids = st.sampled_from([*voting.matter_ids, "1", "2147483647"])
    marks = st.one_of(MARKS, st.lists(st.sampled_from(voting.candidate_ids), max_size=7))
    bodies = st.fixed_dictionaries(
        {"code": st.sampled_from(voting.paper_codes), "choices": st.dictionaries(matter_ids, marks, max_size=5)}
    )
    meeting_id = voting.path_ids["meeting_id"][0]
    strategy = bodies.map(lambda body: operation.Case(path_parameters={"meeting_id": meeting_id}, body=body))

    def check(case: Any) -> None:
        case.validate_response(call(app, case, world.headers), checks=ALWAYS_CHECKED)

    run_fuzz(strategy, check)


@pytest.mark.parametrize("world", ["official"], indirect=True)
def test_paper_exclusions_of_real_voters_are_not_server_errors(app, world):
    """Exclusions on the world's meetings (the closed one has a paper ballot to settle) of its real voters, with
    reasons of any text."""
    schema = load_schema(app, live_document(app))
    operation = operation_of(schema, "POST /api/v1/meetings/{meeting_id}/paper-exclusions")
    voting = world.voting
    bodies = st.fixed_dictionaries(
        {
            "voter_id": st.sampled_from([*voting.closed_voter_ids, *voting.path_ids["voter_id"]]),
            "reason": st.text(max_size=600),
        }
    )
    meeting_ids = st.sampled_from(world.path_ids["meeting_id"])
    strategy = st.tuples(meeting_ids, bodies).map(
        lambda chosen: operation.Case(path_parameters={"meeting_id": chosen[0]}, body=chosen[1])
    )

    def check(case: Any) -> None:
        case.validate_response(call(app, case, world.headers), checks=ALWAYS_CHECKED)

    run_fuzz(strategy, check)


def changed_package(package: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The package with one value, anywhere in it, replaced by any JSON value."""
    paths: list[tuple[Any, ...]] = []

    def walk(value: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in children:
            walk(child, (*path, key))

    walk(package, ())
    leaves = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20)
    )
    values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner))

    def replaced(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
        if not path:
            return {"value": value}
        changed = copy.deepcopy(package)
        target = changed
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return changed

    return st.builds(replaced, st.sampled_from(paths), values)


@pytest.mark.parametrize("world", ["official"], indirect=True)
def test_verifying_changed_real_packages_is_not_a_server_error(app, world):
    """The checks of a real signed package with one value changed anywhere: a failed check, never a server error."""
    schema = load_schema(app, live_document(app))
    operation = operation_of(schema, "POST /api/v1/verify")
    packages = changed_package(json.loads(world.voting.package))
    strategy = packages.map(lambda body: operation.Case(body=body))

    def check(case: Any) -> None:
        response = call(app, case, world.headers)
        case.validate_response(response, checks=ALWAYS_CHECKED)
        assert response.status_code == 200

    run_fuzz(strategy, check)


# --- regression tests: inputs that once reached the database and crashed it ---------------------------------


@pytest.mark.parametrize("label", INTEGER_PARAMETER_OPERATIONS)
@pytest.mark.parametrize("world", ["admin"], indirect=True)
def test_out_of_range_integer_is_not_a_server_error(app, world, label):
    schema = load_schema(app, live_document(app))
    operation = operation_of(schema, label)
    path = {
        parameter.name: OUT_OF_RANGE if parameter.name.endswith("_id") else world.path_ids[parameter.name][0]
        for parameter in operation.path_parameters
    }
    query = {"before_seq": OUT_OF_RANGE} if "before_seq" in operation.query else None
    strategy = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path, query=query)

    def check(case: Any) -> None:
        case.validate_response(call(app, case, world.headers), checks=[not_a_server_error])

    run_fuzz(strategy, check, settings(FUZZ_SETTINGS, max_examples=5))


@pytest.mark.parametrize("world", ["admin"], indirect=True)
def test_huge_floor_area_is_not_a_server_error(app, world):
    schema = load_schema(app, live_document(app))
    operation = operation_of(schema, "POST /api/v1/townships/{township_id}/communities")
    township_id = world.path_ids["township_id"][0]

    def body_with(centi: int) -> dict[str, str]:
        area = f"{centi // 100}.{centi % 100:02d}"
        return {
            "name": "大面积小区",
            "address": "测试路1号",
            "developer_name": "测试置业",
            "total_floor_area": area,
        }

    bodies = st.integers(min_value=BIGINT_MAX + 1, max_value=10**30).map(body_with)
    strategy = bodies.flatmap(
        lambda body: operation.as_strategy(path_parameters={"township_id": township_id}, body=body)
    )

    def check(case: Any) -> None:
        case.validate_response(call(app, case, world.headers), checks=[not_a_server_error])

    run_fuzz(strategy, check, settings(FUZZ_SETTINGS, max_examples=5))


#: a valid request to each operation that stores free text, and the field that gets a NUL character
NUL_REQUESTS = {
    "POST /api/v1/townships": ({"name": "", "admin_code": "330682999"}, "name"),
    "POST /api/v1/townships/{township_id}/accounts": (
        {"username": "nul-official", "display_name": "", "password": PASSWORD, "role": "township_official"},
        "display_name",
    ),
    "POST /api/v1/townships/{township_id}/communities": (
        {"name": "", "address": "测试路1号", "developer_name": "测试置业", "total_floor_area": "1234.56"},
        "name",
    ),
    "POST /api/v1/communities/{community_id}/accounts": (
        {"username": "nul-teller", "display_name": "", "password": PASSWORD, "role": "teller"},
        "display_name",
    ),
    "POST /api/v1/communities/{community_id}/preparation": (
        {"kind": "owners_application", "requested_on": "2026-09-01", "note": ""},
        "note",
    ),
    "PUT /api/v1/preparation/{group_id}/members": (
        {"members": [asdict(member) for member in valid_members(roll_owners())], "reason": "成员调整"},
        "members.1.contact",
    ),
    "POST /api/v1/candidate-lists/{review_id}/review": ({"approve": True, "reasons": ""}, "reasons"),
    "POST /api/v1/preparation/{group_id}/funding": (
        {"amount_fen": 5_000_000, "received_on": "2026-09-03", "reference": ""},
        "reference",
    ),
    "POST /api/v1/meetings/{meeting_id}/matters": ({"category": 4, "title": "", "text": "选聘物业"}, "title"),
    "POST /api/v1/meetings/{meeting_id}/letter-batches": ({"building": ""}, "building"),
    "POST /api/v1/meetings/{meeting_id}/paper-exclusions": ({"voter_id": 1, "reason": ""}, "reason"),
    "POST /api/v1/results/{result_id}/objections": ({"objector": "张三", "text": ""}, "text"),
    "POST /api/v1/result-objections/{objection_id}/answer": ({"answer": ""}, "answer"),
    "POST /api/v1/results/{result_id}/refuse": ({"reason": ""}, "reason"),
}


def with_text(body: dict[str, Any], field: str, text: str) -> dict[str, Any]:
    """A copy of ``body`` with ``text`` at ``field``, a dotted path into nested lists and objects ("members.1.name")."""
    changed = copy.deepcopy(body)
    *parents, last = field.split(".")
    target: Any = changed
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[last] = text
    return changed


@pytest.mark.parametrize("label", NUL_REQUESTS)
@pytest.mark.parametrize("world", ["admin"], indirect=True)
def test_nul_character_is_not_a_server_error(app, world, label):
    schema = load_schema(app, live_document(app))
    operation = operation_of(schema, label)
    ids = {parameter.name: world.path_ids[parameter.name][0] for parameter in operation.path_parameters}
    valid_body, field = NUL_REQUESTS[label]
    plain_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20)
    with_nul = st.tuples(plain_text, plain_text).map(lambda parts: "\x00".join(parts))

    def request_with(text: str) -> Any:
        return operation.Case(path_parameters=ids, body=with_text(valid_body, field, text))

    strategy = with_nul.map(request_with)

    def check(case: Any) -> None:
        case.validate_response(call(app, case, world.headers), checks=[not_a_server_error])

    run_fuzz(strategy, check, settings(FUZZ_SETTINGS, max_examples=5))


@pytest.mark.parametrize("world", ["admin"], indirect=True)
def test_nul_character_in_a_query_is_not_a_server_error(app, world):
    schema = load_schema(app, live_document(app))
    operation = operation_of(schema, "GET /api/v1/meetings/{meeting_id}/voters")
    ids = {"meeting_id": world.path_ids["meeting_id"][0]}
    plain_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=10)
    with_nul = st.tuples(plain_text, plain_text).map(lambda parts: "\x00".join(parts))
    strategy = with_nul.map(lambda text: operation.Case(path_parameters=ids, query={"building": text}))

    def check(case: Any) -> None:
        response = call(app, case, world.headers)
        case.validate_response(response, checks=[not_a_server_error])
        assert response.status_code == 422

    run_fuzz(strategy, check, settings(FUZZ_SETTINGS, max_examples=5))
