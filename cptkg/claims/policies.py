"""Who decides a line's coverage, and which policies and unit limits bind it on its date of service.

From the named queries ``payer-forms`` (the payer, contractor and jurisdiction names billers write),
``policy-scope`` and ``claim-policies`` (each policy of a code: its programme, the jurisdiction that
issued it, its dates, what it covers and excludes) and ``unit-limits``. A payer whose claims
contractors process (Medicare) is placed by the line's payer and contractor columns in a
jurisdiction and a coverage programme (:meth:`PolicyTables.locate`); the policies of a programme
bind only its jurisdictions, and a policy binds a date of service from its effective date.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

CACHE_LIMIT = 100_000


@dataclass(frozen=True)
class Place:
    """What a name in the payer or contractor column stands for."""

    payer: str
    contractor: str | None = None
    jurisdiction: str | None = None
    jurisdiction_code: str | None = None
    program: str | None = None


@dataclass(frozen=True, eq=False)  # compared by identity: one object per (payer, contractor) text, cheap to hash
class Location:
    """The payer of a line and, for a payer whose claims contractors process, where they are processed.

    ``where`` is ``"n/a"`` (a payer without contractors), ``"unknown"`` (no contractor named, or one
    the graph does not hold), ``"programme"`` (a jurisdiction or contractor of a coverage programme)
    or ``"outside"`` (a contractor or jurisdiction in no programme).
    """

    payer: str | None
    where: str = "n/a"
    contractor: str | None = None
    jurisdiction: str | None = None
    jurisdiction_code: str | None = None
    program: str | None = None
    named: str = ""  # the contractor or jurisdiction as the line names it


@dataclass(frozen=True)
class Policy:
    """One policy of a code."""

    resource: str
    label: str
    number: str
    kind: str
    payer: str | None
    program: str | None
    jurisdiction: str | None
    jurisdiction_code: str | None
    effective: date | None
    revision: date | None
    test_identifier: bool
    missing: frozenset[str]
    covered: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    @property
    def decides(self) -> bool:
        """Whether the policy says which indications it covers or excludes."""
        return bool(self.covered or self.excluded)

    def in_force(self, day: date | None) -> bool | None:
        """Whether the policy binds a date of service: from its effective date, or, where only a
        revision's date is known, from that; None when that cannot be told. Without a date, yes.

        >>> p = Policy("p", "L1", "L1", "lcd", None, None, None, None, None, date(2023, 7, 27), False, frozenset())
        >>> p.in_force(date(2024, 1, 1)), p.in_force(date(2016, 1, 1)), p.in_force(None)
        (True, None, True)
        """
        if day is None:
            return True
        if self.effective is not None:
            return self.effective <= day
        if self.revision is not None and self.revision <= day:
            return True
        return None

    def since(self) -> str:
        """When it binds from, in words."""
        if self.effective:
            return f"in force since {self.effective.isoformat()}"
        if self.revision:
            return f"original effective date not known; revised {self.revision.isoformat()}"
        return "effective date not known"


@dataclass(frozen=True)
class Limit:
    """A unit limit of a code."""

    resource: str
    label: str
    units: int
    status: str
    mai: str | None
    counted_per: str | None
    payer: str | None
    policy: str | None
    jurisdiction: str | None
    reason: str


@dataclass
class Binding:
    """The policies and limits of one code that bind one location (before the date is looked at)."""

    deciding: list[Policy] = field(default_factory=list)  # coverage policies of the line's jurisdiction
    identifier: list[Policy] = field(default_factory=list)  # policies that ask for the test's identifier
    limits: list[tuple[Limit, Policy | None]] = field(default_factory=list)
    programme_policies: list[Policy] = field(default_factory=list)  # every programme policy of the code
    found: dict = field(default_factory=dict)  # findings remembered for lines of this code and place
    boundaries: list[date] = field(default_factory=list)  # the dates on which a binding policy starts

    def era(self, day: date | None) -> int:
        """Which stretch between the binding policies' dates a date of service falls in (-1: no date).
        Two dates of one era have the same policies in force, so answers can be remembered by era."""
        return -1 if day is None else bisect_right(self.boundaries, day)


class PolicyTables:
    """Payer names, jurisdictions, and the policies and unit limits of each code."""

    def __init__(self, kg: CoreGraph) -> None:
        self._compile_forms(kg)
        self._compile_policies(kg)
        self._compile_limits(kg)
        self._locations: dict[tuple[str, str], Location] = {}
        self._bindings: dict[tuple[str, Location], Binding] = {}

    def _compile_forms(self, kg: CoreGraph) -> None:
        self.forms: dict[str, Place] = {}  # casefolded name -> what it stands for
        self.labels: dict[str, str] = {}
        self.with_contractors: set[str] = set()  # payers whose claims contractors process
        for row in kg.query("payer-forms").records():
            key = " ".join(row["name"].split()).casefold()
            place = Place(row["payer"], row["contractor"], row["jurisdiction"], row["jurisdiction_code"], row["program"])
            known = self.forms.get(key)
            if known is None or (place.jurisdiction and not known.jurisdiction):
                self.forms[key] = place  # the most specific reading of a name wins
            if row["name_kind"] == "payer":
                self.labels[row["payer"]] = row["name"]
            elif row["name_kind"] == "contractor":
                self.labels[row["contractor"]] = row["name"]
            if row["contractor"]:
                self.with_contractors.add(row["payer"])
        for row in kg.query("jurisdictions").records():
            self.labels.setdefault(row["jurisdiction"], f"{row['code']} ({row['contractor_label']})")
        self.program_labels: dict[str, str] = {}

    def _compile_policies(self, kg: CoreGraph) -> None:
        decisions: dict[str, tuple[set[str], set[str]]] = {}
        self._max_units: dict[str, int] = {}
        for row in kg.query("claim-policies").records():
            if row["max_units"] is not None and row["applies"]:
                self._max_units[row["policy"]] = int(row["max_units"])
            covered, excluded = decisions.setdefault(row["policy"], (set(), set()))
            if row["decision"] == "covered":
                covered.add(row["indication"])
            elif row["decision"] == "not covered":
                excluded.add(row["indication"])
        rows: dict[tuple[str, str], dict] = {}
        for row in kg.query("policy-scope").records():
            entry = rows.setdefault((row["code"], row["policy"]), {**row, "missing": set()})
            if row["missing"]:
                entry["missing"].add(row["missing"])
            if row["program"]:
                self.program_labels[row["program"]] = row["program_label"]
        self.policies: dict[str, list[Policy]] = {}  # code -> its policies
        for (code, resource), row in rows.items():
            covered, excluded = decisions.get(resource, (set(), set()))
            policy = Policy(
                resource, row["label"] or row["number"] or resource, row["number"] or "", row["kind"] or "policy",
                row["payer"], row["program"], row["jurisdiction"], row["jurisdiction_code"], _day(row["effective"]),
                _day(row["revision"]), bool(row["test_identifier"]), frozenset(row["missing"]), frozenset(covered),
                frozenset(excluded),
            )  # fmt: skip
            self.policies.setdefault(code, []).append(policy)
        self.by_resource = {p.resource: p for policies in self.policies.values() for p in policies}

    def _compile_limits(self, kg: CoreGraph) -> None:
        self.limits: dict[str, list[Limit]] = {}
        stated: set[str] = set()
        for row in kg.query("unit-limits").records():
            if row["units"] is None:
                continue
            limit = Limit(
                row["limit"], row["label"], int(row["units"]), row["status"], row["mai"], row["counted_per"],
                row["payer"], row["policy"], row["jurisdiction"], row["reason"] or "",
            )  # fmt: skip
            self.limits.setdefault(row["code"], []).append(limit)
            stated.add(row["policy"])
        # a policy's own maximum (cptkg:maxUnits), unless a unit limit already states it
        for code, policies in self.policies.items():
            for policy in policies:
                units = self._max_units.get(policy.resource)
                if units is not None and policy.resource not in stated:
                    limit = Limit(policy.resource, policy.label, units, "VERIFIED", None, None, policy.payer,
                                  policy.resource, policy.jurisdiction, "")  # fmt: skip
                    self.limits.setdefault(code, []).append(limit)

    # ------------------------------------------------------------------ a line's place

    def locate(self, payer: str, contractor: str) -> Location:
        """The payer and, where contractors process its claims, the jurisdiction and programme (cached)."""
        key = (payer, contractor)
        found = self._locations.get(key)
        if found is None:
            found = self._locate(payer, contractor)
            if len(self._locations) >= CACHE_LIMIT:
                self._locations.clear()
            self._locations[key] = found
        return found

    def _locate(self, payer_text: str, contractor_text: str) -> Location:
        by_payer = self.place(payer_text) if payer_text else None
        if by_payer is None:
            return Location(None)
        if by_payer.payer not in self.with_contractors:
            return Location(by_payer.payer)
        by_contractor = self.place(contractor_text) if contractor_text else None
        if by_contractor is not None and by_contractor.payer != by_payer.payer:
            by_contractor = None
        chosen, named = (by_contractor, contractor_text) if by_contractor else (by_payer, payer_text)
        if chosen.contractor is None:  # the payer alone ("Medicare"), or a contractor the graph does not hold
            return Location(by_payer.payer, "unknown", named=contractor_text)
        where = "programme" if chosen.program else "outside"
        return Location(
            by_payer.payer, where, chosen.contractor, chosen.jurisdiction, chosen.jurisdiction_code, chosen.program, named
        )

    def place(self, name: str) -> Place | None:
        """What a payer, contractor or jurisdiction name stands for, case and spacing ignored. A contractor
        followed by one of its jurisdiction codes ("WPS J5") names that jurisdiction.

        >>> import cptkg
        >>> tables = PolicyTables(cptkg.load())
        >>> tables.place("wps  j5").jurisdiction_code, tables.place("Palmetto GBA").jurisdiction, tables.place("Acme")
        ('J5', None, None)
        """
        key = " ".join(name.split()).casefold()
        found = self.forms.get(key)
        if found is not None or " " not in key:
            return found
        head, _, tail = key.rpartition(" ")
        contractor, jurisdiction = self.forms.get(head), self.forms.get(tail)
        if contractor and jurisdiction and jurisdiction.jurisdiction and contractor.contractor == jurisdiction.contractor:
            return jurisdiction
        return None

    # ------------------------------------------------------------------ what binds a location

    def binding(self, code: str, location: Location) -> Binding:
        """The policies and limits of ``code`` that bind claims at ``location`` (cached)."""
        key = (code, location)
        found = self._bindings.get(key)
        if found is None:
            found = self._binding(code, location)
            if len(self._bindings) >= CACHE_LIMIT:
                self._bindings.clear()
            self._bindings[key] = found
        return found

    def _binding(self, code: str, location: Location) -> Binding:
        binding = Binding()
        policies = self.policies.get(code, [])
        binding.programme_policies = [p for p in policies if p.program]
        for policy in policies:
            if self.binds(policy, location):
                if policy.decides:
                    binding.deciding.append(policy)
                if policy.test_identifier:
                    binding.identifier.append(policy)
            elif policy.test_identifier and policy.program and policy.program == location.program:
                # the test registry (DEX) is the programme's: its billing articles all ask for the identifier
                binding.identifier.append(policy)
        for limit in self.limits.get(code, []):
            policy = self.by_resource.get(limit.policy) if limit.policy else None
            if policy is not None and not self.binds(policy, location):
                continue
            if policy is None and limit.payer != location.payer:
                continue
            binding.limits.append((limit, policy))
        dated = [*binding.deciding, *binding.identifier, *(p for _, p in binding.limits if p is not None)]
        binding.boundaries = sorted({day for p in dated for day in (p.effective, p.revision) if day is not None})
        return binding

    @staticmethod
    def binds(policy: Policy, location: Location) -> bool:
        """Whether a policy binds claims at a location: one its jurisdiction issued, or, where the
        issuing jurisdiction is not named, one of the line's coverage programme."""
        if location.payer is None or (policy.payer and policy.payer != location.payer):
            return False
        if policy.jurisdiction:
            return policy.jurisdiction == location.jurisdiction
        if policy.program:
            return policy.program == location.program
        return location.where == "n/a"

    def label(self, resource: str | None) -> str:
        """The label of a payer, contractor, jurisdiction or programme (the resource itself when it has none)."""
        if resource is None:
            return ""
        return self.labels.get(resource) or self.program_labels.get(resource) or resource


def _day(value: object) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))
