"""X12 837P professional claims as claim records, segmented by pyx12 with the interchange's own delimiters.

pyx12's map-driven reader has no map for the 5010 guide in use (``005010X222A2``), so the
interchange is read with pyx12's segment reader (:class:`pyx12.x12file.X12Reader`, which takes the
element, component and segment separators from the ISA segment and checks the envelope), and the
claim loops are followed here by their segments: the payer (``NM1*PR`` of the subscriber loop),
the claim (``CLM``: id, place of service ``CLM05-1``), its diagnoses (``HI``), the service lines
(``LX``/``SV1``: code ``SV101-2``, modifiers ``SV101-3..6``, units ``SV104``, place of service
``SV105``, diagnosis pointers ``SV107``) and dates of service (``DTP*472``, line or claim).
On the 4010 sample the answers equal those of pyx12's map-driven reader (tests/test_claim_exports.py).

A record's line is the number of the ``SV1`` segment in the interchange (the file line when, as
usual, each segment ends a line). Diagnoses coded in ICD-9-CM (``HI`` qualifiers ``BK``/``BF``) are
not ICD-10-CM and are not read as such: the reader says so in its notices. An element whose
components are joined by another character than the one ISA16 declares is refused with the
segment and element, never read as one code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import InputError, one_line
from .layouts import normalise_date, normalise_units

#: HI qualifiers: ICD-10-CM principal and other diagnosis; ICD-9-CM principal and other diagnosis.
ICD10_QUALIFIERS = {"ABK", "ABF"}
ICD9_QUALIFIERS = {"BK", "BF"}
#: A composite whose first component is a qualifier, joined to the next by some punctuation.
_JOINED = re.compile(r"^[A-Z]{1,3}([^A-Za-z0-9 .\-_])")


@dataclass
class _Claim:
    claim_id: str
    place: str
    payer: str
    diagnoses: list[tuple[str, str]] = field(default_factory=list)  # (qualifier, code) in HI order
    date: str = ""


@dataclass
class Interchange:
    """The service lines of one 837P file as claim records, and what a reader should know about it."""

    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    version: str = ""


def read_837(path: Path) -> Interchange:
    """The claim records of an X12 837P file; :class:`InputError` (file, segment, reason) when it cannot be used."""
    try:
        from pyx12 import x12file
    except ImportError:
        raise InputError("reading X12 837 files needs pyx12: pip install 'cptkg[claims]'", path=path) from None
    try:
        with path.open(encoding="ascii", errors="strict", newline="") as handle:
            reader = x12file.X12Reader(handle)
            return _walk(path, reader)
    except UnicodeDecodeError as error:
        raise InputError(f"not X12 text: byte {error.start} is not ASCII", path=path) from None
    except InputError:
        raise
    except Exception as error:  # noqa: BLE001 - pyx12 raises its own and builtin errors for a broken envelope
        raise InputError(f"not a readable X12 interchange: {one_line(str(error))[:200] or type(error).__name__}", path=path) from None


def _walk(path: Path, reader: Any) -> Interchange:
    out = Interchange()
    payer, claim, line, icd9 = "", None, None, False
    for segment in reader:
        number, sid = reader.get_cur_line(), segment.get_seg_id()
        if sid == "GS":
            out.version = segment.get_value("GS08") or ""
        elif sid in ("HL", "SE", "CLM", "LX") and line is not None:
            out.records.append(_finish(line, claim))
            line = None
        if sid == "HL":
            claim = None
        elif sid == "NM1" and segment.get_value("NM101") == "PR" and claim is None:
            payer = " ".join((segment.get_value("NM103") or "").split())
        elif sid == "CLM":
            _check_components(path, reader, segment, number, ("CLM05",))
            claim = _Claim(segment.get_value("CLM01") or "", segment.get_value("CLM05-1") or "", payer)
        elif sid == "HI" and claim is not None:
            elements = [f"HI{i:02d}" for i in range(1, 13)]
            _check_components(path, reader, segment, number, elements)
            for element in elements:
                qualifier, code = segment.get_value(f"{element}-1"), segment.get_value(f"{element}-2")
                if qualifier and code:
                    claim.diagnoses.append((qualifier, code))
                    icd9 = icd9 or qualifier in ICD9_QUALIFIERS
        elif sid == "SV1" and claim is not None:
            _check_components(path, reader, segment, number, ("SV101", "SV107"))
            line = (number, segment, "")
        elif sid == "DTP" and segment.get_value("DTP01") == "472":
            when = _when(segment.get_value("DTP03") or "")
            if line is not None:
                line = (line[0], line[1], when)
            elif claim is not None:
                claim.date = when
    if line is not None:
        out.records.append(_finish(line, claim))
    reader.cleanup()  # pyx12 checks the envelope's trailers and counts here
    for error in reader.err_list:
        if "missing" in str(error[2]).lower() and "trailer" in str(error[2]).lower():
            raise InputError(f"the interchange is cut short: {one_line(str(error[2]))}", path=path, line=reader.get_cur_line())
        out.notices.append(f"X12 envelope: {one_line(str(error[2]))}")
    if not out.records and not out.version:
        raise InputError("holds no X12 functional group (no GS segment)", path=path)
    if icd9:
        out.notices.append("diagnoses coded in ICD-9-CM (HI qualifiers BK/BF) are not ICD-10-CM and are not read")
    return out


def _when(text: str) -> str:
    first = text.split("-", 1)[0]  # RD8 ranges: the first day
    try:
        return normalise_date(first)
    except ValueError:
        return first


def _finish(line: tuple[int, Any, str], claim: _Claim | None) -> tuple[int, dict[str, Any]]:
    number, segment, when = line
    assert claim is not None
    pointers = [segment.get_value(f"SV107-{i}") for i in range(1, 5)]
    pointed = [claim.diagnoses[int(p) - 1] for p in pointers if p and p.isdigit() and 0 < int(p) <= len(claim.diagnoses)]
    diagnoses = [code for qualifier, code in pointed if qualifier in ICD10_QUALIFIERS]
    older = [code for qualifier, code in pointed if qualifier in ICD9_QUALIFIERS]
    modifiers = [segment.get_value(f"SV101-{i}") for i in range(3, 7)]
    return number, {
        "claim_id": claim.claim_id,
        "cpt_code": segment.get_value("SV101-2") or "",
        "modifiers": ";".join(m for m in modifiers if m),
        "icd10cm": ";".join(_dotted(code) for code in diagnoses),
        "payer": claim.payer,
        "place_of_service": segment.get_value("SV105") or claim.place,
        "units": normalise_units(segment.get_value("SV104") or "") or "1",
        "date_of_service": when or claim.date,
        "procedure_qualifier": segment.get_value("SV101-1") or "",
        "icd9cm": ";".join(older),  # kept for the reader, never checked as ICD-10-CM
    }


def _dotted(code: str) -> str:
    """An ICD-10-CM code as X12 writes it (no dot) in the dotted form the graph uses (``C187`` -> ``C18.7``)."""
    code = code.strip().upper()
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 and "." not in code else code


def _check_components(path: Path, reader: Any, segment: Any, number: int, elements: tuple[str, ...] | list[str]) -> None:
    """Refuse a composite whose components are joined by another character than ISA16 declares."""
    declared = reader.subele_term
    for element in elements:
        value = segment.get_value(element) or ""
        found = _JOINED.match(value)
        if value and declared not in value and found and found.group(1) != declared:
            raise InputError(
                f"segment {segment.get_seg_id()} element {element} {value!r} joins its components with "
                f"{found.group(1)!r}, but the interchange declares {declared!r} (ISA16); it cannot be read as one code",
                path=path,
                line=number,
            )
