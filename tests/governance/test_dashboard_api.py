"""The dashboards' API (issue 8 item 10): the township's figures and the city's, read-only, equal to the measures the
pages show (app/governance/measures.py) on the world of tests/governance/test_dashboard.py; who may read them."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from app.auth import services as accounts
from app.auth.models import Role, User
from app.governance import measures
from app.roll.services import today
from tests.factories import gen_admin, gen_member, gen_official, gen_township
from tests.governance.test_dashboard import TownshipWorld, build_world, direct_counts


@pytest.fixture
def world(app: Any) -> TownshipWorld:
    return build_world()


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.create_api_token(user, '仪表令牌').secret}"}


def exact(share: dict[str, Any]) -> Fraction | None:
    return None if share["numerator"] is None else Fraction(share["numerator"], share["denominator"])


def test_the_townships_figures_equal_a_direct_count(client: Any, world: TownshipWorld) -> None:
    response = client.get(f"/api/v1/townships/{world.township.id}/dashboard", headers=bearer(world.official))
    assert response.status_code == 200
    body = response.get_json()
    counted = direct_counts(world.township)
    now = body["measures"]
    assert now["on"] is None
    assert now["communities"] == counted["communities"] == 7
    rate = now["establishment_rate"]
    assert (rate["part"], rate["whole"]) == (counted["with_committee"], counted["eligible"]) == (3, 6)
    assert (rate["numerator"], rate["denominator"], rate["percent"]) == (1, 2, "50.0")
    assert now["property_management_committees"]["acting"] == counted["pmcs"] == 1
    members = now["committee_members"]
    assert members["serving"] == counted["members"] == 5
    assert members["party_members"]["part"] == counted["party"] == 2
    assert members["peoples_congress_deputies"]["part"] == counted["deputies"] == 1
    assert now["participation"]["votes"] == counted["votes"] == 2
    assert exact(now["participation"]["heads"]) == counted["heads"]
    assert exact(now["participation"]["area"]) == counted["area"]
    assert now["states"] == {"committee": 2, "re_election": 1, "pmc": 1, "established": 1, "no_assembly": 2}

    names = {c.id: key for key, c in world.communities.items()}
    rows = body["communities"]
    assert {names[row["id"]] for row in rows[:2]} == {"A", "F"}
    assert all(row["overdue"] for row in rows[:2])
    assert not any(row["overdue"] for row in rows[2:])
    filing = next(c for c in rows[0 if names[rows[0]["id"]] == "A" else 1]["clocks"] if c["code"] == "filing")
    assert (filing["state"], filing["done"]) == ("overdue", False)
    waiting = {(names[item["community_id"]], item["code"]) for item in body["waiting"]}
    assert waiting == {
        ("A", "file_committee"),
        ("B", "certify_result"),
        ("E", "decide_conversion"),
        ("F", "form_group"),
    }
    certify = next(item for item in body["waiting"] if item["code"] == "certify_result")
    assert certify["result_id"] == world.results["B-pending"].id

    expected = measures.trend(measures.load([world.township.id], today()), today())
    assert [point["on"] for point in body["trend"]] == [str(point.on) for point in expected]
    assert [(p["establishment_rate"]["part"], p["establishment_rate"]["whole"]) for p in body["trend"]] == [
        (point.establishment.part, point.establishment.whole) for point in expected
    ]


def test_the_citys_figures_for_administrators(client: Any, world: TownshipWorld) -> None:
    gen_township("空白街道")
    response = client.get("/api/v1/city/dashboard", headers=bearer(gen_admin()))
    assert response.status_code == 200
    body = response.get_json()
    assert [row["rank"] for row in body["townships"]] == list(range(1, len(body["townships"]) + 1))
    first = body["townships"][0]
    assert first["township"]["id"] == world.township.id
    assert first["measures"]["establishment_rate"]["part"] == 3
    assert body["townships"][-1]["township"]["name"] == "空白街道"
    assert body["townships"][-1]["measures"]["establishment_rate"]["percent"] is None
    assert body["total"]["communities"] == sum(row["measures"]["communities"] for row in body["townships"])
    assert len(body["trend"]) == measures.TREND_MONTHS
    assert body["as_of"] == str(today())


def test_who_may_read_the_dashboards(client: Any, world: TownshipWorld) -> None:
    url = f"/api/v1/townships/{world.township.id}/dashboard"
    outsider = bearer(gen_official(gen_township("别的街道")))
    response = client.get(url, headers=outsider)
    assert response.status_code == 404
    assert response.get_json()["code"] == "township_not_found"
    assert "仪表" not in response.get_data(as_text=True)
    city = client.get("/api/v1/city/dashboard", headers=outsider)
    assert city.status_code == 403
    assert city.get_json()["code"] == "forbidden"
    assert client.get("/api/v1/city/dashboard", headers=bearer(world.official)).status_code == 403
    observer = gen_official(world.township, role=Role.OBSERVER)
    assert client.get(url, headers=bearer(observer)).status_code == 200
    member = client.get(url, headers=bearer(gen_member(world.communities["A"])))
    assert member.status_code == 403
    assert member.get_json()["code"] == "forbidden"
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/city/dashboard").status_code == 401


def test_an_empty_township_has_nothing_to_measure(client: Any, app: Any) -> None:
    township = gen_township("新设街道")
    response = client.get(f"/api/v1/townships/{township.id}/dashboard", headers=bearer(gen_official(township)))
    assert response.status_code == 200
    body = response.get_json()
    assert body["communities"] == []
    assert body["waiting"] == []
    rate = body["measures"]["establishment_rate"]
    assert rate == {"part": 0, "whole": 0, "numerator": None, "denominator": None, "percent": None}
    assert body["measures"]["participation"]["heads"] == {
        "count": 0,
        "numerator": None,
        "denominator": None,
        "percent": None,
    }
    assert body["trend"][-1]["on"] == str(today())
    assert date.fromisoformat(body["trend"][0]["on"]) < today()
