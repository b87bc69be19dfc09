"""The trustees of a meeting's election key (app.results.trustees; issue 17 item 3)."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from flask import Flask

from app.privacy import decrypt
from app.results import trustees
from crypto import group
from tests.factories import gen_community, gen_official, gen_township
from tests.voting.helpers import gen_open_meeting


def test_opening_a_meeting_makes_two_trustees_each_secret_under_its_own_key(app: Flask) -> None:
    township = gen_township()
    opened = gen_open_meeting(gen_community(township, "托管小区"), gen_official(township))
    platform, township_share = trustees.of_meeting(opened.meeting.id)
    assert (platform.role, township_share.role) == ("platform", "township")
    secrets = trustees.secrets_of(opened.meeting.id, township.id)
    assert secrets is not None
    assert group.base_mul(secrets["platform"]).hex() == platform.public_key
    assert group.base_mul(secrets["township"]).hex() == township_share.public_key
    assert secrets["platform"] != secrets["township"]
    # each secret opens only under its own holder's key
    with pytest.raises(InvalidTag):
        decrypt(township_share.secret_cipher, b"trustee/platform")
    with pytest.raises(InvalidTag):
        decrypt(platform.secret_cipher, b"trustee/township/%d" % township.id)
    # another meeting, other shares
    other = gen_open_meeting(gen_community(township, "另一小区"), gen_official(township))
    assert {t.public_key for t in trustees.of_meeting(other.meeting.id)}.isdisjoint(
        {platform.public_key, township_share.public_key}
    )
