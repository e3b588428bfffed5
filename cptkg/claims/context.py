"""What the rule families of one line share: the line's readings, its claim, and how findings are reported.

A claim is the run of adjacent lines with one ``claim_id`` (:class:`ClaimView`): what its lines show
together (metastatic colorectal cancer from a primary on one line and a secondary on another) and
the units of a code on one date of service are worked out once per claim. :class:`LineContext` holds
what several families need about one line, each worked out once; :class:`LineReport` collects the
line's findings, each with its rule's severity and one source, and, when the line is explained, what
each rule looked at.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.errors import one_line
from ..core.findings import Severity
from .coverage import Verdict, judge
from .findings import Finding

if TYPE_CHECKING:
    from .diagnoses import DiagnosisReading, Shown
    from .lines import ClaimLine
    from .policies import Binding, Location
    from .rules import RuleRow
    from .tables import ClaimTables


class ClaimView:
    """The readable lines of one claim, and what they give together."""

    __slots__ = ("_shown", "_units", "lines", "tables")

    def __init__(self, tables: ClaimTables, lines: Sequence[ClaimLine]) -> None:
        self.tables = tables
        self.lines = lines
        self._shown: Shown | None = None
        self._units: dict[tuple[str, object, str | None], tuple[int, int]] | None = None

    def shown(self) -> Shown:
        """What the diagnoses of all the claim's lines show together."""
        if self._shown is None:
            read = self.tables.diagnoses.read
            readings = [read(line.diagnoses) for line in self.lines]
            contributions = [c for reading in readings for c in reading.contributions]
            mapped = frozenset().union(*(reading.mapped for reading in readings))
            self._shown = self.tables.diagnoses.show(contributions, mapped)
        return self._shown

    def diagnoses(self) -> tuple[tuple[str, ...], ...]:
        """The diagnoses of each line of the claim (what the claim shows depends on them alone)."""
        return tuple(line.diagnoses for line in self.lines)

    def units(self, line: ClaimLine, payer: str | None) -> tuple[int, int]:
        """(units, lines) of the line's code on its date of service for its payer, over the claim."""
        if self._units is None:
            self._units = {}
            locate = self.tables.policies.locate
            for other in self.lines:
                key = (other.code, other.date_of_service, locate(other.payer, other.contractor).payer)
                units, count = self._units.get(key, (0, 0))
                self._units[key] = (units + other.units, count + 1)
        return self._units.get((line.code, line.date_of_service, payer), (line.units, 1))


class LineContext:
    """What several families need to know about one line, each worked out once."""

    __slots__ = ("_binding", "_verdict", "claim", "described", "known", "line", "location", "reading", "tables")

    def __init__(self, tables: ClaimTables, line: ClaimLine, claim: ClaimView) -> None:
        self.tables = tables
        self.line = line
        self.claim = claim
        self.known = line.code in tables.codes
        self.described = line.code in tables.described
        self.reading: DiagnosisReading = tables.diagnoses.read(line.diagnoses)
        self.location: Location = tables.policies.locate(line.payer, line.contractor)
        self._binding: Binding | None = None
        self._verdict: Verdict | None = None

    @property
    def alone(self) -> Shown:
        """What the line's own diagnoses show."""
        reading = self.reading
        if reading.shown is None:
            reading.shown = self.tables.diagnoses.show(reading.contributions, reading.mapped)
        return reading.shown

    @property
    def together(self) -> Shown:
        """What the diagnoses of the line's whole claim show."""
        return self.alone if len(self.claim.lines) == 1 else self.claim.shown()

    @property
    def binding(self) -> Binding:
        """The policies and unit limits of the line's code that bind its payer and jurisdiction."""
        if self._binding is None:
            self._binding = self.tables.policies.binding(self.line.code, self.location)
        return self._binding

    @property
    def verdict(self) -> Verdict:
        """The coverage verdict of the line (see :func:`cptkg.claims.coverage.judge`), remembered per code,
        place, era of its date (:meth:`Binding.era`), its diagnoses and those of the rest of its claim."""
        if self._verdict is None:
            if self.location.payer is None or not self.binding.deciding:
                self._verdict = judge(self)  # quick
            else:
                line = self.line
                claim = self.claim.diagnoses() if len(self.claim.lines) > 1 else None
                key = (line.code, self.location, self.era, line.diagnoses, claim)
                self._verdict = self.tables.remember("verdict", key, lambda: judge(self))
        return self._verdict

    @property
    def era(self) -> int:
        """The line's date of service as the binding policies see it (:meth:`Binding.era`)."""
        return self.binding.era(self.line.date_of_service)

    @property
    def single(self) -> bool:
        """Whether the line is its own claim (then what it shows depends on the line alone)."""
        return len(self.claim.lines) == 1


class LineReport:
    """Collects one line's findings: ``report(rule, message, source=..., severity=...)``.

    The severity is the rule's usual one unless another level of its table row is given; the source
    is the rule's own unless the data names a more specific one (the policy in force). When the line
    is explained, :meth:`note` keeps what a rule looked at when it did not fire.
    """

    __slots__ = ("explain", "findings", "line", "notes", "rules")

    def __init__(self, line: ClaimLine, rules: dict[str, RuleRow], explain: bool = False) -> None:
        self.line = line
        self.rules = rules
        self.findings: list[Finding] = []
        self.explain = explain
        self.notes: list[tuple[str, str]] = []

    def __call__(self, rule: str, message: str, *, source: str | None = None, severity: Severity | None = None) -> None:
        level, message, source = resolve(self.rules, rule, message, source, severity)
        self.findings.append(Finding(self.line.claim_id, self.line.line, level, rule, message, source))

    def replay(self, found: list[tuple[str, str, str, str]]) -> None:
        """Report again what a :class:`Recorder` kept: ``(level, rule, message, source)``."""
        claim_id, number = self.line.claim_id, self.line.line
        self.findings.extend([Finding(claim_id, number, *kept) for kept in found])

    def note(self, rule: str, text: str) -> None:
        """What a rule looked at and why it did not fire (kept only when the line is explained)."""
        if self.explain:
            self.notes.append((rule, one_line(text)))

    def skip(self, rules: Sequence[str], text: str) -> None:
        """Rules that were not evaluated on the line, and why (kept only when the line is explained)."""
        if self.explain:
            self.notes.extend((rule, one_line(f"not evaluated: {text}")) for rule in rules)


def resolve(
    rules: dict[str, RuleRow], rule: str, message: str, source: str | None, severity: Severity | None
) -> tuple[str, str, str]:
    """A finding's level (the rule's usual one, or another level of its row), one-line message and source."""
    row = rules[rule]
    if severity is None:
        level = row.level
    elif severity in row.levels:
        level = severity.value
    else:
        raise AssertionError(f"rule {rule} has no {severity.value} level in the rule table")
    return level, one_line(message), source or row.source


class Recorder:
    """Stands in for a :class:`LineReport` while a family's findings for a line are worked out once, to
    be remembered and replayed for the next line that gives the same inputs."""

    __slots__ = ("found", "rules")
    explain = False

    def __init__(self, rules: dict[str, RuleRow]) -> None:
        self.rules = rules
        self.found: list[tuple[str, str, str, str]] = []

    def __call__(self, rule: str, message: str, *, source: str | None = None, severity: Severity | None = None) -> None:
        level, message, source = resolve(self.rules, rule, message, source, severity)
        self.found.append((level, rule, message, source))

    def note(self, rule: str, text: str) -> None:
        """Nothing: a remembered line is never an explained one."""

    def skip(self, rules: Sequence[str], text: str) -> None:
        """Nothing: a remembered line is never an explained one."""


def remembered(ctx: LineContext, report: LineReport, store: dict, key: object, work) -> None:
    """Run ``work(report)``; for a line that is its own claim (and is not explained), remember what it
    reported in ``store`` under ``key`` and replay that for the next such line with the same key. A
    store lives on a cached reading or binding, or is bounded by :meth:`ClaimTables.memo`."""
    if report.explain or len(ctx.claim.lines) > 1:
        work(report)
        return
    found = store.get(key)
    if found is None:
        recorder = Recorder(report.rules)
        work(recorder)
        found = store[key] = recorder.found
    report.replay(found)
