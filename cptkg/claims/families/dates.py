"""The date family: a code, modifier, place of service or code system used before it existed, and
policies not yet in force on the date of service (``first-dates``, ``policy-scope``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules import family, join, part

if TYPE_CHECKING:
    from ..context import LineContext, LineReport
    from ..tables import ClaimTables, FirstDate

DATE_RULES = (
    "code-before-start",
    "diagnosis-before-icd10",
    "policy-not-in-force",
    "modifier-before-start",
    "place-of-service-before-start",
)


def _believed(first: FirstDate) -> str:
    return " (a believed date, UNVERIFIED)" if first.status == "UNVERIFIED" else ""


@part("code", "date")
def _code_start(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    line, day = ctx.line, ctx.line.date_of_service
    first = tables.first_of.get("billing code", {}).get(line.code)
    if first and day and day < first.day:
        report(
            "code-before-start",
            f"The date of service {day} is before {line.code} took effect on {first.day}{_believed(first)}.",
        )
    elif report.explain:
        report.note("code-before-start", f"first date of {line.code}: {first.day if first else 'not in the graph'}")


@part("diagnoses", "date")
def _diagnosis_start(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    day, started = ctx.line.date_of_service, tables.diagnosis_start
    if ctx.reading.codes and started and day and day < started.day:
        report(
            "diagnosis-before-icd10",
            f"ICD-10-CM codes ({', '.join(ctx.reading.codes)}) on a date of service ({day}) before {started.day}, "
            f"the first day they may be reported{_believed(started)}; claims then carried ICD-9-CM codes.",
        )
    elif report.explain:
        report.note("diagnosis-before-icd10", f"ICD-10-CM valid from {started.day if started else '?'}; date {day}")


@part("modifiers", "date")
def _modifier_start(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    day, modifiers = ctx.line.date_of_service, tables.first_of.get("modifier", {})
    for modifier in ctx.line.modifiers:
        first = modifiers.get(modifier)
        if first and day and day < first.day:
            report(
                "modifier-before-start",
                f"Modifier {modifier} on a date of service ({day}) before it existed ({first.day}){_believed(first)}.",
            )


@part("place", "date")
def _place_start(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    day, place = ctx.line.date_of_service, ctx.line.place_of_service
    first = tables.first_of.get("place of service", {}).get(place)
    if first and day and day < first.day:
        report(
            "place-of-service-before-start",
            f"Place of service {place} on a date of service ({day}) before it was created ({first.day}){_believed(first)}.",
        )


# whether no policy is in force is decided before the diagnoses are read (cptkg.claims.coverage.judge)
@part("code", "payer", "contractor", "date")
def _policies_in_force(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """No policy that binds the line, and whose date is known, is in force on its date."""
    if ctx.line.date_of_service is None:
        return
    if not ctx.known or not ctx.binding.deciding or ctx.verdict.state != "not in force":
        if report.explain:
            report.note("policy-not-in-force", f"coverage verdict: {ctx.verdict.state if ctx.known else 'no code'}")
        return
    line, binding = ctx.line, ctx.binding
    later = sorted((p for p in binding.deciding if p.effective), key=lambda p: p.effective or line.date_of_service)
    dated = join([f"{p.number} from {p.effective}" for p in later]) or "none"
    untold = join([p.number for p in ctx.verdict.unknown])
    unknown = f"; the original dates of {untold} are not known (a data gap), so whether they were in force cannot be told" if untold else ""
    articles = sorted({p.number for p in binding.identifier if p.in_force(line.date_of_service) is not True})
    skipped = f" The billing article rules of {join(articles)} were not applied either." if articles else ""
    report(
        "policy-not-in-force",
        f"No policy of {tables.policies.label(ctx.location.jurisdiction or ctx.location.program)} for {line.code} "
        f"with a known effective date is in force on {line.date_of_service} ({dated}){unknown}: coverage was not "
        f"judged.{skipped}",
        source=later[0].label if later else None,
    )


_PARTS = (_code_start, _diagnosis_start, _modifier_start, _place_start, _policies_in_force)


@family("dates", *DATE_RULES, parts=_PARTS)
def check_dates(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Codes, modifiers, places and policies used on a date of service before they took effect."""
    if ctx.line.date_of_service is None:
        if report.explain:
            report.skip(DATE_RULES, "the line has no date_of_service")
        return
    for piece in _PARTS:
        piece.check(tables, ctx, report)
