"""The claim rules: a table a coder can read (``queries/claims/rules.tsv``) and the Python that evaluates it.

Each row of the table is one rule: its id, its family, its severity (a rule with two levels lists
both, the usual one first), what it checks in a coder's words, the one source behind it and that
source's status. Each family is one small function here, registered with the ids it may report;
:func:`check_registry` (run by the tests) holds the table and the registry to each other.

>>> table()["modifier-combination"].severity
(<Severity.ERROR: 'error'>,)
>>> sorted(FAMILIES)[:3]
['code', 'coverage', 'diagnoses']
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from ..core.errors import InputError
from ..core.findings import Severity
from ..core.resources import folder
from .tables import NO_COVERAGE, ClaimTables

if TYPE_CHECKING:
    from .lines import ClaimLine

TABLE_COLUMNS = ("id", "family", "severity", "description", "source", "status")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
_PLACE_OF_SERVICE = re.compile(r"^[0-9]{2}$")


@dataclass(frozen=True)
class RuleRow:
    """One row of the rule table."""

    id: str
    family: str
    severity: tuple[Severity, ...]
    description: str
    source: str
    status: str


@cache
def table() -> dict[str, RuleRow]:
    """The rule table by rule id; a malformed row is an :class:`~cptkg.InputError` naming its line."""
    path = folder("queries") / "claims" / "rules.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None)
        if tuple(header or ()) != TABLE_COLUMNS:
            raise InputError(f"the header must be {', '.join(TABLE_COLUMNS)}", path=path, line=1)
        rows: dict[str, RuleRow] = {}
        for number, cells in enumerate(reader, start=2):
            if len(cells) != len(TABLE_COLUMNS) or not all(cell.strip() for cell in cells[:3]):
                raise InputError(f"expected {len(TABLE_COLUMNS)} tab-separated cells", path=path, line=number)
            rule, family, levels, description, source, status = (cell.strip() for cell in cells)
            try:
                severity = tuple(Severity.parse(level) for level in levels.split(","))
            except ValueError as error:
                raise InputError(str(error), path=path, line=number) from None
            if rule in rows:
                raise InputError(f"rule {rule!r} is given twice", path=path, line=number)
            rows[rule] = RuleRow(rule, family, severity, description, source, status)
    return rows


#: What a family calls to report: ``(rule id, message, sources[, severity])``.
Report = Callable[..., None]
#: A family: ``(tables, line, context, report)``.
Family = Callable[[ClaimTables, "ClaimLine", "LineContext", Report], None]
#: family name -> (function, the rule ids it may report), in the order families run on a line.
FAMILIES: dict[str, tuple[Family, tuple[str, ...]]] = {}


def family(name: str, *rules: str) -> Callable[[Family], Family]:
    """Register a function as the family ``name``, which reports the given rule ids."""

    def register(function: Family) -> Family:
        FAMILIES[name] = (function, rules)
        return function

    return register


def check_registry() -> list[str]:
    """What disagrees between the rule table and the registered families (empty when they match)."""
    problems = []
    registered = {rule: name for name, (_, rules) in FAMILIES.items() for rule in rules}
    for rule, row in table().items():
        if row.family == "line":
            continue  # reported by the engine itself (unreadable-line, no-findings)
        if rule not in registered:
            problems.append(f"rule {rule} of the table has no family function")
        elif registered[rule] != row.family:
            problems.append(f"rule {rule} is in family {row.family} in the table, {registered[rule]} in the code")
    problems += [f"family {name} reports {rule}, which the table lacks" for rule, name in registered.items() if rule not in table()]
    return problems


@dataclass
class LineContext:
    """What several families need to know about a line, worked out once."""

    known: bool
    described: bool
    payer: str | None
    mapped: set[str]
    reached: set[str]


def context(tables: ClaimTables, line: ClaimLine) -> LineContext:
    """The line's code status, its payer, and the indications its valid diagnoses reach."""
    mapped: set[str] = set()
    reached: set[str] = set()
    for diagnosis in line.diagnoses:
        reach = tables.reach(diagnosis)
        if not isinstance(reach, str):
            mapped |= reach[0]
            reached |= reach[1]
    return LineContext(
        known=line.code in tables.codes,
        described=line.code in tables.described,
        payer=tables.payer(line.payer) if line.payer else None,
        mapped=mapped,
        reached=reached,
    )


# ---------------------------------------------------------------- the families, in the order they run


@family("code", "code-unknown", "code-not-described")
def check_code(tables: ClaimTables, line: ClaimLine, ctx: LineContext, report: Report) -> None:
    """Whether the graph holds the billed code, and describes it well enough for the code's own checks."""
    if not ctx.known:
        report("code-unknown", f"{line.code} is not a billing code the graph holds; the code's checks did not run.", tables.code_graphs)
    elif not ctx.described:
        report(
            "code-not-described",
            f"The graph holds {line.code} but no indications or regions for it; only the modifier, "
            "place-of-service and payer-name checks ran.",
            tables.sources(tables.codes[line.code]),
        )


@family("payer", "payer-unknown")
def check_payer(tables: ClaimTables, line: ClaimLine, ctx: LineContext, report: Report) -> None:
    """Whether the payer matches a payer name or alias of the graph."""
    if ctx.payer is None:
        what = f"{line.payer!r} matches no payer name or alias in the graph" if line.payer else "No payer is given"
        report("payer-unknown", f"{what}; payer policy checks did not run.", tables.payer_graphs)


@family("diagnoses", "diagnosis-invalid", "diagnosis-no-indication")
def check_diagnoses(tables: ClaimTables, line: ClaimLine, ctx: LineContext, report: Report) -> None:
    """Whether each diagnosis is an ICD-10-CM code and one of them reaches an indication of the code."""
    for diagnosis in line.diagnoses:
        reach = tables.reach(diagnosis)
        if isinstance(reach, str):
            report("diagnosis-invalid", reach, ())
    if not ctx.described:
        return
    code = line.code
    indications = tables.code_indications.get(code, set())
    if not indications:
        report(
            "diagnosis-no-indication",
            f"The graph holds no indications for {code}, so the diagnoses were not checked.",
            tables.sources(tables.codes[code]),
            Severity.INFO,
        )
    elif not ctx.reached & indications:
        given = f"{', '.join(line.diagnoses)} reaches" if line.diagnoses else "The line gives no diagnosis, so it reaches"
        report(
            "diagnosis-no-indication",
            f"{given} none of the indications of {code} through the ICD-10-CM mappings; the codes that do: "
            f"{tables.reaching.get(code, 'none')}.",
            tables.diagnosis_sources.get(code, ()),
        )


@family("coverage", "coverage-not-covered", "coverage-conditional", "coverage-criteria-gap", "coverage-no-policy")
def check_coverage(tables: ClaimTables, line: ClaimLine, ctx: LineContext, report: Report) -> None:
    """Whether the payer's policies cover the code for the line's indications, conditionally, or say nothing."""
    if not ctx.described or ctx.payer is None:
        return
    rule = tables.coverage.get((line.code, ctx.payer))
    payer_label = tables.payer_labels.get(ctx.payer, ctx.payer)
    if rule is None:
        report("coverage-no-policy", f"The graph relates no policy of {payer_label} to {line.code}.", tables.sources(ctx.payer))
        return
    if rule.covered or rule.excluded:
        _check_covered_indications(tables, line, ctx, rule, payer_label, report)
    if rule.gap_policies:
        named = "; ".join(
            f"{label}" + (f" ({number})" if number and number not in label else "") for _, label, number in rule.gap_policies
        )
        plural = len(rule.gap_policies) > 1
        report(
            "coverage-criteria-gap",
            f"{payer_label}'s polic{'ies' if plural else 'y'} {named} may apply to {line.code}; "
            f"{'their' if plural else 'its'} coverage criteria are not in the graph (a data gap): read the policy "
            "before sending the claim.",
            tables.sources(*(p for p, _, _ in rule.gap_policies)),
        )
    elif not (rule.covered or rule.excluded or rule.units):
        report(
            "coverage-no-policy",
            f"The graph holds no coverage criteria of {payer_label} for {line.code}.",
            tables.sources(*sorted(rule.policies)),
        )


def _check_covered_indications(tables, line, ctx, rule, payer_label: str, report: Report) -> None:
    """Whether the indications the diagnoses reach are those the payer's policies cover."""
    policies = policy_list(rule.covering)
    sources = tables.sources(*(p for p, _, _ in rule.covering))
    covered_names = join(sorted(tables.labels.get(i, i) for i in rule.covered)) or "no indication"
    if ctx.reached & rule.covered:
        return
    broader = [i for i in ctx.mapped if any(i in tables.ancestors.get(c, ()) for c in rule.covered)]
    if broader:
        report(
            "coverage-conditional",
            f"{payer_label}'s {policies} cover {line.code} only for {covered_names}; the diagnosis names "
            f"{join(sorted(tables.labels[i] for i in broader))}, so coverage needs the claim to show the narrower indication.",
            sources,
        )
        return
    excluded = sorted(tables.labels.get(i, i) for i in rule.excluded & ctx.reached)
    if excluded:
        why = f"they exclude {join(excluded)}, which the diagnosis names"
    elif ctx.mapped:
        why = f"the diagnosis names {join(sorted(tables.labels.get(i, i) for i in ctx.mapped))}"
    else:
        why = "no diagnosis of the line names a covered indication"
    with_ga = "GA" in line.modifiers
    route = (
        "Modifier GA on the line says a waiver of liability (advance beneficiary notice) was issued."
        if with_ga
        else "If the patient signed an advance beneficiary notice (waiver of liability), modifier GA is the usual route."
    )
    extra = (tables.modifiers["GA"][0],) if "GA" in tables.modifiers else ()
    report(
        "coverage-not-covered",
        f"Expected non-coverage: {payer_label}'s {policies} cover {line.code} only for {covered_names}; {why}. {route}",
        tables.sources(*(p for p, _, _ in rule.covering), *extra),
        Severity.INFO if with_ga else Severity.WARNING,
    )


@family(
    "modifiers", "modifier-invalid", "modifier-unknown", "modifier-combination", "modifier-guidance-conflict", "modifier-note"
)
def check_modifiers(tables: ClaimTables, line: ClaimLine, ctx: LineContext, report: Report) -> None:
    """Whether each modifier is well formed and known, the modifiers go together, and what the sources say of them."""
    known: list[str] = []
    for modifier in line.modifiers:
        if not _MODIFIER.match(modifier):
            report("modifier-invalid", f"Modifier {modifier!r} is not two letters or digits.", tables.modifier_graphs)
        elif modifier not in tables.modifiers:
            held = ", ".join(sorted(tables.modifiers))
            report("modifier-unknown", f"Modifier {modifier} is not one the graph holds ({held}).", tables.modifier_graphs)
        elif modifier not in known:
            known.append(modifier)
    clashing = sorted({m for m in known for other in known if other in tables.exclusions.get(m, ())})
    if clashing:
        report(
            "modifier-combination",
            f"Modifiers {join(clashing)} never go together on one claim line.",
            tables.sources(*(tables.modifiers[m][0] for m in clashing)),
        )
    for modifier in known:
        if ctx.payer is not None and (conflict := tables.conflicts.get((line.code, modifier, ctx.payer))):
            report("modifier-guidance-conflict", *conflict)
        note = tables.modifier_notes.get(modifier)
        if note:
            resource, label = tables.modifiers[modifier]
            report("modifier-note", f"Modifier {modifier} ({label}): {note}", tables.sources(resource))


@family("units", "units-above-limit")
def check_units(tables: ClaimTables, line: ClaimLine, ctx: LineContext, report: Report) -> None:
    """Whether the units stay within what the payer's billing article allows."""
    if ctx.payer is None or not ctx.known:
        return
    for limit, policy, number, kind in (tables.coverage.get((line.code, ctx.payer)) or NO_COVERAGE).units:
        if line.units > limit:
            report(
                "units-above-limit",
                f"{line.units} units of {line.code}: {tables.payer_labels.get(ctx.payer, ctx.payer)}'s {kind} {number} "
                f"allows {limit} unit{'s' if limit > 1 else ''} of service.",
                tables.sources(policy),
            )


@family("place-of-service", "place-of-service-invalid", "place-of-service-unknown")
def check_place_of_service(tables: ClaimTables, line: ClaimLine, ctx: LineContext, report: Report) -> None:
    """Whether the place of service is given, a two-digit code, and one the graph holds."""
    place = line.place_of_service
    if not place:
        report("place-of-service-unknown", "No place of service is given.", tables.place_graphs)
    elif not _PLACE_OF_SERVICE.match(place):
        report("place-of-service-invalid", f"Place of service {place!r} is not a two-digit code.", tables.place_graphs)
    elif place not in tables.places:
        report(
            "place-of-service-unknown",
            f"Place of service {place} is not one of the codes the graph holds ({', '.join(sorted(tables.places))}).",
            tables.place_graphs,
        )


@family("variant", "variant-out-of-scope", "variant-unclassified")
def check_variant(tables: ClaimTables, line: ClaimLine, ctx: LineContext, report: Report) -> None:
    """Whether the reported variant is in the code's scope (through the variant classifier)."""
    if not line.variant or not ctx.known:
        return
    found = tables.variant_finding(line.code, line.variant)
    if found is not None:
        report(*found)


# ---------------------------------------------------------------- wording


def join(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    >>> join(["GA", "GY", "GZ"])
    'GA, GY and GZ'
    """
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def policy_list(policies: Sequence[tuple[str, str, str]]) -> str:
    """Policies grouped by kind: ``local coverage determinations L35073 and L36335``."""
    kinds: dict[str, list[str]] = {}
    for _, number, kind in policies:
        kinds.setdefault(kind, []).append(number)
    return " and ".join(
        f"{kind + ('s' if len(numbers) > 1 and not kind.endswith('s') else '')} {join(sorted(numbers))}"
        for kind, numbers in kinds.items()
    )
