"""Login, logout, throttling, CSRF, cookies and security headers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from tests.factories import gen_official, gen_township


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    assert 'lang="zh-CN"' in page


def test_login_with_right_password_reaches_dashboard_and_is_audited(client, auth):
    official = gen_official(gen_township(), "zhang.san")
    response = auth.login("Zhang.San")  # login names are case-insensitive
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "auth.login" in _actions()
    dashboard = client.get("/").get_data(as_text=True)
    assert official.display_name in dashboard


def test_wrong_password_is_refused_and_audited(client, auth):
    gen_official(gen_township(), "li.si")
    response = auth.login("li.si", "not the password")
    assert response.status_code == 200
    assert "登录名或密码错误" in response.get_data(as_text=True)
    assert _actions()[-1] == "auth.login_failed"
    assert client.get("/").status_code == 302  # still logged out


def test_login_is_throttled_per_account(client, auth):
    gen_official(gen_township(), "wang.wu")
    for _ in range(5):
        assert auth.login("wang.wu", "wrong password!").status_code == 200
    assert auth.login("wang.wu").status_code == 429  # from this address even the right password waits now
    # another account from the same address is not locked by this one
    gen_official(gen_township(), "zhao.liu")
    assert auth.login("zhao.liu").status_code == 302
    # and the real wang.wu, from another address, logs in: the guesser cannot lock the account out
    from tests.conftest import AuthActions

    other_browser = client.application.test_client()
    other_browser.environ_base["REMOTE_ADDR"] = "10.0.0.77"
    assert AuthActions(other_browser).login("wang.wu").status_code == 302


def test_login_is_throttled_per_address(client, auth):
    township = gen_township()
    for n in range(20):
        gen_official(township, f"person{n}")
        assert auth.login(f"person{n}", "wrong password!").status_code == 200
    gen_official(township, "latecomer")
    response = auth.login("latecomer")
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)


def test_successful_logins_do_not_count_against_the_limit(client, auth):
    gen_official(gen_township(), "often")
    for _ in range(8):
        assert auth.login("often").status_code == 302
        client.post("/logout", data={"csrf_token": auth.csrf("/")})


def test_post_without_csrf_token_is_refused(client):
    gen_official(gen_township(), "csrf.user")
    response = client.post("/login", data={"username": "csrf.user", "password": "correct horse battery"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, auth):
    gen_official(gen_township(), "cookie.user")
    response = auth.login("cookie.user")
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_security_headers_forbid_inline_script_and_framing(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_logout_ends_the_session(client, auth):
    gen_official(gen_township(), "bye")
    auth.login("bye")
    assert client.post("/logout", data={"csrf_token": auth.csrf("/")}).status_code == 302
    assert client.get("/").status_code == 302
    assert _actions()[-1] == "auth.logout"


def test_password_change_ends_other_sessions(app, client, auth):
    gen_official(gen_township(), "changer")
    other = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(other).login("changer")
    auth.login("changer")
    response = auth.post(
        "/account/password",
        {
            "current_password": "correct horse battery",
            "new_password": "a brand new secret",
            "confirm": "a brand new secret",
        },
        form_page="/account/password",
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this browser stays logged in
    assert other.get("/").status_code == 302  # the other one is logged out
    assert AuthActions(app.test_client()).login("changer", "a brand new secret").status_code == 302


def test_open_redirect_after_login_is_refused(client, auth):
    gen_official(gen_township(), "redirect.user")
    page = client.get("/login?next=//evil.example/")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login?next=//evil.example/",
        data={"username": "redirect.user", "password": "correct horse battery", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_language_switch_to_english(client):
    client.get("/lang/en?next=/login")
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page
    assert 'lang="en"' in page


def test_a_cookie_replayed_after_logout_gets_the_login_page(app, client, auth):
    """Issue 16 item 6: logging out ends the session on the server: a copy of the cookie taken before no longer
    works."""
    gen_official(gen_township(), "replayer")
    auth.login("replayer")
    stolen = app.test_client()
    for cookie in client._cookies.values():  # the browser's cookies, as someone who copied them
        stolen.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    assert stolen.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": auth.csrf("/")}).status_code == 302
    replayed = stolen.get("/")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/login")


def test_a_deactivated_accounts_api_token_gets_401_and_it_cannot_log_in(app, client, auth):
    """The township deactivates an account (page or API): no login, its sessions end, its tokens answer 401; the
    account's history stays, and it can be reactivated (tokens stay revoked)."""
    from app.auth import services as accounts
    from tests.factories import gen_community, gen_member

    township = gen_township()
    community = gen_community(township)
    official = gen_official(township, "deactivator")
    member = gen_member(community, "leaving-member")
    secret = accounts.create_api_token(member, "脚本").secret
    db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/v1/communities/{community.id}", headers=bearer).status_code == 200
    api = {"Authorization": f"Bearer {accounts.create_api_token(official, 'township').secret}"}
    db.session.commit()
    response = client.post(
        f"/api/v1/communities/{community.id}/accounts/{member.id}/active", json={"active": False}, headers=api
    )
    assert response.status_code == 200
    assert response.json["is_active"] is False
    assert client.get(f"/api/v1/communities/{community.id}", headers=bearer).status_code == 401
    assert auth.login("leaving-member").status_code != 302
    assert "account.deactivate" in _actions()
    auth.login("deactivator")
    page = f"/communities/{community.id}"
    assert 'data-account="leaving-member" data-active="false"' in client.get(page).get_data(as_text=True)
    assert auth.post(f"{page}/accounts/{member.id}/active", {"active": "1"}, page).status_code == 302
    db.session.expire_all()
    assert member.is_active
    assert client.get(f"/api/v1/communities/{community.id}", headers=bearer).status_code == 401  # stays revoked


def test_an_api_token_expires_after_ninety_days(client):
    from datetime import timedelta

    import time_machine

    from app.auth import services as accounts
    from app.db_types import utcnow

    official = gen_official(gen_township(), "expiring")
    issued = accounts.create_api_token(official, "定时任务")
    db.session.commit()
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert client.get("/api/v1/townships", headers=headers).status_code == 200
    with time_machine.travel(utcnow() + accounts.API_TOKEN_LIFETIME + timedelta(minutes=1)):
        assert client.get("/api/v1/townships", headers=headers).status_code == 401


def test_a_password_change_revokes_the_accounts_api_tokens(app):
    from app.auth import services as accounts

    official = gen_official(gen_township(), "rotating")
    issued = accounts.create_api_token(official, "脚本")
    accounts.set_password(official, "another long password")
    assert accounts.user_for_api_token(issued.secret) is None


def test_an_easy_password_is_refused_with_the_reason(app):
    """Issue 16 item 6: a common password, or one made of the login name, is refused; a long unusual one is not."""
    from app.auth import services as accounts
    from app.errors import DomainError

    official = gen_official(gen_township(), "jiyang9")
    for weak in ("1234567890", "jiyang91234", "password123"):
        with pytest.raises(DomainError) as refused:
            accounts.set_password(official, weak)
        assert refused.value.code == "password_too_weak", weak
    accounts.set_password(official, "暨阳街道的 mountain river 2026")
