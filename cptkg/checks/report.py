"""What a check found: findings about resources, with their sources, in the package's report forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.findings import Report, Severity, counts
from ..core.text import visible
from .rules import rules


@dataclass(frozen=True, order=True)
class Term:
    """A resource of a finding: its CURIE (or IRI) and its label, when it has one."""

    id: str
    label: str | None = None

    def __str__(self) -> str:
        return f"{self.id} ({self.label})" if self.label else self.id

    def to_dict(self) -> dict[str, str | None]:
        """The term as ``{"id": CURIE, "label": label or None}``."""
        return {"id": self.id, "label": self.label}


@dataclass(frozen=True)
class Finding:
    """One inconsistency or quality problem: what rule, how serious, about what, said where."""

    severity: Severity
    rule: str
    message: str
    resources: tuple[Term, ...] = ()
    sources: tuple[Term, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-ready dictionary (severity, rule, message, resources, sources)."""
        return {
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
            "resources": [term.to_dict() for term in self.resources],
            "sources": [term.to_dict() for term in self.sources],
        }

    def sort_key(self) -> tuple:
        """The order findings are listed in: severity first (errors first), then rule and message."""
        return (self.severity.rank, self.rule, self.message)


class CheckReport(Report):
    """The findings of a check, with the size of the graph and of its closure."""

    columns = ("severity", "rule", "message", "resources", "sources")

    def __init__(
        self,
        findings: list[Finding],
        asserted_triples: int,
        inferred_triples: int,
        engine: str,
        rules_run: list[str] | None = None,
    ) -> None:
        self.findings = findings
        self.asserted_triples = asserted_triples
        self.inferred_triples = inferred_triples
        self.engine = engine
        self.rules_run = list(rules_run or [])

    def entries(self) -> list[Finding]:
        return self.findings

    def cells(self, entry: Finding) -> list[str]:
        return [
            entry.severity.value,
            entry.rule,
            entry.message,
            "; ".join(map(str, entry.resources)),
            "; ".join(map(str, entry.sources)),
        ]

    @property
    def consistent(self) -> bool:
        """True when no finding is an error."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def exit_status(self) -> int:
        """The command line's exit status: 0 without an error-level finding, 1 with one."""
        return 0 if self.consistent else 1

    def of(self, rule: str) -> list[Finding]:
        """The findings of one rule."""
        return [f for f in self.findings if f.rule == rule]

    def counts(self) -> dict[str, int]:
        """The number of findings of each severity."""
        return counts(f.severity for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """``{"consistent", "asserted_triples", "inferred_triples", "findings": [...]}``."""
        return {
            "consistent": self.consistent,
            "asserted_triples": self.asserted_triples,
            "inferred_triples": self.inferred_triples,
            "findings": [f.to_dict() for f in self.findings],
        }

    def summary(self) -> str:
        found = self.counts()
        verdict = "consistent" if self.consistent else "INCONSISTENT"
        return (
            f"{verdict}: {found['error']} errors, {found['warning']} warnings, {found['info']} notes; "
            f"{self.asserted_triples} asserted and {self.inferred_triples} inferred triples ({self.engine} engine)"
        )

    def to_text(self) -> str:
        """The findings as readable text, errors first, each with its resources, sources and fix."""
        known = rules()
        lines = [self.summary()]
        for finding in self.findings:
            lines += ["", f"{finding.severity.value.upper()} [{finding.rule}] {finding.message}"]
            if finding.resources:
                lines.append("  resources: " + "; ".join(map(str, finding.resources)))
            if finding.sources:
                lines.append("  sources:   " + "; ".join(map(str, finding.sources)))
            if finding.rule in known:
                lines.append("  fix:       " + known[finding.rule].fix)
        return visible("\n".join(lines) + "\n")

    text = to_text
