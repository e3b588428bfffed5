"""The families of the line's own columns: how units were read, the code, the payer, the place of
service, and the reported variant."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..rules import family, join

if TYPE_CHECKING:
    from ..context import LineContext, LineReport
    from ..tables import ClaimTables

_PLACE_OF_SERVICE = re.compile(r"^[0-9]{2}$")


@family("input", "units-decimal-read", reads=("units", "units_written"))
def check_input(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Units written with a zero decimal part, read as the whole number (the input family)."""
    line = ctx.line
    if line.units_written:
        plural = "s" if line.units > 1 else ""
        report("units-decimal-read", f"Units written as {line.units_written} are read as {line.units} unit{plural}.")
    elif report.explain:
        report.note("units-decimal-read", f"units written as the whole number {line.units}")


@family("code", "code-unknown", "code-not-described", reads=("code",))
def check_code(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Whether the graph holds the billed code, and describes it well enough for the code's own checks."""
    code = ctx.line.code
    if not ctx.known:
        report(
            "code-unknown",
            f"{code} is not a billing code the graph holds (it describes {join(sorted(tables.described))}); "
            "the code's checks did not run.",
        )
    elif not ctx.described:
        report(
            "code-not-described",
            f"The graph holds {code} but no indications or regions for it: only the modifier, place-of-service, "
            "payer and date checks ran. No edit between it and another code of the claim is in the graph.",
        )
    elif report.explain:
        report.note("code-unknown", f"{code} is a billing code of the graph ({tables.codes[code]})")
        report.note("code-not-described", f"the graph describes {code} (indications or covered regions)")


@family("payer", "payer-unknown", reads=("payer", "contractor"))
def check_payer(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Whether the payer column names a payer, contractor or jurisdiction of the graph."""
    payer = ctx.line.payer
    if ctx.location.payer is None:
        what = f"{payer!r} matches no payer, contractor or jurisdiction name the graph holds" if payer else "No payer is given"
        report("payer-unknown", f"{what}; the payer's coverage, unit and contractor checks did not run.")
    elif report.explain:
        report.note("payer-unknown", f"{payer!r} is {tables.policies.label(ctx.location.payer)} (payer-forms)")


@family("place of service", "place-of-service-invalid", "place-of-service-unknown", reads=("place",))
def check_place_of_service(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Whether the place of service is given, a two-digit code, and one the graph holds."""
    place = ctx.line.place_of_service
    if not place:
        report("place-of-service-unknown", "No place of service is given.")
    elif not _PLACE_OF_SERVICE.match(place):
        report("place-of-service-invalid", f"Place of service {place!r} is not a two-digit code.")
    elif place not in tables.places:
        report(
            "place-of-service-unknown",
            f"Place of service {place} is not one of the codes the graph holds ({', '.join(sorted(tables.places))}).",
        )
    elif report.explain:
        report.note("place-of-service-unknown", f"place of service {place} is {tables.places[place]}")


@family(
    "scope",
    "variant-out-of-scope",
    "variant-in-scope-not-hotspot",
    "variant-other-gene",
    "variant-unclassified",
    "variant-check-unavailable",
    reads=("code", "variant"),
)
def check_variant(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Whether the reported variant is in the code's gene and scope (through the variant classifier)."""
    line = ctx.line
    if not line.variant or not ctx.known:
        if report.explain:
            report.skip(("variant-out-of-scope", "variant-other-gene"), "no variant, or an unknown code")
        return
    found = tables.variant_finding(line.code, line.variant)
    if found is not None:
        rule, message = found
        scoped = rule in ("variant-out-of-scope", "variant-other-gene", "variant-in-scope-not-hotspot")
        report(rule, message, source=tables.scope_sources.get(line.code) if scoped else None)
    elif report.explain:
        report.note("variant-out-of-scope", f"{line.variant!r} is a hotspot in the scope of {line.code} (cptkg.variants)")
