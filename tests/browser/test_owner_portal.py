"""An owner on their own phone (issue 20, "done when"), in headless Chromium at 360×740, in Chinese, on
a server of its own: 甲业主小区 (its roll published for objections today, a committee in office) and
乙业主小区 (its preparatory group taking nominations), where one owner, 张*娥, owns a flat in each.

The owner signs in with the number on the roll and the code of the text message (the console
backend's outbox), sees the two units in the two communities, objects to the area of the flat in 甲
with a photo; the township official accepts the objection on the roll's page and publishes the
corrected version, and the owner reads the answer and the corrected area. The owner drafts a
proposal for an interim meeting, which two neighbours co-sign on their phones until a fifth of the
heads have signed, and the committee's clock starts (the staff's petitions page shows it). In 乙 a
neighbour drafts a joint nomination of themself, ten owners (the owner among them) co-sign it, the
candidate hands it in, and the official vets it on the candidate's page. The owner's pages are
screenshotted and audited with axe- core, and log no console error.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.owners import sign_in
from app.owners.web import COOKIE
from app.voting.models import SmsMessage
from tests.browser.conftest import LiveServer, phone_tab, serving
from tests.browser.test_ballot import check_accessibility
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

expect: Any = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=10_000)

OFFICIAL = "portal-official"


@dataclass(frozen=True)
class Portal:
    server: LiveServer
    first_id: int
    second_id: int
    #: the owner of a flat in each community: phone, look-up, and their flat's label in 甲
    phone: str
    lookup: str
    unit_in_first: str
    #: other owners of 甲 (one per head) and of 乙 (the candidate, then ten co-signers with the owner), by look-up
    neighbours_first: list[str]
    candidate: str
    cosigners: list[str]


def _load() -> None:
    from app.demo.roll_generator import demo_small_roll
    from app.roll import services as roll
    from app.roll.services import today
    from app.roll.versions import create_version
    from tests.factories import gen_community, gen_official, gen_township
    from tests.governance.test_supervision_helpers import gen_body
    from tests.preparation.helpers import gen_preparation, roll_owners

    township = gen_township("业主街道")
    official = gen_official(township, OFFICIAL)
    first, second = gen_community(township, "甲业主小区"), gen_community(township, "乙业主小区")
    shared = roll_owners()[0]
    rows = demo_small_roll(seed=11)[:12]
    rows[0] = replace(rows[0], owners=(replace(shared, is_representative=True),))
    version = create_version(first, rows, "业主名册", official.id, "import")
    roll.publish_version(version, today(), official.id)
    gen_body(first)
    gen_preparation(second, official, with_candidates=False)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    from app.owners.identity import my_community
    from app.privacy import lookup_hash
    from app.roll.weights import voter_roll
    from tests.owners.helpers import latest_roll, people_of
    from tests.preparation.helpers import COSIGNER_INDEXES, roll_owners

    with serving(tmp_path_factory.mktemp("portal"), "portal", _load) as server, server.app.app_context():
        from app.communities.models import Community

        first = db.session.scalars(select(Community).where(Community.name == "甲业主小区")).one()
        second = db.session.scalars(select(Community).where(Community.name == "乙业主小区")).one()
        owners = roll_owners()
        shared = owners[0]
        lookup = lookup_hash(shared.id_number)
        version = latest_roll(first)
        people = {p.lookup: p for p in people_of(version)}
        heads = [sorted(v.owners)[0] for v in voter_roll(version.units).voters if not v.is_developer]
        neighbours = [h for h in heads if h in people and h != lookup]
        portal = Portal(
            server=server,
            first_id=first.id,
            second_id=second.id,
            phone=shared.phone or "",
            lookup=lookup,
            unit_in_first=my_community(first.id, [lookup]).units[0].label,
            neighbours_first=neighbours,
            candidate=lookup_hash(owners[6].id_number),
            cosigners=[lookup_hash(owners[i].id_number) for i in COSIGNER_INDEXES[:9]],
        )
        db.session.remove()
        yield portal


def _token(portal: Portal, lookup: str) -> str:
    with portal.server.app.app_context():
        signed = sign_in.open_session("sms", [lookup], "邻居")
        db.session.commit()
        return signed.token


def _neighbour(browser: Any, portal: Portal, lookup: str, errors: list[str]) -> Any:
    """A phone of another owner, already signed in (its session made by the sign-in service)."""
    tab = phone_tab(browser, portal.server, errors)
    tab.context.add_cookies([{"name": COOKIE, "value": _token(portal, lookup), "url": portal.server.url}])
    return tab


def _code(portal: Portal) -> str:
    with portal.server.app.app_context():
        body = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id.desc())).first().body
        db.session.remove()
    found = re.search(r"\d{6}", body)
    assert found
    return found.group(0)


def _shown(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    check_accessibility(page, name)


def _png() -> dict[str, Any]:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "white").save(out, format="PNG")
    return {"name": "产权证.png", "mimeType": "image/png", "buffer": out.getvalue()}


def _staff_tab(browser: Any, portal: Portal, errors: list[str]) -> Any:
    tab = phone_tab(browser, portal.server, errors)
    tab.set_viewport_size({"width": 1280, "height": 800})
    tab.goto("/login")
    tab.get_by_label("登录名", exact=True).fill(OFFICIAL)
    tab.get_by_label("密码", exact=True).fill(PASSWORD)
    tab.get_by_role("button", name="登录", exact=True).click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("您好")
    return tab


def test_an_owner_signs_in_objects_proposes_and_co_signs_on_a_phone(
    browser: Any, portal: Portal, tmp_path: Path, console_errors: list[str]
) -> None:
    page = phone_tab(browser, portal.server, console_errors)
    others: list[Any] = []
    try:
        _journey(browser, page, portal, tmp_path, console_errors, others)
    finally:
        for tab in (page, *others):
            tab.context.close()
    assert console_errors == []


def _journey(browser: Any, page: Any, portal: Portal, tmp_path: Path, errors: list[str], others: list[Any]) -> None:
    # 1. signing in by SMS: two units in two communities
    page.goto("/owner/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("业主登录")
    _shown(page, tmp_path, "1-sign-in")
    page.get_by_label("您的手机号码").fill(portal.phone)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("输入验证码")
    page.get_by_label("短信验证码", exact=True).fill(_code(portal))
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的小区")
    expect(page.locator("[data-my-community]")).to_have_count(2)
    expect(page.locator("[data-my-unit]")).to_have_count(2)
    _shown(page, tmp_path, "2-my-communities")

    # 2. an objection to the area during the roll notice, with a photo
    page.get_by_role("link", name="甲业主小区").click()
    expect(page.locator("[data-roll-notice]")).to_be_visible()
    _shown(page, tmp_path, "3-my-community")
    page.locator("[data-object-roll]").click()
    expect(page.locator(f"[data-entry='{portal.unit_in_first}']")).to_be_visible()
    page.get_by_label("哪里有误，应当是什么").fill("面积应为95.50平方米，见产权证。")
    page.locator("input[name=photo]").set_input_files(_png())
    _shown(page, tmp_path, "4-objection")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".flash-success")).to_contain_text("MC-")
    filed = page.locator("[data-objection]").first
    expect(filed).to_have_attribute("data-status", "open")
    number = filed.get_attribute("data-objection")

    # 3. the township official accepts it on the roll's page: a corrected version
    staff = _staff_tab(browser, portal, errors)
    others.append(staff)
    staff.goto(f"/communities/{portal.first_id}/roll")
    staff.locator("a[href^='/roll/versions/']").first.click()
    row = staff.locator("li", has=staff.locator("[data-owner-filed]"))
    expect(row).to_contain_text(number or "")
    accept = row.locator("details", has_text="采纳并更正")
    accept.locator("summary").click()
    accept.locator("textarea[name=answer]").fill("已核对产权证，面积更正为95.50平方米。")
    accept.locator("input[name=area]").fill("95.50")
    accept.get_by_role("button", name=re.compile("采纳")).click()
    expect(staff.locator(".flash-success")).to_be_visible()
    staff.locator("form[action$='/publish'] button[type=submit]").click()  # the corrected version, published again
    expect(staff.locator(".flash-success")).to_be_visible()

    page.reload()
    answered = page.locator(f"[data-objection='{number}']")
    expect(answered).to_have_attribute("data-status", "accepted")
    expect(answered).to_contain_text("已核对产权证")
    expect(page.locator(f"[data-my-unit='{portal.unit_in_first}'] [data-area]")).to_contain_text("95.50")
    _shown(page, tmp_path, "5-answered")

    # 4. a proposal for an interim meeting, co-signed until a fifth of the heads
    page.locator("[data-propose]").click()
    page.get_by_label("会议要决定的事项").fill("更换物业服务企业")
    page.get_by_role("button", name="发起并签名").click()
    counted = page.locator("[data-count]")
    needed = int(counted.get_attribute("data-needed") or "0")
    expect(counted).to_have_attribute("data-count", "1")
    _shown(page, tmp_path, "6-petition")
    petition_url = page.url
    for lookup in portal.neighbours_first[: needed - 1]:
        tab = _neighbour(browser, portal, lookup, errors)
        others.append(tab)
        tab.goto(petition_url)
        tab.locator("[data-sign]").click()
        expect(tab.locator("[data-signed]")).to_be_visible()
    page.reload()
    expect(page.locator("[data-petition]")).to_have_attribute("data-status", "reached")
    expect(page.locator("[data-convene-by]")).to_contain_text("业主委员会应在")
    _shown(page, tmp_path, "7-reached")
    staff.goto(f"/communities/{portal.first_id}/petitions")
    expect(staff.locator("[data-petition]")).to_have_attribute("data-status", "reached")
    expect(staff.locator("[data-petition] .clock")).to_contain_text("业主委员会应在")

    # 5. a joint nomination in 乙, co-signed by ten owners, handed in and vetted
    candidate = _neighbour(browser, portal, portal.candidate, errors)
    others.append(candidate)
    candidate.goto(f"/owner/communities/{portal.second_id}/nominate")
    candidate.get_by_label("参选方式").select_option("joint")
    candidate.get_by_label("致全体业主的参选声明").fill("愿为大家服务。")
    candidate.locator("form button[type=submit]").click()
    expect(candidate.locator("[data-petition]")).to_have_attribute("data-status", "collecting")
    nomination_url = candidate.url
    page.goto(nomination_url)
    page.locator("[data-sign]").click()
    expect(page.locator("[data-signed]")).to_be_visible()
    for lookup in portal.cosigners:
        tab = _neighbour(browser, portal, lookup, errors)
        others.append(tab)
        tab.goto(nomination_url)
        tab.locator("[data-sign]").click()
        expect(tab.locator("[data-signed]")).to_be_visible()
    candidate.reload()
    expect(candidate.locator("[data-count]")).to_have_attribute("data-count", "10")
    candidate.locator("[data-submit]").click()
    expect(candidate.locator("[data-petition]")).to_have_attribute("data-status", "submitted")

    with portal.server.app.app_context():
        from app.auth.models import User
        from app.preparation.models import Candidate
        from tests.preparation.helpers import declare_clean

        nominated = db.session.scalars(select(Candidate)).one()
        assert (nominated.route, len(nominated.cosigners)) == ("joint", 10)
        declare_clean(nominated, db.session.scalars(select(User).where(User.username == OFFICIAL)).one())
        db.session.commit()
        candidate_id = nominated.id
        db.session.remove()
    staff.goto(f"/candidates/{candidate_id}")
    staff.get_by_role("button", name="通过", exact=True).click()
    expect(staff.locator("#vetting")).to_contain_text("审查通过")
