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
#: Columns a file may add.
OPTIONAL_COLUMNS = ("variant", "date_of_service")


@dataclass(frozen=True)
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

    @classmethod
    def parse(cls, line: int, record: Mapping[str, Any]) -> ClaimLine:
        """Read a line from a record keyed by column name; an :class:`InputError` says what is wrong.

        >>> ClaimLine.parse(2, {"claim_id": "A", "cpt_code": "81311", "modifiers": "26; ga", "icd10cm": "c18.7",
        ...     "payer": "Aetna", "place_of_service": "81", "units": "1"}).modifiers
        ('26', 'GA')
        >>> ClaimLine.parse(3, {"claim_id": "A", "cpt_code": "81311", "units": "two"})
        Traceback (most recent call last):
        ...
        cptkg.core.errors.InputError: line 3: missing column modifiers, icd10cm, payer, place_of_service
        """
        missing = [name for name in COLUMNS if name not in record or record[name] is None]
        if missing:
            raise InputError(f"missing column {', '.join(missing)}", line=line)
        claim_id = _text(record["claim_id"], "claim_id", line)
        code = _text(record["cpt_code"], "cpt_code", line).upper()
        if not claim_id or not code:
            raise InputError(f"empty {'claim_id' if not claim_id else 'cpt_code'}", line=line)
        return cls(
            line=line,
            claim_id=claim_id,
            code=code,
            modifiers=_codes(record["modifiers"], "modifiers", line),
            diagnoses=_codes(record["icd10cm"], "icd10cm", line),
            payer=" ".join(_text(record["payer"], "payer", line).split()),
            place_of_service=_text(record["place_of_service"], "place_of_service", line),
            units=_units(record["units"], line),
            variant=_text(record.get("variant") or "", "variant", line),
            date_of_service=_date(record.get("date_of_service"), line),
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


def _text(value: Any, column: str, line: int) -> str:
    if isinstance(value, (list, dict, bool)):
        raise InputError(f"column {column} must be text, not {type(value).__name__}", line=line)
    text = str(value).strip()
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # surrogate escapes: bytes that were not UTF-8
            raise InputError(f"column {column} is not UTF-8 text", line=line) from None
    return text


def _codes(value: Any, column: str, line: int) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value).split(";")
    return tuple(code for item in items if (code := _text(item, column, line).upper()))


#: A number written in ASCII digits (a sign, a decimal part): what ``units`` may look like before it is read.
_ASCII_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?")


def _units(value: Any, line: int) -> int:
    if isinstance(value, bool):
        raise InputError("units must be a whole number of 1 or more, not a boolean", line=line)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # int() also reads '1_000', Arabic-Indic and full-width digits: only a plain ASCII number is one
    if not isinstance(value, int) and not _ASCII_NUMBER.fullmatch(text):
        raise InputError(f"units must be a whole number of 1 or more, not {text!r}", line=line)
    try:
        units = value if isinstance(value, int) else int(text)
    except ValueError:
        raise InputError(f"units must be a whole number of 1 or more, not {text!r}", line=line) from None
    if units < 1:
        raise InputError(f"units must be a whole number of 1 or more, not {units}", line=line)
    return units


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
