"""The modifier family: what the line's modifiers mean, which go together, and which the code or the
coverage verdict rules out (``claim-vocabulary``, ``modifier-rules``, ``modifier-guidance-conflicts``,
``first-dates``). The modifiers a rule is about are named in its row of the rule table."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..context import remembered
from ..rules import either, family, join, part, table

if TYPE_CHECKING:
    from ..context import LineContext, LineReport
    from ..tables import ClaimTables

_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
MODIFIER_RULES = (
    "modifier-invalid",
    "modifier-unknown",
    "modifier-combination",
    "modifier-gx-with-ga-or-gz",
    "modifier-gx-on-covered-service",
    "modifier-gy-under-lcd",
    "modifier-tc-clfs",
    "modifier-qw-not-waived",
    "modifier-guidance-conflict",
    "modifier-90-reference-lab",
    "modifier-91-repeat-test",
    "modifier-59-distinct",
    "modifier-59-with-x",
    "modifier-note",
)
#: Rules that say what a modifier means (and what else it needs), reported once per modifier.
MEANINGS = ("modifier-90-reference-lab", "modifier-91-repeat-test", "modifier-59-distinct")


def _known(tables: ClaimTables, ctx: LineContext) -> list[str]:
    """The line's modifiers the graph holds, each once, in the line's order."""
    return list(dict.fromkeys(m for m in ctx.line.modifiers if _MODIFIER.match(m) and m in tables.modifiers))


@part("modifiers")
def _written(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Modifiers not written as modifiers or not held by the graph; those that never go together."""
    for modifier in ctx.line.modifiers:
        if not _MODIFIER.match(modifier):
            report("modifier-invalid", f"Modifier {modifier!r} is not two letters or digits.")
        elif modifier not in tables.modifiers:
            held = ", ".join(sorted(tables.modifiers))
            report("modifier-unknown", f"Modifier {modifier} is not one the graph holds ({held}).")
    known = _known(tables, ctx)
    if known:
        _pairs(tables, known, report)
    elif report.explain:
        report.skip(MODIFIER_RULES[2:], "no modifier the graph holds is on the line")


_SIGNALS = (*table()["modifier-gx-on-covered-service"].modifiers, *table()["modifier-gy-under-lcd"].modifiers)


@part("code", "payer", "contractor", "date", "diagnoses", "modifiers", modifiers=_SIGNALS)
def _against_verdict(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    known = _known(tables, ctx)
    if known:
        _against_coverage(tables, ctx, known, report)


@part("code", "payer", "contractor", "modifiers")
def _guidance(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    known = _known(tables, ctx)
    if known:
        ruled_out = _ruled_out(tables, ctx, known, report)
        _meanings(tables, ctx, [m for m in known if m not in ruled_out], report)


_PARTS = (_written, _against_verdict, _guidance)


@family("modifiers", *MODIFIER_RULES, parts=_PARTS)
def check_modifiers(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """What the modifiers mean, which go together, and which the code or the coverage verdict rules out."""
    line = ctx.line
    if not line.modifiers:
        if report.explain:
            report.skip(MODIFIER_RULES, "no modifier on the line")
        return
    key = (line.code, line.modifiers, ctx.location, ctx.era, line.diagnoses)
    remembered(ctx, report, tables.memo("modifiers"), key, lambda out: [piece.check(tables, ctx, out) for piece in _PARTS])


def _pairs(tables: ClaimTables, known: list[str], report: LineReport) -> None:
    """Modifiers that never go together, that make Medicare return the claim, and 59 beside an X modifier."""
    clashing = sorted({m for m in known for other in known if other in tables.never_with.get(m, ())})
    if clashing:
        report("modifier-combination", f"Modifiers {join(clashing)} never go together on one claim line.")
    for modifier in known:
        for other in sorted(tables.returned_with.get(modifier, set()) & set(known)):
            report(
                "modifier-gx-with-ga-or-gz",
                f"Modifiers {modifier} and {other} on one line: Medicare returns the claim unprocessed.",
            )
    row = report.rules["modifier-59-with-x"]
    specific = [m for m in known if m in row.with_modifiers]
    if specific and any(m in row.modifiers for m in known):
        report(
            "modifier-59-with-x",
            f"Modifier {either(row.modifiers)} beside {join(specific)}: use {either(row.modifiers)} only when no "
            f"more specific modifier ({either(row.with_modifiers)}) fits, and not both.",
        )


def _against_coverage(tables: ClaimTables, ctx: LineContext, known: list[str], report: LineReport) -> None:
    """A voluntary notice on a covered service; a statutory exclusion where a local policy judges the line."""
    verdict = ctx.verdict if ctx.known else None
    voluntary = [m for m in known if m in report.rules["modifier-gx-on-covered-service"].modifiers]
    if voluntary and verdict and verdict.state in ("covered", "covered by claim") and verdict.policy:
        report(
            "modifier-gx-on-covered-service",
            f"Modifier {join(voluntary)} (a voluntary notice) belongs on non-covered charges only, but "
            f"{verdict.policy.number} covers {ctx.line.code} for "
            f"{join(sorted(tables.diagnoses.label(i) for i in verdict.shown))}, which the claim shows.",
        )
    excluded = [m for m in known if m in report.rules["modifier-gy-under-lcd"].modifiers]
    if excluded and verdict and verdict.judged and verdict.policy:
        signals = report.rules["coverage-not-covered"].modifiers
        report(
            "modifier-gy-under-lcd",
            f"Modifier {join(excluded)} says the service is excluded by statute, but {ctx.line.code} is judged here by "
            f"{verdict.policy.label} ({verdict.policy.kind}): a denial under such a policy is not a statutory "
            f"exclusion; {either(signals)} is the signal.",
        )


def _ruled_out(tables: ClaimTables, ctx: LineContext, known: list[str], report: LineReport) -> set[str]:
    """Modifiers billing guidance disallows on the code, that a data gap leaves unconfirmed for it, or on
    which the sources disagree for the payer; the modifiers so reported."""
    code, payer = ctx.line.code, ctx.location.payer
    reported = set()
    for modifier in known:
        if modifier in report.rules["modifier-tc-clfs"].modifiers:
            for guidance in tables.disallowed.get((code, modifier), ()):
                if guidance.payer in (None, payer):
                    report("modifier-tc-clfs", f"Modifier {modifier} on {code}: {guidance.text}")
                    reported.add(modifier)
        gap = tables.unconfirmed.get((code, modifier))
        if gap and modifier in report.rules["modifier-qw-not-waived"].modifiers:
            report("modifier-qw-not-waived", f"Modifier {modifier} on {code} is believed wrong (UNVERIFIED): {gap.text}")
            reported.add(modifier)
        conflict = tables.conflicts.get((code, modifier, payer or ""))
        if conflict:
            label = tables.policies.label(payer)
            report("modifier-guidance-conflict", f"Modifier {modifier} on {code} for {label}: {conflict}")
            reported.add(modifier)
    return reported


def _meanings(tables: ClaimTables, ctx: LineContext, known: list[str], report: LineReport) -> None:
    """What a modifier means, with the unit counting it depends on; a note for any other modifier."""
    named = {m for rule in report.rules.values() if rule.family == "modifiers" for m in rule.modifiers}
    named |= set(tables.never_with) | set(tables.returned_with)
    for modifier in known:
        _, label, note = tables.modifiers[modifier]
        said = f"Modifier {modifier} ({label})" + (f": {note}" if note else ".")
        rule = next((r for r in MEANINGS if modifier in report.rules[r].modifiers), None)
        if rule == "modifier-90-reference-lab":
            report(rule, said)
        elif rule is not None:
            report(rule, f"{said} {_counting(tables, ctx)}")
        elif modifier not in named:
            report("modifier-note", said)


def _counting(tables: ClaimTables, ctx: LineContext) -> str:
    """Whether a further line with this modifier is judged on its own: it depends on the MUE's indicator."""
    mue = next((limit for limit, policy in ctx.binding.limits if policy is None), None) if ctx.known else None
    if mue is None:
        return "The graph holds no medically unlikely edit of the code for this payer."
    if mue.counted_per is None:
        return (
            f"Whether it lets a further unit of {ctx.line.code} through depends on its MUE adjudication indicator, "
            "which is not known (UNVERIFIED): only under MAI 1 is each line judged on its own."
        )
    return f"The MUE of {ctx.line.code} counts units per {mue.counted_per} (MAI {mue.mai})."
