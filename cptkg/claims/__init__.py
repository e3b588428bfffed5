"""Order and claim checks: does each line of a claim file agree with what the graph knows?

A claim file is CSV (with a header) or JSON Lines, one order or claim line per record, with the
columns of :data:`COLUMNS` and optionally those of :data:`OPTIONAL_COLUMNS`. Lists (modifiers,
diagnoses) are separated by ``;``. Lines with one ``claim_id`` next to each other are one claim.
Each line is checked against lookup tables compiled **once** from the graph by named queries
(:mod:`~cptkg.claims.tables`), by the rules of the rule table ``queries/claims/rules.tsv``, one
small function per family of rules (:mod:`~cptkg.claims.families`); the per-line pass is plain
Python over dictionaries, so a file of a million lines streams through in constant memory
(:mod:`~cptkg.claims.engine`).

Every finding names its rule, its severity, a message and the one source that supports it (the
policy in force, the CMS document, or the source of the rule's row). A line without findings gets
an explicit ``no-findings`` row; a line that cannot be read is reported with its line number and
the next line is checked. :func:`explain` tells, for one line, what every rule looked at.

>>> import cptkg
>>> kg = cptkg.load()
>>> line = {"claim_id": "C1", "cpt_code": "81311", "modifiers": "GA;GY", "icd10cm": "C92.00",
...         "payer": "Medicare", "contractor": "Noridian JE", "place_of_service": "81", "units": "1",
...         "date_of_service": "2024-03-15", "dex_z_code": "ZTEST1"}
>>> result = kg.check_claims([line])
>>> [(f.severity, f.rule) for f in result]
[('info', 'coverage-not-covered'), ('error', 'modifier-combination'), ('error', 'modifier-gy-under-lcd')]
>>> result[0].source
'LCD L36335 MolDX: NRAS Genetic Testing (Noridian JE)'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine import MAX_CLAIM_LINES, RECENT_CLAIMS, ClaimRules, check_records, check_registry
from .explain import Explanation, explain
from .findings import FINDING_FIELDS, SEVERITIES, ClaimFindings, Finding, Tally, write_findings
from .lines import COLUMNS, OPTIONAL_COLUMNS, ClaimLine
from .records import (
    ClaimSource,
    Record,
    count_records,
    file_format,
    open_claims,
    read_records,
    records_of,
    rows_records,
    skips_other_codes,
)
from .rules import table
from .tables import ClaimTables

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

__all__ = [
    "COLUMNS",
    "FINDING_FIELDS",
    "MAX_CLAIM_LINES",
    "OPTIONAL_COLUMNS",
    "RECENT_CLAIMS",
    "RULES",
    "SEVERITIES",
    "ClaimFindings",
    "ClaimLine",
    "ClaimRules",
    "ClaimSource",
    "ClaimTables",
    "Explanation",
    "Finding",
    "Record",
    "Tally",
    "check_claims",
    "check_records",
    "check_registry",
    "count_records",
    "explain",
    "file_format",
    "open_claims",
    "read_records",
    "records_of",
    "rows_records",
    "write_findings",
]

#: rule id -> what it checks (from the rule table).
RULES: dict[str, str] = {rule: row.description for rule, row in table().items()}


def check_claims(
    kg: CoreGraph,
    path_or_rows: str | Path | Iterable[Mapping[str, Any]],
    *,
    columns: str | Path | Mapping[str, Any] | None = None,
    other_codes: str = "auto",
) -> ClaimFindings:
    """The findings of every line of a claim file (any layout :func:`open_claims` reads), or of rows given as dicts.

    ``columns`` maps the file's columns to cptkg's; ``other_codes`` is ``skip`` (lines for codes the
    graph does not hold are counted, not checked), ``check`` or ``auto`` (skip in payer-wide exports).
    """
    tally = Tally()
    if isinstance(path_or_rows, (str, Path)):
        source = open_claims(path_or_rows, columns)
        records, tally.layout, tally.notices = source.records, source.layout, source.notices
        skip = skips_other_codes(source, other_codes)
    else:
        records, skip = rows_records(path_or_rows), other_codes == "skip"
    findings = list(check_records(ClaimRules(kg), records, tally, skip_other_codes=skip))
    return ClaimFindings(findings, tally)
