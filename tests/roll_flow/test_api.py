"""The owner roll through /api/v1 with a bearer token: upload, import report, versions, weights, publish, freeze,
and scope (another township's official gets 404)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from app.auth import services as accounts
from app.auth.models import GroupRole, Role
from app.extensions import db
from app.roll.models import RollImport, RollVersion
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.roll_flow.helpers import (
    SMALL_ROLL_HEADS,
    ZHANG,
    audit_events,
    count,
    csv_bytes,
    get_version,
    small_roll_rows,
    unit_row,
)

BAD_ROWS = [
    unit_row(room="101", owners=[ZHANG]),
    unit_row(room="102", area="-3", owners=[("李四", ZHANG.id_number[:17] + "0", "")]),
]


class Api:
    def __init__(self, client, secret: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"}

    def upload(self, community_id: int, data: bytes, filename: str = "roll.csv", reason: str = "API 导入"):
        return self.client.post(
            f"/api/v1/communities/{community_id}/roll/imports",
            data={"file": (io.BytesIO(data), filename), "reason": reason},
            headers=self.headers,
            content_type="multipart/form-data",
        )

    def get(self, url: str):
        return self.client.get(f"/api/v1{url}", headers=self.headers)

    def post(self, url: str, json: dict | None = None):
        return self.client.post(f"/api/v1{url}", json=json or {}, headers=self.headers)


@pytest.fixture
def community(app):
    community = gen_community(gen_township())
    db.session.commit()
    return community


@pytest.fixture
def member(community):
    return gen_member(community, group_role=GroupRole.OWNER_REPRESENTATIVE)


@pytest.fixture
def api(client, member) -> Api:
    secret = accounts.create_api_token(member, "名册导入").secret
    db.session.commit()
    return Api(client, secret)


@pytest.fixture
def stranger(client) -> Api:
    """An official of another township, with a token."""
    official = gen_official(gen_township())
    secret = accounts.create_api_token(official, "别的街道").secret
    db.session.commit()
    return Api(client, secret)


def uploaded_version(api: Api, community, rows=None) -> dict:
    response = api.upload(community.id, csv_bytes(rows or small_roll_rows()))
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["status"] == "done", body
    return api.get(f"/roll/versions/{body['roll_version_id']}").get_json()


def test_upload_returns_202_with_the_import_and_its_report(api, community, member):
    data = csv_bytes(small_roll_rows())
    response = api.upload(community.id, data, "名册.csv")
    assert response.status_code == 202
    body = response.get_json()
    assert body["community_id"] == community.id
    assert body["filename"] == "名册.csv"
    assert (body["status"], body["progress"]) == ("done", 100)  # eager in tests: already run
    assert body["report"]["rows_read"] == 7
    assert body["report"]["units"] == 7
    assert body["report"]["errors"] == []
    assert body["roll_version_id"]
    assert body["finished_at"]
    assert "file_data" not in body

    report = api.get(f"/roll/imports/{body['id']}")
    assert report.status_code == 200
    assert report.get_json() == body
    (start,) = audit_events("roll.import_start", body["id"])
    assert start.actor_label == member.username
    assert len(audit_events("roll.import_done", body["id"])) == 1
    assert db.session.get(RollImport, body["id"]).file_data is None


def test_a_file_with_mistakes_is_reported_row_by_row_and_imports_nothing(api, community):
    before = count(RollVersion)
    response = api.upload(community.id, csv_bytes(BAD_ROWS, encoding="gb18030"))
    assert response.status_code == 202
    body = api.get(f"/roll/imports/{response.get_json()['id']}").get_json()
    assert (body["status"], body["roll_version_id"]) == ("failed", None)
    problems = [(e["row"], e["column"], e["code"]) for e in body["report"]["errors"]]
    assert problems == [(3, "面积", "area_not_positive"), (3, "业主1证件号码", "id_checksum")]
    for error in body["report"]["errors"]:
        assert set(error["message"]) == {"zh_CN", "en"}
    assert count(RollVersion) == before


def test_an_unreadable_or_unsupported_file(api, community):
    response = api.upload(community.id, b"not a roll", "roll.pdf")
    assert response.status_code == 422
    assert response.get_json()["code"] == "unsupported_file"
    response = api.upload(community.id, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "roll.csv")
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "failed"
    assert [e["code"] for e in body["report"]["errors"]] == ["old_excel_format"]
    response = api.client.post(
        f"/api/v1/communities/{community.id}/roll/imports",
        data={"file": (io.BytesIO(csv_bytes(small_roll_rows())), "roll.csv")},
        headers=api.headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422  # no reason given
    assert count(RollImport) == 1


def test_versions_newest_first_and_a_version(api, community):
    v1 = uploaded_version(api, community)
    v2 = uploaded_version(api, community, small_roll_rows(area_101="91.00"))
    listed = api.get(f"/communities/{community.id}/roll/versions")
    assert listed.status_code == 200
    assert [v["number"] for v in listed.get_json()] == [2, 1]
    assert [v["id"] for v in listed.get_json()] == [v2["id"], v1["id"]]
    assert v2["diff"]["changed"] == 1
    assert v2["diff"]["details"][0]["fields"] == ["area"]
    assert v1["fingerprint"] == get_version(v1["id"]).fingerprint
    assert len(v1["fingerprint"]) == 64
    assert v1["published_at"] is None
    assert v1["notice_token"] is None


def test_weights(api, community):
    version = uploaded_version(api, community)
    response = api.get(f"/roll/versions/{version['id']}/weights")
    assert response.status_code == 200
    assert response.get_json() == {
        "total_area": "574.03",
        "total_heads": SMALL_ROLL_HEADS,
        "units": 7,
        "developer_units": 2,
        "owners_of_several_units": 1,
        "co_owned_units": 1,
        "by_kind": {"residence": 5, "commercial": 1, "parking": 1},
        "by_status": {"delivered": 5, "unsold": 1, "undelivered": 1},
    }


def test_publish_and_freeze(api, community, monkeypatch):
    version = uploaded_version(api, community)
    url = f"/roll/versions/{version['id']}"

    published = api.post(f"{url}/publish", {"starts_on": "2026-09-17"})
    assert published.status_code == 200
    body = published.get_json()
    assert (body["notice_starts_on"], body["notice_ends_on"]) == ("2026-09-17", "2026-09-23")
    assert body["notice_ends_on_provisional"] is False
    assert body["published_at"]
    assert body["notice_token"]
    again = api.post(f"{url}/publish", {"starts_on": "2026-10-12"})
    assert (again.status_code, again.get_json()["code"]) == (409, "already_published")

    monkeypatch.setattr("app.roll.services.today", lambda: date(2026, 9, 23))
    running = api.post(f"{url}/freeze")
    assert running.status_code == 409
    assert running.get_json()["code"] == "notice_running"
    assert "2026-09-23" in running.get_json()["message"]
    assert get_version(version["id"]).frozen_at is None

    monkeypatch.setattr("app.roll.services.today", lambda: date(2026, 9, 24))
    frozen = api.post(f"{url}/freeze")
    assert frozen.status_code == 200
    assert frozen.get_json()["frozen_at"] is not None
    assert len(audit_events("roll.freeze", version["id"])) == 1
    assert api.post(f"{url}/freeze").get_json()["code"] == "already_frozen"


def test_a_bad_publish_date_is_a_validation_error(api, community):
    version = uploaded_version(api, community)
    response = api.post(f"/roll/versions/{version['id']}/publish", {"starts_on": "17.09.2026"})
    assert response.status_code == 422
    assert get_version(version["id"]).published_at is None


@pytest.mark.parametrize("role", [Role.TELLER, Role.OBSERVER])
def test_a_teller_or_observer_token_can_read_but_not_upload_or_publish(client, api, community, role):
    version = uploaded_version(api, community)
    user = gen_member(community, role=role, group_role=None)
    reader = Api(client, accounts.create_api_token(user, "只读").secret)
    db.session.commit()
    assert reader.get(f"/roll/versions/{version['id']}/weights").status_code == 200
    response = reader.upload(community.id, csv_bytes(small_roll_rows()))
    assert (response.status_code, response.get_json()["code"]) == (403, "forbidden")
    response = reader.post(f"/roll/versions/{version['id']}/publish", {"starts_on": "2026-09-17"})
    assert (response.status_code, response.get_json()["code"]) == (403, "forbidden")
    assert count(RollImport) == 1


def test_an_official_of_another_township_gets_404_everywhere(api, stranger, community):
    version = uploaded_version(api, community)
    import_id = db.session.query(RollImport.id).scalar()
    imports_before = count(RollImport)
    checks = [
        stranger.upload(community.id, csv_bytes(small_roll_rows())),
        stranger.get(f"/roll/imports/{import_id}"),
        stranger.get(f"/communities/{community.id}/roll/versions"),
        stranger.get(f"/roll/versions/{version['id']}"),
        stranger.get(f"/roll/versions/{version['id']}/weights"),
        stranger.post(f"/roll/versions/{version['id']}/publish", {"starts_on": "2026-09-17"}),
        stranger.post(f"/roll/versions/{version['id']}/freeze"),
    ]
    for response in checks:
        assert response.status_code == 404, (response.request.path, response.status_code)
        assert response.get_json()["code"] == "community_not_found", response.request.path
        assert community.name not in response.get_data(as_text=True)
    assert count(RollImport) == imports_before
    assert get_version(version["id"]).published_at is None
    # the same answers as for objects that do not exist at all
    assert stranger.get("/roll/versions/999999").get_json()["code"] == "version_not_found"
    assert stranger.get("/roll/imports/999999").get_json()["code"] == "import_not_found"


def test_another_townships_official_gets_404_for_a_malformed_upload(api, stranger, community):
    """The scope is checked before the upload is read."""
    response = stranger.post(f"/communities/{community.id}/roll/imports", {"name": "x"})
    assert (response.status_code, response.get_json()["code"]) == (404, "community_not_found")


def test_another_townships_official_gets_404_for_a_malformed_publish(api, stranger, community):
    version = uploaded_version(api, community)
    response = stranger.post(f"/roll/versions/{version['id']}/publish", {})
    assert (response.status_code, response.get_json()["code"]) == (404, "community_not_found")


def test_no_token_is_401(client, community):
    response = client.get(f"/api/v1/communities/{community.id}/roll/versions")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthenticated"
