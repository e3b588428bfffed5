"""Claim files as payers and CMS export them: a column mapping, and layouts recognised by their header.

Every layout gives the same records as a cptkg claim file (:data:`~cptkg.claims.lines.COLUMNS` and
the optional columns, keyed by lower-case name), numbered by the line of the file they come from:

* **a column mapping** (``claim_id=CLM_ID,cpt_code=HCPCS_CD,...`` or a YAML file of the same):
  each cptkg column is read from one or more columns of the file (``modifiers=A+B`` joins them);
* **CMS CCW/RIF carrier claims** (pipe-delimited, one row per claim line: ``CLM_ID``, ``LINE_NUM``,
  ``HCPCS_CD``, ...); the carrier file holds Medicare Part B claims, so the payer is Medicare;
* **DE-SynPUF carrier claims** (comma-separated, one row per claim with 13 line slots
  ``HCPCS_CD_1..13``); their diagnoses are ICD-9-CM (2008-2010 claims), which are not read as
  ICD-10-CM: the layout says so in its notices, and the layout records no units (read as 1).

A layout is recognised by its header; a payer-wide export holds lines of every code, and the lines
for codes the graph does not hold are counted and skipped (see :func:`cptkg.claims.check_records`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..core.errors import InputError, one_line
from .lines import COLUMNS, OPTIONAL_COLUMNS

#: The Medicare payer, by the name the graph gives it (``cptkg:payer-medicare``).
MEDICARE = "Medicare"
#: CCW codebook, carrier claims: ``*_DGNS_VRSN_CD`` 9 = ICD-9-CM, 0 = ICD-10-CM.
ICD9_VERSION = "9"
#: The largest field a claim export has any reason to hold (a line of a 100-column RIF row is ~1 kB).
FIELD_LIMIT = 1 << 16
_MONTH_DATE = re.compile(r"^\d{2}-[A-Za-z]{3}-\d{4}$")
_WHOLE = re.compile(r"^\d+\.0*$")


@dataclass
class Layout:
    """How one kind of file maps to claim records, and what a reader should know about it."""

    name: str
    #: cptkg column -> the file's columns (joined with ``;`` when more than one has a value).
    columns: dict[str, tuple[str, ...]]
    delimiter: str = ","
    #: cptkg column -> a value every record gets (when the file has no column for it).
    constants: dict[str, str] = field(default_factory=dict)
    #: True for files that hold every code a payer paid: lines for other codes are skipped, not errors.
    payer_wide: bool = True
    notices: list[str] = field(default_factory=list)
    #: The file column that tells a diagnosis column's ICD version (diagnosis column -> version column).
    versions: dict[str, str] = field(default_factory=dict)


def normalise_date(value: str) -> str:
    """A date of a claim export as ISO text (``27-OCT-1999``, ``30-May-2015``, ``20080229``, ``10/03/2006``).

    >>> normalise_date("27-OCT-1999"), normalise_date("30-May-2015"), normalise_date("20080229")
    ('1999-10-27', '2015-05-30', '2008-02-29')
    """
    text = value.strip()
    if not text:
        return ""
    if _MONTH_DATE.match(text):
        return datetime.strptime(text.title(), "%d-%b-%Y").date().isoformat()
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    return text  # ISO or MM/DD/YYYY: ClaimLine reads them, and names anything else


def normalise_units(value: str) -> str:
    """Units as a whole number where the export writes one with decimals (``1.0`` -> ``1``)."""
    text = value.strip()
    return text.split(".", 1)[0] if _WHOLE.match(text) else text


def parse_columns(text: str | Path) -> dict[str, tuple[str, ...]]:
    """A column mapping from ``name=COLUMN,name=A+B`` text or a YAML file (name: COLUMN or a list).

    >>> parse_columns("claim_id=CLM_ID,cpt_code=HCPCS_CD,modifiers=HCPCS_1ST_MDFR_CD+HCPCS_2ND_MDFR_CD")["modifiers"]
    ('HCPCS_1ST_MDFR_CD', 'HCPCS_2ND_MDFR_CD')
    """
    path = Path(str(text))
    if "=" not in str(text) and path.suffix.lower() in (".yaml", ".yml", ".json"):
        mapping = _columns_file(path)
    else:
        mapping = {}
        for part in str(text).split(","):
            name, sep, columns = part.partition("=")
            if not sep or not name.strip() or not columns.strip():
                raise InputError(f"--columns: expected name=COLUMN pairs separated by commas, not {part.strip()!r}")
            mapping[name.strip().lower()] = tuple(c.strip() for c in columns.split("+") if c.strip())
    known = (*COLUMNS, *OPTIONAL_COLUMNS)
    unknown = sorted(set(mapping) - set(known))
    if unknown:
        raise InputError(f"--columns: unknown column {', '.join(unknown)} (the columns are {', '.join(known)})")
    for required in ("claim_id", "cpt_code"):
        if required not in mapping:
            raise InputError(f"--columns: the mapping must name the file's column for {required}")
    return mapping


def _columns_file(path: Path) -> dict[str, tuple[str, ...]]:
    import yaml

    from ..core.inputs import safe_yaml
    from ..core.rdfio import read_text

    try:
        data = safe_yaml(read_text(path), path)
    except yaml.YAMLError as error:
        raise InputError(f"not YAML: {one_line(str(getattr(error, 'problem', error)))}", path=path) from None
    if not isinstance(data, dict):
        raise InputError("a column mapping maps each cptkg column to a column (or a list of columns)", path=path)
    mapping = {}
    for name, columns in data.items():
        items = columns if isinstance(columns, list) else [columns]
        if not items or not all(isinstance(c, (str, int)) for c in items):
            raise InputError(f"column {name}: expected a column name or a list of them", path=path)
        mapping[str(name).strip().lower()] = tuple(str(c).strip() for c in items)
    return mapping


def rif_carrier(header: list[str]) -> Layout:
    """The CMS CCW/RIF carrier-claim layout (one row per claim line) over the columns a file has."""
    names = set(header)
    code = "LINE_HCPCS_CD" if "LINE_HCPCS_CD" in names and "HCPCS_CD" not in names else "HCPCS_CD"
    modifiers = tuple(c for c in ("HCPCS_1ST_MDFR_CD", "HCPCS_2ND_MDFR_CD", "HCPCS_3RD_MDFR_CD", "HCPCS_4TH_MDFR_CD") if c in names)
    claim_level = tuple(f"ICD_DGNS_CD{i}" for i in range(1, 13) if f"ICD_DGNS_CD{i}" in names)
    diagnoses = tuple(c for c in ("LINE_ICD_DGNS_CD", "PRNCPAL_DGNS_CD") if c in names) + claim_level
    versions = {c: c.replace("_CD", "_VRSN_CD", 1) if c.startswith("ICD_") else c.replace("_DGNS_CD", "_DGNS_VRSN_CD") for c in diagnoses}
    return Layout(
        "cms-rif-carrier",
        {
            "claim_id": ("CLM_ID",),
            "cpt_code": (code,),
            "modifiers": modifiers,
            "icd10cm": diagnoses,
            "place_of_service": ("LINE_PLACE_OF_SRVC_CD",),
            "units": ("LINE_SRVC_CNT",),
            "date_of_service": ("LINE_1ST_EXPNS_DT",) if "LINE_1ST_EXPNS_DT" in names else ("CLM_FROM_DT",),
        },
        delimiter="|",
        constants={"payer": MEDICARE},
        versions={c: v for c, v in versions.items() if v in names},
        notices=["CMS CCW/RIF carrier claims: Medicare Part B claim lines; diagnoses are the line's and the claim's"],
    )


SYNPUF_SLOTS = 13


def synpuf_carrier() -> Layout:
    """The DE-SynPUF carrier layout: one row per claim, 13 line slots, ICD-9-CM diagnoses."""
    return Layout(
        "de-synpuf-carrier",
        {"claim_id": ("CLM_ID",), "date_of_service": ("CLM_FROM_DT",)},
        constants={"payer": MEDICARE, "modifiers": "", "icd10cm": "", "place_of_service": "", "units": "1"},
        notices=[
            ("DE-SynPUF carrier claims (2008-2010): diagnoses are ICD-9-CM (ICD9_DGNS_CD_*, LINE_ICD9_DGNS_CD_*), "
            "not ICD-10-CM, so no diagnosis is read; the layout has no units, modifiers or place of service "
            "(each line is read as 1 unit)")
        ],
    )


def recognise(header: list[str], delimiter: str) -> Layout | None:
    """The built-in layout a header belongs to, or None (a cptkg claim file, or a file for ``--columns``)."""
    names = {name.strip().upper() for name in header}
    if delimiter == "|" and "CLM_ID" in names and names & {"HCPCS_CD", "LINE_HCPCS_CD"}:
        return rif_carrier([name.strip().upper() for name in header])
    if "CLM_ID" in names and "HCPCS_CD_1" in names:
        return synpuf_carrier()
    return None


def sniff_delimiter(first_line: str) -> str:
    """``|``, tab or ``,``: whichever the header line holds most of."""
    counts = {d: first_line.count(d) for d in ("|", "\t", ",")}
    best = max(counts, key=counts.get)  # type: ignore[arg-type]
    return best if counts[best] else ","


def layout_records(path: Path, handle: Any, layout: Layout) -> Iterator[tuple[int, Mapping[str, Any] | InputError]]:
    """The records of a delimited export read through a layout: ``(file line, record)`` or ``(line, error)``."""
    reader = csv.reader(handle, delimiter=layout.delimiter)
    header = [cell.strip().upper() for cell in next(reader)]
    plan = _plan(path, header, layout)
    wide, width = layout.name == "de-synpuf-carrier", len(header)
    last = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # a field over the csv module's limit (128 KiB), a NUL byte
            yield last + 1, InputError(f"not valid {layout.delimiter!r}-delimited text: {error}", line=last + 1)
            last = reader.line_num
            continue
        start, last = last + 1, reader.line_num
        if len(row) < width:
            if row and any(cell.strip() for cell in row):
                yield start, InputError(f"the line has {len(row)} fields, the header {width}", line=start)
            continue
        if len(row) > width:
            _note_extra(layout, start, len(row), width)
        if wide:
            yield from ((start, record) for record in _slots(row, header, plan, layout))
        else:
            yield start, _record(row, plan, layout)


#: For each cptkg column, the positions of its file columns, each with the position of its ICD version column.
Plan = list[tuple[str, list[tuple[int, int | None]]]]


def _plan(path: Path, header: list[str], layout: Layout) -> Plan:
    """Where each cptkg column's values are in a row (computed once per file, not once per line)."""
    index = {name: position for position, name in enumerate(header)}
    needed = [c for columns in layout.columns.values() for c in columns]
    absent = [c for c in dict.fromkeys(needed) if c.upper() not in index]
    if absent:
        raise InputError(f"the header lacks the column{'s' if len(absent) > 1 else ''} {', '.join(absent)} "
                         f"({layout.name} layout)", path=path, line=1)
    return [
        (name, [(index[c.upper()], index.get(layout.versions.get(c, ""))) for c in columns])
        for name, columns in layout.columns.items()
    ]


def _note_extra(layout: Layout, line: int, fields: int, named: int) -> None:
    """Say once per file that a line has fields past the header's (CMS's own sample files do): they are not read."""
    if not any(n.startswith("fields past the header") for n in layout.notices):
        layout.notices.append(f"fields past the header's {named} columns are not read (first on line {line}, {fields} fields)")


def _record(row: list[str], plan: Plan, layout: Layout) -> dict[str, Any] | InputError:
    record: dict[str, Any] = dict(layout.constants)
    for name, positions in plan:
        values = []
        for position, version in positions:
            text = row[position].strip()
            if len(text) > FIELD_LIMIT:
                return InputError(f"a field is longer than {FIELD_LIMIT} characters")
            if text and (version is None or row[version].strip() != ICD9_VERSION):
                values.append(text)
        record[name] = values[0] if len(values) == 1 else ";".join(dict.fromkeys(values))
    for name in COLUMNS:
        record.setdefault(name, "")
    record["units"] = normalise_units(record["units"]) or "1"
    if record.get("date_of_service"):
        record["date_of_service"] = _date(record["date_of_service"])
    return record


def _date(text: str) -> str:
    try:
        return normalise_date(text)
    except ValueError:
        return text  # ClaimLine names the bad date with its line


def _slots(row: list[str], header: list[str], plan: Plan, layout: Layout) -> Iterator[dict[str, Any] | InputError]:
    base = _record(row, plan, layout)
    if isinstance(base, InputError):
        yield base
        return
    for slot in range(1, SYNPUF_SLOTS + 1):
        name = f"HCPCS_CD_{slot}"
        code = row[header.index(name)].strip() if name in header else ""
        if code:
            yield {**base, "cpt_code": code, "claim_line": slot}
