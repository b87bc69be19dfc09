"""`gongjue keys list` and `gongjue keys rotate`: rotation keeps the old public key listed as retired."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.results import keys
from app.results.models import SigningKey


def test_rotate_retires_the_key_in_force_and_list_shows_both(app: Any) -> None:
    old = keys.key_in_force("platform")
    db.session.flush()
    runner = app.test_cli_runner()
    rotated = runner.invoke(args=["keys", "rotate", "platform"])
    assert rotated.exit_code == 0, rotated.output
    new = keys.key_in_force("platform")
    assert new.key_id != old.key_id
    assert new.key_id in rotated.output
    listed = runner.invoke(args=["keys", "list"]).output
    assert f"{old.key_id}  platform" in listed
    assert "retired" in listed.split(old.key_id, 1)[1].splitlines()[0]
    assert "in force" in listed.split(new.key_id, 1)[1].splitlines()[0]


def test_rotate_needs_the_owner_of_a_township_or_convener_key(app: Any) -> None:
    runner = app.test_cli_runner()
    before = db.session.query(SigningKey).count()
    for args in (["township"], ["convener"], ["platform", "--township", "1"], ["convener", "--township", "1"]):
        assert runner.invoke(args=["keys", "rotate", *args]).exit_code == 2, args
    assert db.session.query(SigningKey).count() == before
