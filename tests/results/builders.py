"""A realistic signed result package for the tests, and the tools to tamper with one (pure: no app, no database).

`make_package()` builds, with app.results.package, the package of one meeting of a 36-voter community: four
motions of different categories and an election of 5 seats among 8 candidates; the developer's voter
"developer" holds the unsold flats; 30 ballots came in by phone, on paper and by proxy (blank, invalid and
abstaining answers among them); the platform and the convener sign it. Keys are derived from their names, so
every run builds the same bytes.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.results.package import DEVELOPER, LedgerBallot, build_body, sign
from app.results.verify import verify_package
from app.rules.model import Election, Matter, Motion, Settings
from crypto.signing import public_key_pem

SIGNED_AT = "2026-06-14T18:30:00+08:00"
CERTIFIED_AT = "2026-06-20T10:00:00+08:00"
CANDIDATES = ("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8")
MATTERS: tuple[Matter, ...] = (
    Motion("m1", 1),  # rules of procedure
    Motion("m2", 4),  # hiring a property management company
    Motion("m3", 6),  # raising the maintenance fund: three quarters
    Motion("m4", 9),  # other major matters
    Election("committee", 5, 2, CANDIDATES),
)
LABELS = {
    "matters": {
        "m1": "制定业主大会议事规则",
        "m2": "选聘物业服务企业",
        "m3": "筹集建筑物及其附属设施的维修资金",
        "m4": "改造小区停车设施",
        "committee": "选举第一届业主委员会",
    },
    "candidates": {c: f"候选人{i + 1}" for i, c in enumerate(CANDIDATES)},
}
COMMUNITY = {"id": 7, "name": "梅园小区", "township": "梅园街道", "district": "杭州市西湖区"}
MEETING = {
    "id": 12,
    "title": "梅园小区第一次业主大会",
    "opens_at": "2026-06-01T08:00:00+08:00",
    "closes_at": "2026-06-14T18:00:00+08:00",
}


@dataclass(frozen=True)
class KeyPair:
    private_pem: bytes
    public_pem: str


def key_pair(name: str) -> KeyPair:
    """A deterministic Ed25519 key pair named `name` (its seed is the name's SHA-256)."""
    private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(name.encode()).digest())
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return KeyPair(private_pem, public_key_pem(private_pem).decode())


PLATFORM, CONVENER, TOWNSHIP = key_pair("platform-2026"), key_pair("convener"), key_pair("township")


def pseudonym(i: int) -> str:
    """A voter id shaped like the roll's (32 hex characters of a hash)."""
    return hashlib.sha256(f"owners-{i}".encode()).hexdigest()[:32]


def make_voters(n: int, seed: int = 1) -> list[tuple[str, int]]:
    """n owners' voters with areas 30.00–300.00 m² (in 0.01 m²), and the developer's voter with its unsold flats."""
    rng = random.Random(seed)
    voters = [(pseudonym(i), rng.randint(3000, 30000)) for i in range(n)]
    return [*voters, (DEVELOPER, 61250)]


def make_ballot(rng: random.Random, voter: str, channel: str, index: int) -> LedgerBallot:
    choices: dict[str, Any] = {}
    for matter in MATTERS:
        if isinstance(matter, Election):
            draw = rng.random()
            if draw < 0.08:
                choices[matter.matter_id] = []  # blank
            elif draw < 0.12:
                choices[matter.matter_id] = list(CANDIDATES[:6])  # too many names: invalid
            else:
                choices[matter.matter_id] = rng.sample(CANDIDATES[:6], rng.randint(3, 5))
            continue
        choice = rng.choices(["yes", "no", "abstain", None, "同意"], [70, 15, 7, 5, 3])[0]
        if choice is not None:  # a matter left out is a blank answer
            choices[matter.matter_id] = choice
    receipt = hashlib.sha256(f"receipt-{voter}-{index}".encode()).hexdigest()
    cast_at = f"2026-06-{1 + index % 13:02d}T{8 + index % 10:02d}:{index % 60:02d}:00+08:00"
    return LedgerBallot(receipt, voter, channel, cast_at, choices)


def make_ballots(voters: Sequence[tuple[str, int]], seed: int = 2) -> list[LedgerBallot]:
    """Ballots of about three quarters of the voters, the developer's among them, by phone, on paper, by proxy."""
    rng = random.Random(seed)
    who = [voter for voter, _ in voters if voter == DEVELOPER or rng.random() < 0.75]
    channels = rng.choices(["phone", "paper", "proxy"], [70, 20, 10], k=len(who))
    return [make_ballot(rng, voter, channel, i) for i, (voter, channel) in enumerate(zip(who, channels, strict=True))]


def make_body(
    voters: Iterable[tuple[str, int]] | None = None,
    ballots: Iterable[LedgerBallot] | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    voter_list = list(voters) if voters is not None else make_voters(36)
    return build_body(
        community=COMMUNITY,
        meeting=MEETING,
        settings=settings or Settings(),
        matters=list(MATTERS),
        labels=LABELS,
        voters=voter_list,
        ballots=ballots if ballots is not None else make_ballots(voter_list),
        excluded=[{"voter": voter_list[0][0], "entries": 1, "reason": "签名与名册不符"}],
    )


def sign_counted(package: dict[str, Any], platform: KeyPair = PLATFORM) -> dict[str, Any]:
    """The platform's and the convener's signatures, as when the result is counted."""
    for role, pair in (("platform", platform), ("convener", CONVENER)):
        sign(package, role=role, public_pem=pair.public_pem, private_pem=pair.private_pem, signed_at=SIGNED_AT)
    return package


def certify(package: dict[str, Any]) -> dict[str, Any]:
    sign(
        package,
        role="township",
        public_pem=TOWNSHIP.public_pem,
        private_pem=TOWNSHIP.private_pem,
        signed_at=CERTIFIED_AT,
    )
    return package


_SOUND = sign_counted(make_body())


def make_package() -> dict[str, Any]:
    """A fresh copy of the sound, counted and signed package (built once per run)."""
    return copy.deepcopy(_SOUND)


def failed(document: object, *, require_township: bool = False) -> set[str]:
    """The names of the checks that fail, with key ids left out: {"ledger root", "signature platform", …}."""
    names = set()
    for check in verify_package(document, require_township=require_township):
        if not check.ok:
            words = check.name.split(" ")
            names.add(" ".join(words[:2]) if words[0] == "signature" else "key" if words[0] == "key" else check.name)
    return names


#: what fails when anything in the body changes: every signature names the body's hash
SIGNATURES = {"signature platform", "signature convener", "signatures present"}


def flip_signature_byte(signature_b64: str, index: int = 10) -> str:
    raw = bytearray(base64.b64decode(signature_b64))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()
