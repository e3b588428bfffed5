"""The diagnosis and indication families: how the ICD-10-CM codes are written and billed, and which
indications of the code they show, on the line or on its claim (``diagnosis-codes``,
``billable-codes``, ``indication-groups``, ``review-points``, ``indications``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.findings import Severity
from ..context import remembered
from ..rules import family, join

if TYPE_CHECKING:
    from ..context import LineContext, LineReport
    from ..tables import ClaimTables

DIAGNOSIS_RULES = ("diagnosis-invalid", "diagnosis-decimal-free", "diagnosis-non-billable", "diagnosis-not-listed")


@family("diagnosis", *DIAGNOSIS_RULES, reads=("diagnoses",))
def check_diagnoses(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """How each diagnosis is written and billed: its form, its point, a category, a code not listed."""
    for rule, message in ctx.reading.notes:
        report(rule, message)
    if report.explain:
        fired = {rule for rule, _ in ctx.reading.notes}
        for rule in DIAGNOSIS_RULES:
            if rule not in fired:
                report.note(rule, f"diagnoses {', '.join(ctx.line.diagnoses) or 'none'}: read as {', '.join(ctx.reading.codes) or 'none'}")


@family("indication", "diagnosis-no-indication", "mcrc-by-claim", "mcrc-needs-review",
        reads=("code", "payer", "contractor", "date", "diagnoses"))
def check_indications(tables: ClaimTables, ctx: LineContext, report: LineReport) -> None:
    """Which indications of the code the diagnoses show, on the line or its claim, or only after review."""
    if not ctx.described:
        if report.explain:
            report.skip(("diagnosis-no-indication", "mcrc-by-claim", "mcrc-needs-review"), "the code is not described")
        return
    covered = ctx.verdict.covered if ctx.verdict.judged else frozenset()
    remembered(ctx, report, ctx.reading.found, (ctx.line.code, covered), lambda out: _indications(tables, ctx, covered, out))


def _indications(tables: ClaimTables, ctx: LineContext, covered: frozenset[str], report: LineReport) -> None:
    code, diagnoses = ctx.line.code, tables.diagnoses
    indications = tables.code_indications.get(code, set())
    alone, together = ctx.alone, ctx.together
    relevant = indications | covered
    for indication in sorted(together.shown - alone.shown):
        if diagnoses.broader(indication) & relevant:
            _by_claim(tables, ctx, indication, report)
    for indication, reviews in sorted(together.reviewed.items()):
        if diagnoses.broader(indication) & relevant:
            why = " ".join(f"{r.code}: {r.reason}" for r in reviews)
            report(
                "mcrc-needs-review",
                f"{diagnoses.label(indication).capitalize()} would be shown only through "
                f"{join(sorted({r.code for r in reviews}))}, which needs a coder's review (UNVERIFIED). {why}",
            )
    if not indications:
        report("diagnosis-no-indication", f"The graph holds no indications for {code}, so the diagnoses were not checked.",
               severity=Severity.INFO)  # fmt: skip
        return
    reached = set(together.reached)
    for indication in together.reviewed:
        reached |= diagnoses.broader(indication)
    if reached & indications:
        if report.explain:
            report.note("diagnosis-no-indication", f"shows {join(sorted(diagnoses.label(i) for i in reached & indications))}")
        return
    given = f"{', '.join(ctx.line.diagnoses)} shows" if ctx.line.diagnoses else "The line gives no diagnosis, so it shows"
    claim = " (with the rest of its claim)" if len(ctx.claim.lines) > 1 else ""
    report(
        "diagnosis-no-indication",
        f"{given}{claim} none of the indications of {code} "
        f"({join(sorted(diagnoses.label(i) for i in indications))}).",
    )


def _by_claim(tables: ClaimTables, ctx: LineContext, indication: str, report: LineReport) -> None:
    diagnoses = tables.diagnoses
    others = [
        f"line {line.line} ({', '.join(line.diagnoses)})"
        for line in ctx.claim.lines
        if line is not ctx.line and line.diagnoses
    ]
    gap = diagnoses.claim_gaps.get(indication)
    unsourced = f" Whether the codes must be on one line is not sourced (UNVERIFIED: {gap[1]})." if gap else ""
    report(
        "mcrc-by-claim",
        f"{diagnoses.label(indication).capitalize()} is shown only by the claim as a whole: the line gives "
        f"{', '.join(ctx.line.diagnoses) or 'no diagnosis'}, and {join(others)} the rest. The check used the claim.{unsourced}",
    )
