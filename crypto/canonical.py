"""Canonical JSON (RFC 8785) and SHA-256 helpers.

Everything Gongjue hashes or signs is first serialised with the JSON
Canonicalization Scheme (JCS, RFC 8785): object members sorted by the UTF-16
code units of their names, no insignificant whitespace, strings emitted as
UTF-8 with only the mandatory escapes (so Chinese text stays readable UTF-8,
not ``\\uXXXX``), and integers in plain decimal.  Two parties holding the same
logical document therefore always derive the same bytes, hence the same hash
and the same signature, regardless of key order or JSON library.

Supported values are ``str``, ``int``, ``bool``, ``None``, lists/tuples of
supported values, and mappings with ``str`` keys.  Restrictions beyond JCS:

* **No floats.**  Our formats never need them (areas, shares and counts are
  integers in a fixed unit, or decimal strings).  Floats are rejected rather
  than silently canonicalised because a float that round-trips through a
  database JSON column may come back as a differently typed number (e.g.
  ``1e21`` returned as an integer), which would later make an intact record
  fail verification.  Failing loudly at write time is the safer choice.
* Integers must lie in the IEEE-754 "safe" range ``[-(2**53 - 1), 2**53 - 1]``
  (RFC 8785 section 3.2.2.3 / I-JSON, RFC 7493); larger ones are rejected.
* Strings must be valid Unicode (no lone surrogates).

All such problems raise :class:`CanonicalizationError`, a ``ValueError``.
"""

import hashlib
from collections.abc import Mapping

import rfc8785

__all__ = ["CanonicalizationError", "canonical_json", "sha256_hex"]


class CanonicalizationError(ValueError):
    """Raised when a value cannot be represented as canonical JSON."""


def canonical_json(value: object) -> bytes:
    """Return the RFC 8785 canonical UTF-8 JSON encoding of ``value``.

    Any :class:`~collections.abc.Mapping` (not only ``dict``) and any
    ``list``/``tuple`` are accepted; see the module docstring for the value
    domain.  Raises :class:`CanonicalizationError` for unsupported values.
    """
    normalized = _normalize(value)
    try:
        return rfc8785.dumps(normalized)
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalizationError(str(exc)) from exc


def sha256_hex(data: bytes) -> str:
    """Return the lowercase hexadecimal SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


_Normalized = str | int | bool | None | list["_Normalized"] | dict[str, "_Normalized"]


def _normalize(value: object) -> _Normalized:
    """Copy ``value`` into plain ``dict``/``list``/scalars, validating types.

    ``rfc8785`` only understands ``dict``, ``list`` and ``tuple``; this step
    lets callers pass read-only mappings (e.g. ``MappingProxyType``) and
    rejects floats and other types with a clear message.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        raise CanonicalizationError(
            f"floats are not allowed in canonical documents: {value!r}; "
            "use an integer in a fixed unit or a decimal string"
        )
    if isinstance(value, Mapping):
        return {_check_key(key): _normalize(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalize(item) for item in value]
    raise CanonicalizationError(f"unsupported type for canonical JSON: {type(value).__name__}")


def _check_key(key: object) -> str:
    """Return ``key`` if it is a string, else raise."""
    if not isinstance(key, str):
        raise CanonicalizationError(f"object keys must be strings, got {type(key).__name__}: {key!r}")
    return key
