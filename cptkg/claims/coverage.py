"""The coverage verdict of one line: which policies judge it on its date, and what they say.

A line whose payer's claims contractors process (Medicare) is judged by the coverage policies that
bind its jurisdiction on its date of service (:meth:`cptkg.claims.policies.PolicyTables.binding`):
those its jurisdiction issued, and those of its coverage programme whose issuing jurisdiction is not
named. A policy judges a date from its effective date (or, where only a revision's date is known,
from that). The indications the line, or its claim, shows are compared with what the policies in
force cover and exclude. Any other payer is judged by the policies the graph relates to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .diagnoses import DiagnosisReading, Shown
    from .lines import ClaimLine
    from .policies import Binding, Location, Policy
    from .tables import ClaimTables


class LineFacts(Protocol):
    """What :func:`judge` reads of a line. :class:`cptkg.claims.context.LineContext` has it; the context
    remembers the verdict, so this module names what it reads instead of importing the context back."""

    tables: ClaimTables
    line: ClaimLine
    reading: DiagnosisReading
    location: Location

    @property
    def binding(self) -> Binding:
        """The policies and unit limits of the line's code that bind its payer and jurisdiction."""

    @property
    def alone(self) -> Shown:
        """What the line's own diagnoses show."""

    @property
    def together(self) -> Shown:
        """What the diagnoses of the line's whole claim show."""


#: The states a verdict can be in, for each of which the verdict judged the line's coverage.
JUDGED = ("covered", "covered by claim", "review", "conditional", "not covered")


@dataclass(frozen=True)
class Verdict:
    """What coverage a line can expect, and the one policy that says so.

    ``state``: ``no payer``, ``other payer`` (judged by :attr:`payer_policies`), ``contractor unknown``,
    ``outside`` (the code's programme policies do not bind the line's jurisdiction), ``not in force``,
    or one of :data:`JUDGED`.
    """

    state: str
    policy: Policy | None = None  # the one policy cited
    in_force: tuple[Policy, ...] = ()
    unknown: tuple[Policy, ...] = ()  # binding policies whose date cannot be told
    covered: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    shown: frozenset[str] = field(default_factory=frozenset)  # the indications on which it turned

    @property
    def judged(self) -> bool:
        """Whether policies in force judged the line's coverage (one of :data:`JUDGED`)."""
        return self.state in JUDGED


NO_PAYER, CONTRACTOR_UNKNOWN, OUTSIDE, OTHER_PAYER = (
    Verdict(state) for state in ("no payer", "contractor unknown", "outside", "other payer")
)


def judge(ctx: LineFacts) -> Verdict:
    """The coverage verdict of a line (see the module docstring)."""
    location = ctx.location
    if location.payer is None:
        return NO_PAYER
    binding = ctx.binding
    if not binding.deciding:
        return unjudged(binding, location)
    day = ctx.line.date_of_service
    in_force = tuple(p for p in binding.deciding if p.in_force(day) is True)
    unknown = tuple(p for p in binding.deciding if p.in_force(day) is None)
    if not in_force:
        return Verdict("not in force", unknown=unknown)
    covered = frozenset().union(*(p.covered for p in in_force))
    excluded = frozenset().union(*(p.excluded for p in in_force))
    policy = cited(in_force, location.jurisdiction)
    facts = {"policy": policy, "in_force": in_force, "unknown": unknown, "covered": covered, "excluded": excluded}
    alone, together = ctx.alone, ctx.together
    if covered & alone.reached:  # a policy that covers an indication covers its kinds too
        return Verdict("covered", shown=covered & alone.reached, **facts)
    if covered & together.reached:
        return Verdict("covered by claim", shown=covered & together.reached, **facts)
    if covered.intersection(together.reviewed):
        return Verdict("review", shown=covered.intersection(together.reviewed), **facts)
    diagnoses = ctx.tables.diagnoses
    direct = together.shown | ctx.reading.mapped
    broader = frozenset(i for i in direct if any(i in diagnoses.broader(c) - {c} for c in covered))
    if broader:
        return Verdict("conditional", shown=broader, **facts)
    return Verdict("not covered", shown=excluded & together.reached, **facts)


def unjudged(binding: Binding, location: Location) -> Verdict:
    """The verdict where no coverage policy binds the line (it depends on the code and place only)."""
    if binding.programme_policies and location.where == "unknown":
        return CONTRACTOR_UNKNOWN
    if binding.programme_policies and location.where == "outside":
        return OUTSIDE
    return OTHER_PAYER


def cited(policies: tuple[Policy, ...], jurisdiction: str | None) -> Policy:
    """The one policy a finding cites: the line's own jurisdiction's, else the earliest in force, by number."""

    def rank(policy: Policy) -> tuple[bool, date, str]:
        return (policy.jurisdiction != jurisdiction or jurisdiction is None, policy.effective or date.max, policy.number)

    return min(policies, key=rank)
