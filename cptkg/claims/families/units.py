"""The units family: a payer's billing instruction on the line, and the Medicare medically unlikely
edit per line and per date of service as its adjudication indicator counts (``unit-limits``,
``adjudication-indicators``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules import either, family

if TYPE_CHECKING:
    from ..context import LineContext, LineReport
    from ..policies import Limit
    from ..tables import ClaimTables

UNIT_RULES = ("units-above-limit", "units-above-mue-line", "units-mue-date-of-service")


def _units(count: int) -> str:
    return f"{count} unit{'s' if count != 1 else ''}"


@family("units", *UNIT_RULES, reads=("code", "payer", "contractor", "date", "units"))
def check_units(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Units above a billing article's limit or the Medicare unlikely-edit, per line and per date of service."""
    if not ctx.known or ctx.location.payer is None:
        if report.explain:
            report.skip(UNIT_RULES, "no code or payer the graph holds")
        return
    line = ctx.line
    for limit, policy in ctx.binding.limits:
        if policy is None:
            _edit(ctx, limit, report)
        elif policy.in_force(line.date_of_service) is not True:
            report.note("units-above-limit", f"{policy.number} is not in force on {line.date_of_service}")
        elif line.units > limit.units:
            report(
                "units-above-limit",
                f"{_units(line.units)} of {line.code} on the line: {policy.number} ({policy.since()}) allows "
                f"{_units(limit.units)} of service.",
                source=policy.label,
            )
        elif report.explain:
            report.note("units-above-limit", f"{_units(line.units)} within {policy.number}'s {limit.units}")


def _edit(ctx: LineContext, limit: Limit, report: LineReport) -> None:
    """A medically unlikely edit: on the line, and over the lines of the claim and date of service."""
    line = ctx.line
    unverified = f" (UNVERIFIED: {limit.label.rstrip('.')})" if limit.status == "UNVERIFIED" else ""
    value = f"{', believed to be ' if limit.status == 'UNVERIFIED' else ' of '}{_units(limit.units)}"
    if line.units > limit.units:
        report(
            "units-above-mue-line",
            f"{_units(line.units)} of {line.code} on one line, above its medically unlikely edit{value}{unverified}.",
        )
    units, count = ctx.claim.units(line, ctx.location.payer)
    if count < 2 or units <= limit.units:
        if report.explain:
            report.note("units-mue-date-of-service", f"{_units(units)} of {line.code} on {count} line(s) of the date")
        return
    if limit.counted_per == "claim line":
        report.note("units-mue-date-of-service", f"MAI {limit.mai}: each line is judged on its own")
        return
    day = line.date_of_service or "the same date"
    summed = f"{count} lines of {line.code} on this claim and {day} add up to {_units(units)}"
    if limit.counted_per is None:
        lifting = either(report.rules["units-mue-date-of-service"].modifiers)
        message = (
            f"{summed}, above its medically unlikely edit{value}{unverified}. Under MAI 2 or 3 they are added and "
            f"no modifier helps; under MAI 1 each line is judged alone and a further line with {lifting} passes. "
            "The adjudication indicator is not known (UNVERIFIED)."
        )
    else:
        message = f"{summed}, above its medically unlikely edit{value} (MAI {limit.mai}: counted per {limit.counted_per}){unverified}."
    report("units-mue-date-of-service", message)
