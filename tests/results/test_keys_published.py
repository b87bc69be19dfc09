"""The check that signatures are by keys the platform published for their signer (app.results.verify.keys_published):
a package carries its own keys, so a forger who changes votes and re-signs with keys of their own passes every other
check. Also `gongjue verify --keys keys.json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from app.results.cli import verify_command
from app.results.verify import keys_published, verify_package
from crypto.signing import key_fingerprint
from tests.results.builders import CONVENER, PLATFORM, TOWNSHIP, KeyPair, certify, key_pair, make_package, sign_counted


def published(pair: KeyPair, role: str, *, township: int | None = None, community: int | None = None) -> dict[str, Any]:
    key_id = key_fingerprint(pair.public_pem.encode())
    return {"id": key_id, "role": role, "township": township, "community": community, "public_key": pair.public_pem}


def platform_keys(package: dict[str, Any]) -> list[dict[str, Any]]:
    community = package["community"]
    return [
        published(PLATFORM, "platform"),
        published(CONVENER, "convener", community=community["id"]),
        published(TOWNSHIP, "township", township=community.get("township_id")),
    ]


def test_keys_the_platform_published_for_each_signer_pass() -> None:
    package = certify(make_package())
    assert keys_published(package, platform_keys(package)).ok


def test_a_key_unknown_to_the_platform_fails_even_though_its_signature_holds() -> None:
    package = sign_counted(make_package() | {"signatures": [], "keys": []}, platform=key_pair("forger"))
    checks = {c.name: c for c in verify_package(package, published=platform_keys(package))}
    assert checks["signatures present"].ok  # the forger's signature is sound ...
    assert not checks["keys published"].ok  # ... by a key this platform never published
    assert "platform" in checks["keys published"].detail


def test_a_published_key_signing_in_another_role_or_for_another_community_fails() -> None:
    package = make_package()
    community = package["community"]
    as_township = [*platform_keys(package)[:2], published(PLATFORM, "township", township=community.get("township_id"))]
    assert keys_published(certify(make_package()), as_township).ok is False
    other_convener = [
        published(PLATFORM, "platform"),
        published(CONVENER, "convener", community=int(community["id"]) + 1),
    ]
    assert keys_published(package, other_convener).ok is False


def test_gongjue_verify_checks_the_saved_keys_when_given(tmp_path: Path) -> None:
    package = make_package()
    package_file, keys_file = tmp_path / "package.json", tmp_path / "keys.json"
    package_file.write_text(json.dumps(package), encoding="utf-8")
    runner = CliRunner()
    keys_file.write_text(json.dumps({"format": "gongjue.public-keys/1", "keys": platform_keys(package)}))
    old = ["--old-format"]  # this test's package is a /1
    assert runner.invoke(verify_command, [str(package_file), "--keys", str(keys_file), *old]).exit_code == 0
    keys_file.write_text(json.dumps({"format": "gongjue.public-keys/1", "keys": platform_keys(package)[1:]}))
    refused = runner.invoke(verify_command, [str(package_file), "--keys", str(keys_file), *old])
    assert refused.exit_code == 1
    assert "keys published" in refused.output
    keys_file.write_text("not json")
    assert runner.invoke(verify_command, [str(package_file), "--keys", str(keys_file)]).exit_code == 2
