"""Order and claim checks: does each line of a claim file agree with what the graph knows?

A claim file is CSV (with a header) or JSON Lines, one order or claim line per record, with the
columns of :data:`COLUMNS` and optionally those of :data:`OPTIONAL_COLUMNS`. Lists (modifiers,
diagnoses) are separated by ``;``. Each line is checked against lookup tables compiled **once**
from the graph by named queries (:mod:`~cptkg.claims.tables`), by the rules of the rule table
``queries/claims/rules.tsv``, one small function per family of rules (:mod:`~cptkg.claims.rules`);
the per-line pass is plain Python over dictionaries, so a file of a million lines streams through
in constant memory.

Every finding names its rule, its severity, a message and the sources behind it (the named graphs
and reference records of the statements it relies on). A line without findings gets an explicit
``no-findings`` row; a line that cannot be read is reported with its line number and the next line
is checked.

>>> import cptkg
>>> kg = cptkg.load()
>>> line = {"claim_id": "C1", "cpt_code": "81311", "modifiers": "GA;GY", "icd10cm": "C18.7",
...         "payer": "medicare", "place_of_service": "81", "units": "1"}
>>> result = kg.check_claims([line])
>>> [(f.severity, f.rule) for f in result]
[('info', 'coverage-conditional'), ('error', 'modifier-combination')]
>>> result.exit_status
1
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError, one_line
from ..core.findings import Severity
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
)
from .rules import FAMILIES, check_registry, context, table
from .tables import ClaimTables

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

__all__ = [
    "COLUMNS",
    "FINDING_FIELDS",
    "OPTIONAL_COLUMNS",
    "RULES",
    "SEVERITIES",
    "ClaimFindings",
    "ClaimLine",
    "ClaimRules",
    "ClaimSource",
    "ClaimTables",
    "Finding",
    "Tally",
    "check_claims",
    "check_records",
    "check_registry",
    "count_records",
    "file_format",
    "open_claims",
    "read_records",
    "records_of",
    "rows_records",
    "write_findings",
]

#: rule id -> what it checks (from the rule table).
RULES: dict[str, str] = {rule: row.description for rule, row in table().items()}


class ClaimRules:
    """The rule families over one graph's lookup tables; :meth:`check` applies them to a line."""

    def __init__(self, kg: CoreGraph) -> None:
        self.tables = ClaimTables(kg)
        self.rules = table()

    def check(self, line: ClaimLine) -> list[Finding]:
        """The findings for one line (a ``no-findings`` row when there are none)."""
        findings: list[Finding] = []
        rules = self.rules

        def report(rule: str, message: str, sources: tuple[str, ...] = (), severity: Severity | None = None) -> None:
            levels = rules[rule].severity
            if severity is not None and severity not in levels:
                raise AssertionError(f"rule {rule} has no {severity.value} level in the rule table")
            level = (severity or levels[0]).value
            findings.append(Finding(line.claim_id, line.line, level, rule, one_line(message), sources))

        ctx = context(self.tables, line)
        for check, _ in FAMILIES.values():
            check(self.tables, line, ctx, report)
        if not findings:
            report("no-findings", "No findings: the line agrees with everything the graph holds about it.")
        return findings


def check_records(
    rules: ClaimRules, records: Iterable[Record], tally: Tally | None = None, *, skip_other_codes: bool = False
) -> Iterator[Finding]:
    """The findings of each record, line after line (a generator: memory stays flat).

    With ``skip_other_codes`` (for payer-wide exports), a line for a code the graph does not hold,
    or with no code, is counted in ``tally.skipped_other_codes`` and not checked.
    """
    tally = tally if tally is not None else Tally()
    for number, record in records:
        if skip_other_codes and not isinstance(record, InputError) and _other_code(record, rules.tables.codes):
            tally.skipped_other_codes += 1
            continue
        tally.lines += 1
        if isinstance(record, InputError):
            findings = [_unreadable(number, "", record)]
        else:
            try:
                findings = rules.check(ClaimLine.parse(number, record))
            except InputError as error:
                claim_id = record.get("claim_id")
                findings = [_unreadable(number, str(claim_id).strip() if isinstance(claim_id, (str, int)) else "", error)]
        error_found = False
        for finding in findings:
            tally.severities[finding.severity] += 1
            error_found = error_found or finding.severity == "error"
            yield finding
        tally.error_lines += error_found


def _other_code(record: Mapping[str, Any], codes: Mapping[str, str]) -> bool:
    """A line for a code the graph does not hold (or for no code at all): not this graph's business."""
    return str(record.get("cpt_code") or "").strip().upper() not in codes


def _unreadable(number: int, claim_id: str, error: InputError) -> Finding:
    return Finding(claim_id, number, "error", "unreadable-line", one_line(f"The line cannot be read: {error.reason}."))


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
        skip = other_codes == "skip" or (other_codes == "auto" and source.payer_wide)
    else:
        records, skip = rows_records(path_or_rows), other_codes == "skip"
    findings = list(check_records(ClaimRules(kg), records, tally, skip_other_codes=skip))
    return ClaimFindings(findings, tally)
