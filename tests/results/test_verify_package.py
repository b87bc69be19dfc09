"""A sound result package passes every check; signatures, keys and the township's certification as verify sees them."""

from __future__ import annotations

from app.results.package import PACKAGE_FORMAT, package_hash, sign
from app.results.verify import passed, verify_package
from tests.results.builders import (
    PLATFORM,
    SIGNED_AT,
    certify,
    failed,
    key_pair,
    make_body,
    make_package,
    sign_counted,
)


def test_a_sound_package_passes_every_check() -> None:
    package = make_package()
    checks = verify_package(package)
    assert passed(checks)
    names = [check.name for check in checks]
    for name in ("format", "signatures present", "roll root", "ledger root", "roll order", "ledger order"):
        assert name in names
    assert names[-1] == "tally"
    assert sum(name.startswith("signature ") for name in names) == 2
    assert sum(name.startswith("key ") for name in names) == 2


def test_the_package_is_realistic() -> None:
    package = make_package()
    assert package["format"] == PACKAGE_FORMAT
    ballots = package["ledger"]["ballots"]
    assert {b["channel"] for b in ballots} == {"phone", "paper", "proxy"}
    assert "developer" in {b["voter"] for b in ballots}
    assert 20 <= len(package["roll"]["voters"]) <= 50
    assert {m["type"] for m in package["matters"]} == {"motion", "election"}
    assert len({m["category"] for m in package["matters"]}) >= 4


def test_signatures_sit_outside_the_body_so_a_later_signature_changes_nothing_signed() -> None:
    package = make_package()
    digest = package_hash(package)
    certify(package)
    assert package_hash(package) == digest
    assert [s["package"] for s in package["signatures"]] == [digest] * 3
    assert passed(verify_package(package, require_township=True))


def test_require_township_without_the_townships_signature_fails_only_on_signatures_present() -> None:
    package = make_package()
    assert failed(package, require_township=True) == {"signatures present"}
    detail = next(c.detail for c in verify_package(package, require_township=True) if c.name == "signatures present")
    assert "township" in detail


def test_a_missing_convener_signature_fails() -> None:
    package = make_package()
    package["signatures"] = [s for s in package["signatures"] if s["role"] != "convener"]
    assert failed(package) == {"signatures present"}


def test_a_package_signed_by_an_old_rotated_key_verifies_while_it_carries_that_key() -> None:
    old = key_pair("platform-2025")  # the platform has since rotated to PLATFORM; the package keeps the old key
    package = sign_counted(make_body(), platform=old)
    assert passed(verify_package(package))
    # the township certifies later, after the rotation: both keys' signatures stand side by side
    certify(package)
    sign(
        package, role="platform", public_pem=PLATFORM.public_pem, private_pem=PLATFORM.private_pem, signed_at=SIGNED_AT
    )
    assert passed(verify_package(package, require_township=True))
    # without the old key in the package, its signature cannot be checked
    package["keys"] = [k for k in package["keys"] if k["public_key"] != old.public_pem]
    checks = verify_package(package)
    assert not passed(checks)
    assert any(c.detail == "no such key in the package" for c in checks if c.name.startswith("signature platform"))


def test_a_document_that_is_not_an_object_fails_on_structure() -> None:
    for document in ([], "package", 7, None):
        checks = verify_package(document)
        assert [(c.name, c.ok) for c in checks] == [("structure", False)]


def test_a_package_without_a_ledger_fails_on_structure_without_an_exception() -> None:
    package = make_package()
    del package["ledger"]
    assert "structure" in failed(package)
    assert not passed(verify_package(package))


def test_odd_shapes_fail_on_structure_without_an_exception() -> None:
    shapes = [
        lambda p: p.update(keys="not a list of keys"),
        lambda p: p.update(signatures=[7]),
        lambda p: p.update(roll=[]),
        lambda p: p["ledger"].update(ballots=[{"receipt": "x"}]),
        lambda p: p.update(matters=[{"id": "m1", "type": "referendum", "category": 1}]),
        lambda p: p.update(settings={"rank_by": "heads"}),
        lambda p: p["roll"]["voters"][0].update(area="lots"),
        lambda p: p.update(keys=[{"id": "00", "public_key": "not a key"}]),
        lambda p: p.update(tally=[]),
    ]
    for change in shapes:
        package = make_package()
        change(package)
        assert "structure" in failed(package)
