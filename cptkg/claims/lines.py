"""One order or claim line: its columns, read and normalised (codes upper case, lists split)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError

if TYPE_CHECKING:
    import rdflib

#: The columns every line has; ``modifiers`` and ``icd10cm`` are ``;``-separated lists.
COLUMNS = ("claim_id", "cpt_code", "modifiers", "icd10cm", "payer", "place_of_service", "units")
#: Columns a file may add. Without ``dex_z_code`` the DEX Z-Code of a MolDX line is not checked (and
#: a finding says so); an empty ``dex_z_code`` cell is a line without one.
OPTIONAL_COLUMNS = ("variant", "date_of_service", "contractor", "dex_z_code")
#: Units as a biller writes them: ASCII digits, an optional plus sign, an optional zero decimal part.
_UNITS = re.compile(r"\+?([0-9]+)(\.0+)?")


@dataclass(slots=True)  # not frozen: a frozen dataclass costs microseconds per line to build; treat it as read-only
class ClaimLine:
    """One readable order or claim line, its values normalised (codes upper case, lists split)."""

    line: int
    claim_id: str
    code: str
    modifiers: tuple[str, ...]
    diagnoses: tuple[str, ...]
    payer: str
    place_of_service: str
    units: int
    variant: str = ""
    date_of_service: date | None = None
    contractor: str = ""
    dex_z_code: str | None = None  # None: the file has no dex_z_code column
    units_written: str = ""  # the units as written, when that was not a plain whole number ("1.0")

    @classmethod
    def parse(cls, line: int, record: Mapping[str, Any]) -> ClaimLine:
        """Read a line from a record keyed by column name; an :class:`InputError` says what is wrong.

        >>> ClaimLine.parse(2, {"claim_id": "A", "cpt_code": "81311", "modifiers": "26; ga", "icd10cm": "c18.7",
        ...     "payer": "Aetna", "place_of_service": "81", "units": "1"}).modifiers
        ('26', 'GA')
        >>> ClaimLine.parse(2, {"claim_id": "A", "cpt_code": "81311", "modifiers": "", "icd10cm": "",
        ...     "payer": "", "place_of_service": "81", "units": "1.0"}).units_written
        '1.0'
        >>> ClaimLine.parse(3, {"claim_id": "A", "cpt_code": "81311", "units": "two"})
        Traceback (most recent call last):
        ...
        cptkg.core.errors.InputError: line 3: missing column modifiers, icd10cm, payer, place_of_service
        """
        get = record.get
        claim_id, code, modifiers, diagnoses = get("claim_id"), get("cpt_code"), get("modifiers"), get("icd10cm")
        payer, place, units = get("payer"), get("place_of_service"), get("units")
        if None in (claim_id, code, modifiers, diagnoses, payer, place, units):
            missing = [name for name in COLUMNS if get(name) is None]
            raise InputError(f"missing column {', '.join(missing)}", line=line)
        claim_id = _text(claim_id, "claim_id", line)
        code = _text(code, "cpt_code", line).upper()
        if not claim_id or not code:
            raise InputError(f"empty {'claim_id' if not claim_id else 'cpt_code'}", line=line)
        units, written = _units(units, line)
        dex = get("dex_z_code", _ABSENT)
        return cls(
            line,
            claim_id,
            code,
            _codes(modifiers, "modifiers", line),
            _codes(diagnoses, "icd10cm", line),
            _spaced(_text(payer, "payer", line)),
            _text(place, "place_of_service", line),
            units,
            _text(get("variant") or "", "variant", line),
            _date(get("date_of_service"), line),
            _spaced(_text(get("contractor") or "", "contractor", line)),
            None if dex is _ABSENT else _text(dex if dex is not None else "", "dex_z_code", line),
            written,
        )

    def to_graph(self, subject: str | None = None) -> rdflib.Graph:
        """The line as RDF in the claims vocabulary (``ontology/claims.ttl``), for SHACL and export."""
        from rdflib import RDF, XSD, Graph, Literal, URIRef

        from ..core.prefixes import CPTKG
        from ..core.rdfio import bind_prefixes

        term = URIRef(subject or f"{CPTKG}claim-line-{self.line}")
        c = lambda name: URIRef(CPTKG + name)
        graph = bind_prefixes(Graph())
        graph.add((term, RDF.type, c("ClaimLine")))
        graph.add((term, c("claimIdentifier"), Literal(self.claim_id)))
        graph.add((term, c("lineNumber"), Literal(self.line, datatype=XSD.positiveInteger)))
        graph.add((term, c("billedCode"), Literal(self.code)))
        for modifier in self.modifiers:
            graph.add((term, c("lineModifier"), Literal(modifier)))
        for diagnosis in self.diagnoses:
            graph.add((term, c("diagnosisCode"), Literal(diagnosis)))
        if self.payer:
            graph.add((term, c("payerName"), Literal(self.payer)))
        if self.place_of_service:
            graph.add((term, c("linePlaceOfService"), Literal(self.place_of_service)))
        graph.add((term, c("unitsOfService"), Literal(self.units, datatype=XSD.positiveInteger)))
        if self.variant:
            graph.add((term, c("reportedVariant"), Literal(self.variant)))
        if self.date_of_service:
            graph.add((term, c("dateOfService"), Literal(self.date_of_service)))
        return graph


_ABSENT = object()


def _spaced(text: str) -> str:
    """Runs of white space as one space (payer and contractor names are matched so)."""
    return " ".join(text.split()) if text else text


def _text(value: Any, column: str, line: int) -> str:
    if value.__class__ is str:  # the usual case, first (it runs for every column of every line)
        text = value.strip()
        if text.isascii():
            return text
    elif isinstance(value, (list, dict, bool)):
        raise InputError(f"column {column} must be text, not {type(value).__name__}", line=line)
    else:
        text = str(value).strip()
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # surrogate escapes: bytes that were not UTF-8
            raise InputError(f"column {column} is not UTF-8 text", line=line) from None
    return text


def _codes(value: Any, column: str, line: int) -> tuple[str, ...]:
    if value == "":
        return ()
    items = value if isinstance(value, list) else str(value).split(";")
    return tuple(code for item in items if (code := _text(item, column, line).upper()))


def _units(value: Any, line: int) -> tuple[int, str]:
    """The units, and how they were written when that was not a plain whole number.

    ASCII digits only (as the security review asks): ``1_000``, Arabic-Indic or full-width digits,
    fractions and numbers below 1 are refused. ``1.0`` is read as 1, and the caller says so.

    >>> _units("1.0", 2), _units(" +2 ", 2), _units(3, 2)
    ((1, '1.0'), (2, ''), (3, ''))
    >>> _units("1_000", 2)
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: line 2: units must be a whole number of 1 or more written in ASCII digits, not '1_000'
    """
    written = ""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        shown = "a boolean" if isinstance(value, bool) else f"a {type(value).__name__}"
        raise InputError(f"units must be a whole number of 1 or more, not {shown}", line=line)
    if isinstance(value, int):
        units = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise InputError(f"units must be a whole number of 1 or more, not {value!r}", line=line)
        units, written = int(value), repr(value)
    else:
        text = value.strip()
        found = _UNITS.fullmatch(text)
        if found is None:
            raise InputError(
                f"units must be a whole number of 1 or more written in ASCII digits, not {text!r}", line=line
            )
        units, written = int(found[1]), text if found[2] else ""
    if units < 1:
        raise InputError(f"units must be a whole number of 1 or more, not {units}", line=line)
    return units, written


def _date(value: Any, line: int) -> date | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        return date.fromisoformat(text)  # fast path (C): YYYY-MM-DD
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        pass
    raise InputError(f"date_of_service must be a date (YYYY-MM-DD or MM/DD/YYYY), not {text!r}", line=line)
