"""The jurisdiction, coverage and programme (MolDX) families: who judges the line's coverage, what
the policies in force on its date say, and the test identifier a programme asks for
(``payer-forms``, ``jurisdictions``, ``policy-scope``, ``claim-policies``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.findings import Severity
from ..context import remembered
from ..coverage import cited
from ..rules import either, family, join, table

if TYPE_CHECKING:
    from ..context import LineContext, LineReport
    from ..coverage import Verdict
    from ..tables import ClaimTables

#: What a coverage verdict depends on: the code, who pays and judges, the date, the diagnoses.
_VERDICT = ("code", "payer", "contractor", "date", "diagnoses")
COVERAGE_RULES = ("coverage-not-covered", "coverage-conditional", "coverage-criteria-gap", "coverage-no-policy")


def _programmes(tables: ClaimTables, ctx: LineContext) -> str:
    names = sorted({tables.policies.label(p.program) for p in ctx.binding.programme_policies})
    return join(names) or "programme"


# the verdict is read only where no policy binds the line, and then it depends on the code and place alone
@family("jurisdiction", "contractor-unknown", "coverage-outside-moldx", reads=("code", "payer", "contractor"))
def check_jurisdiction(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Whether the line's contractor is known, and whether the code's programme policies bind it."""
    code, location = ctx.line.code, ctx.location
    unplaced = ctx.known and location.where in ("unknown", "outside") and ctx.binding.programme_policies
    state = ctx.verdict.state if unplaced or report.explain and ctx.known else "placed"
    if state == "contractor unknown":
        what = (
            f"The contractor {location.named!r} is not one the graph holds"
            if location.named
            else "No contractor or jurisdiction is given (a contractor column, or a payer such as Noridian JE)"
        )
        report(
            "contractor-unknown",
            f"{what}: whether the {_programmes(tables, ctx)} policies of {code} bind this line could not be decided, "
            "so its coverage was not judged. The jurisdiction is the one that processes the laboratory's claims.",
        )
    elif state == "outside":
        numbers = join(sorted(p.number for p in ctx.binding.programme_policies))
        report(
            "coverage-outside-moldx",
            f"{tables.policies.label(location.jurisdiction or location.contractor)} is not a {_programmes(tables, ctx)} "
            f"contractor: the {_programmes(tables, ctx)} policies ({numbers}) do not bind this line, and the graph holds "
            f"no local policy of that contractor for {code}; coverage was not judged.",
        )
    elif report.explain:
        where = tables.policies.label(location.jurisdiction or location.contractor or location.payer) or "no payer"
        report.note("contractor-unknown", f"{where}; coverage verdict: {state}")


@family("coverage", *COVERAGE_RULES, reads=(*_VERDICT, "modifiers"), modifiers=table()["coverage-not-covered"].modifiers)
def check_coverage(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """What the policies that judge the line on its date say of its indications, or the payer's policies."""
    if not ctx.known:
        if report.explain:
            report.skip(COVERAGE_RULES, "the code is not one the graph holds")
        return
    verdict = ctx.verdict
    line = ctx.line
    if verdict.state == "other payer":
        remembered(ctx, report, ctx.binding.found, "other payer", lambda out: _other_payer(tables, ctx, out))
    elif verdict.state == "conditional":
        key = (line.code, ctx.location, ctx.era, line.diagnoses)
        remembered(ctx, report, tables.memo("conditional"), key, lambda out: _conditional(tables, ctx, verdict, out))
    elif verdict.state == "not covered":
        key = (line.code, ctx.location, ctx.era, line.diagnoses, line.modifiers)
        remembered(ctx, report, tables.memo("not covered"), key, lambda out: _not_covered(tables, ctx, verdict, out))
    elif report.explain:
        cite = f" ({verdict.policy.label})" if verdict.policy else ""
        report.skip(COVERAGE_RULES, f"coverage verdict {verdict.state}{cite}")


def _other_payer(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    code, payer = ctx.line.code, ctx.location.payer or ""
    label = tables.policies.label(payer)
    entries = tables.payer_policies.get((code, payer), [])
    gaps = [name for name, gap in entries if gap]
    if gaps:
        plural = len(gaps) > 1
        report(
            "coverage-criteria-gap",
            f"{label}'s polic{'ies' if plural else 'y'} {join(gaps)} may apply to {code}; "
            f"{'their' if plural else 'its'} coverage criteria are not in the graph (a data gap): read the policy "
            "before sending the claim.",
            source=gaps[0],
        )
    elif entries:
        report("coverage-no-policy", f"The graph holds no coverage criteria of {label} for {code}.")
    else:
        report("coverage-no-policy", f"The graph relates no policy of {label} to {code}.")


def _labels(tables: ClaimTables, indications) -> str:
    return join(sorted(tables.diagnoses.label(i) for i in indications)) or "no indication"


def _conditional(tables: ClaimTables, ctx: LineContext, verdict: Verdict, report: LineReport) -> None:
    policy, diagnoses = verdict.policy, tables.diagnoses
    assert policy is not None
    missing = sorted(
        diagnoses.label(group)
        for indication in verdict.covered
        for group in diagnoses.required.get(indication, ())
        if group not in ctx.together.groups
    )
    where, verb = ("the line and its claim", "") if len(ctx.claim.lines) > 1 else ("the line", "s")
    lacking = f" but give{verb} no code of {either(missing)}" if missing else ""
    report(
        "coverage-conditional",
        f"{policy.number} ({policy.since()}) covers {ctx.line.code} only for {_labels(tables, verdict.covered)}; "
        f"{where} name{verb} {_labels(tables, verdict.shown)}{lacking}. Coverage needs the claim to show the covered "
        "indication.",
        source=policy.label,
    )


def _not_covered(tables: ClaimTables, ctx: LineContext, verdict: Verdict, report: LineReport) -> None:
    policy, line = verdict.policy, ctx.line
    assert policy is not None
    signals = report.rules["coverage-not-covered"].modifiers  # the signals of an expected denial (GA, GZ)
    given = [m for m in line.modifiers if m in signals]
    together = ctx.together
    if verdict.shown:
        why = f"it lists {_labels(tables, verdict.excluded & together.reached)} as not covered, which the diagnoses show"
    elif together.shown | ctx.reading.mapped:
        why = f"the diagnoses show {_labels(tables, together.shown | ctx.reading.mapped)}"
    else:
        why = "no diagnosis of the line shows a covered indication"
    route = (
        f"Modifier{'s' if len(given) > 1 else ''} {join(given)} on the line say{'' if len(given) > 1 else 's'} the denial is expected."
        if given
        else f"If an advance beneficiary notice was issued, modifier {either(signals)} is the signal."
    )
    report(
        "coverage-not-covered",
        f"Expected non-coverage: {policy.number} ({policy.since()}) covers {line.code} only for "
        f"{_labels(tables, verdict.covered)}; {why}. {route}",
        source=policy.label,
        severity=Severity.INFO if given else None,
    )


@family("moldx", "dex-z-code-missing", "dex-z-code-not-checked", reads=("code", "payer", "contractor", "date", "dex"))
def check_test_identifier(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Whether a programme line carries the test identifier (DEX Z-Code) its billing article asks for."""
    line, location = ctx.line, ctx.location
    if not ctx.known or location.where != "programme":
        if report.explain:
            report.skip(("dex-z-code-missing", "dex-z-code-not-checked"), "not a line of a coverage programme")
        return
    asking = [p for p in ctx.binding.identifier if p.in_force(line.date_of_service) is True]
    if not asking:
        if report.explain:
            report.skip(("dex-z-code-missing", "dex-z-code-not-checked"), f"no policy in force asks {line.code} for one")
        return
    policy = cited(tuple(asking), location.jurisdiction)
    programme = tables.policies.label(policy.program)
    if line.dex_z_code is None:
        report(
            "dex-z-code-not-checked",
            f"The file has no dex_z_code column: whether the line carries the test's DEX Z-Code identifier, which "
            f"{policy.number} asks for on {programme} claims for {line.code}, could not be checked.",
            source=policy.label,
        )
    elif not line.dex_z_code:
        report(
            "dex-z-code-missing",
            f"No DEX Z-Code identifier on a {programme} line for {line.code}: {policy.number} ({policy.since()}) asks "
            "for the test's identifier on the claim line.",
            source=policy.label,
        )
    elif report.explain:
        report.note("dex-z-code-missing", f"DEX Z-Code {line.dex_z_code!r} given ({policy.number} asks for one)")
