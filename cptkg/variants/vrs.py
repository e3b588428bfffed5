"""GA4GH VRS 2.0 computed identifiers, by the specification's digest rules, with no sequence service.

An identifier is ``ga4gh:<prefix>.<digest>``, where the digest is ``sha512t24u`` (the first 24
bytes of SHA-512, base64url) of the object's canonical JSON: its inherent keys only, sorted, no
whitespace, identifiable objects nested in it replaced by their digests. An allele is first
normalised (fully justified, after NCBI's VOCA): an insertion or deletion is expanded over the
whole stretch where it could sit, and a deletion (or an insertion of a repeat unit) in a repeat is
written as a reference length expression. That needs the reference bases around the change:
:func:`normalize` is given a function that says the plus-strand base at a position, or None where
the graph does not know it, and answers None when the stretch runs into an unknown base.

``tests/test_variant_names.py`` checks these rules against the VRS specification's validation
examples and published identifiers, and against ``ga4gh.vrs`` (vrs-python) where it is installed.

>>> allele_id("SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl", 44908821, 44908822, literal("T"))
'ga4gh:VA.0AePZIWZUNsUlQTamyLrjm2HWUw2opLt'
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

#: the keys that make each kind of object what it is (ga4gh.vrs models' "inherent" lists)
INHERENT = {
    "SequenceReference": ("refgetAccession", "type"),
    "SequenceLocation": ("end", "sequenceReference", "start", "type"),
    "Allele": ("location", "state", "type"),
    "LiteralSequenceExpression": ("sequence", "type"),
    "ReferenceLengthExpression": ("length", "repeatSubunitLength", "type"),
    "LengthExpression": ("length", "type"),
}
#: identifiable kinds and the prefix of their identifiers
PREFIXES = {"SequenceLocation": "SL", "Allele": "VA"}

State = dict[str, Any]


def sha512t24u(blob: bytes) -> str:
    """The GA4GH digest: SHA-512, truncated to 24 bytes, base64url.

    >>> sha512t24u(b"ACGT")
    'aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2'
    """
    return base64.urlsafe_b64encode(hashlib.sha512(blob).digest()[:24]).decode("ascii")


#: the kind an object under this key has when it does not say (the schema gives the key one kind)
KIND_OF_KEY = {"sequenceReference": "SequenceReference", "location": "SequenceLocation"}


def serialize(obj: dict[str, Any], nested: bool = False) -> Any:
    """The object's serialization for digesting (a nested identifiable object is its digest)."""
    kind = obj["type"]
    if nested and kind in PREFIXES:
        return digest(obj)
    out = {}
    for key in INHERENT[kind]:
        value = obj.get(key)
        if value is None:
            continue
        if isinstance(value, dict):
            value = serialize({"type": KIND_OF_KEY.get(key), **value}, nested=True)
        out[key] = value
    return out


def canonical_json(value: Any) -> bytes:
    """JSON with sorted keys and no whitespace, UTF-8 (the form GA4GH digests)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(obj: dict[str, Any]) -> str:
    """The ``sha512t24u`` digest of the object's serialization."""
    return sha512t24u(canonical_json(serialize(obj)))


def identify(obj: dict[str, Any]) -> str:
    """The object's computed identifier, ``ga4gh:<prefix>.<digest>``."""
    return f"ga4gh:{PREFIXES[obj['type']]}.{digest(obj)}"


def literal(sequence: str) -> State:
    """A literal sequence expression (an allele's state: these bases)."""
    return {"type": "LiteralSequenceExpression", "sequence": sequence}


def reference_length(length: int, repeat_subunit_length: int) -> State:
    """A reference length expression (an allele's state in a repeat: this many bases of the repeated unit)."""
    return {"type": "ReferenceLengthExpression", "length": length, "repeatSubunitLength": repeat_subunit_length}


def location(refget: str, start: int, end: int) -> dict[str, Any]:
    """A sequence location: interbase ``start``-``end`` of the sequence with that refget accession."""
    reference = {"type": "SequenceReference", "refgetAccession": refget}
    return {"type": "SequenceLocation", "sequenceReference": reference, "start": start, "end": end}


def allele_id(refget: str, start: int, end: int, state: State) -> str:
    """The identifier of the allele ``state`` at interbase ``start``-``end`` of a refget sequence."""
    return identify({"type": "Allele", "location": location(refget, start, end), "state": state})


# ---------------------------------------------------------------- normalisation


def normalize(start: int, end: int, alt: str, base_at: Callable[[int], str | None]) -> tuple[int, int, State, str] | None:
    """The VRS-normalised location and state of replacing interbase ``start``-``end`` by ``alt``.

    ``base_at(i)`` is the reference base of interbase ``i``-``i+1``, or None where unknown; the
    answer (start, end, state, the alternate bases over start-end) is None when a needed base is unknown.
    """
    ref = _bases(start, end, base_at)
    if ref is None:
        return None
    while ref and alt and ref[0] == alt[0]:  # trim: common prefix, then common suffix
        ref, alt, start = ref[1:], alt[1:], start + 1
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt, end = ref[:-1], alt[:-1], end - 1
    if not ref and not alt:
        raise ValueError("the alternate sequence is the reference")
    if ref and alt:
        return start, end, literal(alt), alt
    seed = len(ref or alt)
    moving = ref or alt
    left = _roll(moving, start - 1, -1, base_at)
    right = _roll(moving, end, +1, base_at)
    if left is None or right is None:
        return None
    new_start, new_end = start - left, end + right
    left_flank, right_flank = _bases(new_start, start, base_at), _bases(end, new_end, base_at)
    extended_ref = _bases(new_start, new_end, base_at)
    if left_flank is None or right_flank is None or extended_ref is None:
        return None
    extended_alt = left_flank + alt + right_flank
    if not extended_ref:
        return new_start, new_end, literal(extended_alt), extended_alt
    if len(extended_alt) < len(extended_ref):
        return new_start, new_end, reference_length(len(extended_alt), seed), extended_alt
    for cycle in _factors(seed):
        if cycle <= len(extended_ref) and _is_cycle(len(extended_ref) - cycle, extended_ref, extended_alt):
            return new_start, new_end, reference_length(len(extended_alt), cycle), extended_alt
    return new_start, new_end, literal(extended_alt), extended_alt


def _bases(start: int, end: int, base_at: Callable[[int], str | None]) -> str | None:
    found = [base_at(i) for i in range(start, end)]
    return None if None in found else "".join(found)  # type: ignore[arg-type]


def _roll(moving: str, position: int, step: int, base_at: Callable[[int], str | None]) -> int | None:
    """How far the inserted or deleted bases can move one way (bioutils' roll_left/roll_right), None if
    an unknown base stops the roll before the reference does."""
    distance = 0
    while True:
        index = -(distance + 1) % len(moving) if step < 0 else distance % len(moving)
        base = base_at(position + step * distance)
        if base is None:
            return None
        if base != moving[index]:
            return distance
        distance += 1


def _factors(n: int) -> list[int]:
    """The factors of ``n``, largest first."""
    return sorted((i for i in range(1, n + 1) if n % i == 0), reverse=True)


def _is_cycle(start: int, template: str, target: str) -> bool:
    cycle = template[start:]
    return all(char == cycle[i % len(cycle)] for i, char in enumerate(target[len(template):]))
