"""Fixtures of the preparation service tests: a township, two of its officials and a community in preparation."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth.models import User
from app.communities.models import Township
from tests.factories import gen_community, gen_official, gen_township
from tests.preparation.helpers import Preparation, gen_preparation


@pytest.fixture
def township(app: Any) -> Township:
    return gen_township()


@pytest.fixture
def official(township: Township) -> User:
    return gen_official(township)


@pytest.fixture
def reviewer(township: Township) -> User:
    """Another official of the township, for the four-eyes review."""
    return gen_official(township)


@pytest.fixture
def prep(township: Township, official: User) -> Preparation:
    """A formed group with three candidates, one of each route."""
    return gen_preparation(gen_community(township), official)


@pytest.fixture
def bare(township: Township, official: User) -> Preparation:
    """A formed group without candidates."""
    return gen_preparation(gen_community(township), official, with_candidates=False)
