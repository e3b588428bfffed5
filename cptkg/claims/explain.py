"""One line explained: every rule of the table, whether it fired and why, and what it looked at.

The line is checked with the rest of its claim (the adjacent lines of its ``claim_id``), as
``cptkg claims`` checks it; for every rule of ``queries/claims/rules.tsv``, in table order, the
explanation gives the finding it made, or what it looked at and found in order, or why it was not
evaluated on this line, beside the data the rule reads (the table's ``data`` column).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError
from .engine import check_records

if TYPE_CHECKING:
    from .engine import ClaimRules
    from .findings import Finding
    from .records import Record


@dataclass(frozen=True)
class Outcome:
    """What one rule did on the line."""

    rule: str
    family: str
    outcome: str  # fired, passed, not evaluated
    severity: str
    text: str
    source: str
    data: str

    def to_dict(self) -> dict[str, Any]:
        """The outcome as the JSON object of the ``rules`` array."""
        return {field: getattr(self, field) for field in self.__dataclass_fields__}


@dataclass(frozen=True)
class Explanation:
    """Every rule of the table on one line."""

    line: int
    claim_id: str
    outcomes: tuple[Outcome, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"line", "claim_id", "rules": [{"rule", "family", "outcome", "severity", "text", "source", "data"}]}``."""
        return {"line": self.line, "claim_id": self.claim_id, "rules": [o.to_dict() for o in self.outcomes]}

    def to_json(self) -> str:
        """The JSON form of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    def to_text(self) -> str:
        """The rules that fired, those evaluated that did not, and those not evaluated, each with its data."""
        lines = [f"line {self.line}, claim {self.claim_id}: every rule of the rule table"]
        for heading, outcome in (("fired", "fired"), ("evaluated, did not fire", "passed"), ("not evaluated", "not evaluated")):
            chosen = [o for o in self.outcomes if o.outcome == outcome]
            if not chosen:
                continue
            lines.append(f"{heading}:")
            for o in chosen:
                level = f"{o.severity} " if outcome == "fired" else ""
                source = f" (source: {o.source})" if outcome == "fired" else ""
                lines.append(f"  {level}[{o.rule}] {o.text}{source}")
                lines.append(f"      data: {o.data}")
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()


def explain(rules: ClaimRules, records: Iterable[Record], line: int) -> Explanation:
    """The explanation of the line numbered ``line`` (an :class:`InputError` when there is none)."""
    rules.explained = None
    fired: list[Finding] = []
    for finding in check_records(rules, records, explain=line):
        if finding.line == line:
            fired.append(finding)
        elif finding.line > line and fired:
            break
    if not fired:
        raise InputError(f"the file has no line {line} (lines are numbered as in the findings)")
    report = rules.explained
    notes: dict[str, list[str]] = {}
    for rule, text in report.notes if report is not None else ():
        notes.setdefault(rule, []).append(text)
    by_rule = {f.rule: f for f in fired}
    outcomes = []
    for rule, row in rules.rules.items():
        if rule in by_rule:
            f = by_rule[rule]
            outcomes.append(Outcome(rule, row.family, "fired", f.severity, f.message, f.source, row.data))
            continue
        said = notes.get(rule, [])
        skipped = [text.removeprefix("not evaluated: ") for text in said if text.startswith("not evaluated: ")]
        if skipped:
            outcomes.append(Outcome(rule, row.family, "not evaluated", "", "; ".join(skipped), "", row.data))
        else:
            looked = "; ".join(said) or _quiet(rule, report is not None)
            outcomes.append(Outcome(rule, row.family, "passed", "", looked, "", row.data))
    return Explanation(line, fired[0].claim_id, tuple(outcomes))


def _quiet(rule: str, readable: bool) -> str:
    if not readable:
        return "the line could not be read, so no rule ran on it"
    return "nothing on the line calls for it"
