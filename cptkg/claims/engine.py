"""The engine: the rule families applied to each claim of a stream of lines.

A claim is a run of adjacent lines with one ``claim_id``: its lines are held until the next claim
starts (at most :data:`MAX_CLAIM_LINES` of them), checked together, and their findings written in
line order, so memory stays flat whatever the file's length. Lines of one claim that are not
adjacent are checked as separate parts: the engine remembers the last :data:`RECENT_CLAIMS` claim
ids and reports ``claim-checked-in-parts`` on a part of a claim it has seen before (sort the file
by ``claim_id`` to check claims whole). A line that cannot be read is reported at its line number
and the next line is checked.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError, one_line
from . import families as _families  # noqa: F401  (registers the families)
from .context import ClaimView, LineContext, LineReport
from .findings import Finding, Tally
from .lines import ClaimLine
from .rules import ENGINE_RULES, FAMILIES, Family, Part, table
from .tables import ClaimTables

if TYPE_CHECKING:
    from ..core.graph import CoreGraph
    from .records import Record

#: The most lines of one claim held at once; a longer claim is checked in parts.
MAX_CLAIM_LINES = 1_000
#: What the ``no-findings`` row of a line without findings says.
NO_FINDINGS = "No findings: the line agrees with everything the graph holds about it."
#: How many claim ids are remembered to tell that a claim's lines are not adjacent.
RECENT_CLAIMS = 10_000


def check_registry() -> list[str]:
    """What disagrees between the rule table and the registered families (empty when they match)."""
    problems = []
    rows = table()
    registered = {rule: name for name, (_, rules) in FAMILIES.items() for rule in rules}
    for rule, row in rows.items():
        if rule in ENGINE_RULES:
            continue
        if rule not in registered:
            problems.append(f"rule {rule} of the table has no family function")
        elif registered[rule] != row.family:
            problems.append(f"rule {rule} is in family {row.family} in the table, {registered[rule]} in the code")
    problems += [f"family {name} reports {rule}, which the table lacks" for rule, name in registered.items() if rule not in rows]
    return problems


def ordered_families() -> list[Family]:
    """The family functions in the order their families first appear in the rule table."""
    order = list(dict.fromkeys(row.family for row in table().values()))
    names = sorted(FAMILIES, key=lambda name: order.index(name) if name in order else len(order))
    return [FAMILIES[name][0] for name in names]


class ClaimRules:
    """The rule families over one graph's lookup tables; :meth:`check_claim` applies them to a claim."""

    def __init__(self, kg: CoreGraph) -> None:
        self.tables = ClaimTables(kg)
        self.rules = table()
        self.families = ordered_families()
        self.explained: LineReport | None = None  # the report of the line last explained

    def check(self, line: ClaimLine) -> list[Finding]:
        """The findings for one line as a claim of its own (a ``no-findings`` row when there are none)."""
        return self.check_claim([line])[0]

    def check_claim(self, lines: Sequence[ClaimLine], explain: int | None = None) -> list[list[Finding]]:
        """The findings of each line of one claim; ``explain``, a line number, keeps what each rule of
        that line looked at (see :meth:`explained`)."""
        claim = ClaimView(self.tables, lines)
        found = []
        for line in lines:
            report = LineReport(line, self.rules, explain=line.line == explain)
            context = LineContext(self.tables, line, claim)
            for check in self.families:
                check(self.tables, context, report)
            if not report.findings:
                report("no-findings", NO_FINDINGS)
            found.append(report.findings)
            if report.explain:
                self.explained = report
        return found

    def check_part(self, part: Part, line: ClaimLine) -> list[Finding]:
        """What one part of a family (:class:`~cptkg.claims.rules.Part`) reports on a line that is its own
        claim: an engine that composes a line's findings from its parts' (nothing added when all are silent)."""
        report = LineReport(line, self.rules)
        part.check(self.tables, LineContext(self.tables, line, ClaimView(self.tables, [line])), report)
        return report.findings


def check_records(
    rules: ClaimRules,
    records: Iterable[Record],
    tally: Tally | None = None,
    explain: int | None = None,
    *,
    skip_other_codes: bool = False,
) -> Iterator[Finding]:
    """The findings of each record, claim after claim, in line order (a generator: memory stays flat).

    ``explain``, a line number, keeps what every rule looked at on that line (:func:`cptkg.claims.explain`).
    With ``skip_other_codes`` (for payer-wide exports), a line for a code the graph does not hold,
    or with no code, is counted in ``tally.skipped_other_codes`` and not checked.
    """
    tally = tally if tally is not None else Tally()
    group: list[tuple[int, ClaimLine | Finding]] = []
    current: str | None = None
    split = False
    recent: OrderedDict[str, None] = OrderedDict()
    codes = rules.tables.codes
    for number, record in records:
        if skip_other_codes and not isinstance(record, InputError) and _other_code(record, codes):
            tally.skipped_other_codes += 1
            continue
        tally.lines += 1
        item, claim_id = _read(number, record)
        joins = claim_id == current or (isinstance(item, Finding) and not claim_id)
        if group and (not joins or len(group) >= MAX_CLAIM_LINES):
            yield from _flush(rules, group, split, tally, explain)
            group = []
            split = claim_id == current  # a claim longer than MAX_CLAIM_LINES
        if not group:
            split = split or claim_id in recent
            if claim_id and claim_id != current:
                recent[claim_id] = None
                if len(recent) > RECENT_CLAIMS:
                    recent.popitem(last=False)
            current = claim_id
        group.append((number, item))
    if group:
        yield from _flush(rules, group, split, tally, explain)


def _other_code(record: Mapping[str, Any], codes: Mapping[str, str]) -> bool:
    """A line for a code the graph does not hold (or for no code at all): not this graph's business."""
    return str(record.get("cpt_code") or "").strip().upper() not in codes


def _read(number: int, record: Record | object) -> tuple[ClaimLine | Finding, str]:
    """A line, or the finding that it cannot be read; and its claim id."""
    if isinstance(record, InputError):
        return _unreadable(number, "", record), ""
    try:
        line = ClaimLine.parse(number, record)  # type: ignore[arg-type]
    except InputError as error:
        claim_id = record.get("claim_id")  # type: ignore[union-attr]
        claim_id = str(claim_id).strip() if isinstance(claim_id, (str, int)) and not isinstance(claim_id, bool) else ""
        return _unreadable(number, claim_id, error), claim_id
    return line, line.claim_id


def _flush(
    rules: ClaimRules, group: list[tuple[int, ClaimLine | Finding]], split: bool, tally: Tally, explain: int | None
) -> list[Finding]:
    """The findings of one claim's lines (and of its unreadable lines), in line order, counted."""
    lines = [item for _, item in group if isinstance(item, ClaimLine)]
    checked = iter(rules.check_claim(lines, explain) if lines else [])
    found: list[Finding] = []
    severities = tally.severities
    for _, item in group:
        findings = [item] if isinstance(item, Finding) else next(checked)
        if split and isinstance(item, ClaimLine):
            findings = [_in_parts(rules, item), *(f for f in findings if f.rule != "no-findings")]
        error_found = False
        for finding in findings:
            severities[finding.severity] += 1
            error_found = error_found or finding.severity == "error"
        tally.error_lines += error_found
        found += findings
    return found


def _unreadable(number: int, claim_id: str, error: InputError) -> Finding:
    row = table()["unreadable-line"]
    message = one_line(f"The line cannot be read: {error.reason}.")
    return Finding(claim_id, number, row.levels[0].value, "unreadable-line", message, row.source)


def _in_parts(rules: ClaimRules, line: ClaimLine) -> Finding:
    row = rules.rules["claim-checked-in-parts"]
    message = (
        f"Claim {line.claim_id} is checked in parts: its lines are not next to each other in the file, or it has more "
        f"than {MAX_CLAIM_LINES} lines. What its lines show together (a primary and a secondary code on different "
        "lines, units on one date of service) is judged for this part only; sort the file by claim_id."
    )
    return Finding(line.claim_id, line.line, row.levels[0].value, row.id, message, row.source)
