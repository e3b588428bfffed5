"""What the claim checks found, line by line: findings, their tally, and their forms (JSON, CSV, text, table)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # the C encoder where there is one
from typing import Any, NamedTuple, TextIO

from ..core.errors import InputError, one_line
from ..core.findings import Report, Severity
from ..core.text import json_text

#: Severities, worst first; ``ok`` is the severity of the row that says a line has no findings.
SEVERITIES = tuple(severity.value for severity in Severity)
#: The fields of a finding, in the order of the CSV, JSON and table forms.
FINDING_FIELDS = ("claim_id", "line", "severity", "rule", "message", "source")


class Finding(NamedTuple):
    """One finding about one line (a tuple: cheap to make by the million): the rule, its severity, a
    message and the one source that supports it (a policy, a CMS document, the rule table's source)."""

    claim_id: str
    line: int
    severity: str
    rule: str
    message: str
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The finding as the JSON object of the ``findings`` array."""
        return {
            "claim_id": self.claim_id,
            "line": self.line,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "source": self.source,
        }

    def json(self) -> str:
        """The JSON object of :meth:`to_dict`, written as :func:`cptkg.core.text.dumps` writes it (built
        directly: this runs for every finding of a file).

        >>> from cptkg.core.text import dumps
        >>> f = Finding("C1\\x9b", 2, "error", "code-unknown", 'No "such" code.', "the rule table")
        >>> f.json() == dumps(f.to_dict())
        True
        """
        quote = encode_basestring
        return json_text(
            f'{{"claim_id": {quote(self.claim_id)}, "line": {self.line}, "severity": {quote(self.severity)}, '
            f'"rule": {quote(self.rule)}, "message": {quote(self.message)}, "source": {quote(self.source)}}}'
        )

    def text(self) -> str:
        """One readable line.

        >>> print(Finding("C1", 2, "error", "code-unknown", "No such code.", "the rule table").text())
        line 2, claim C1: error [code-unknown] No such code. (source: the rule table)
        """
        claim = f", claim {one_line(self.claim_id)}" if self.claim_id else ""
        source = f" (source: {self.source})" if self.source else ""
        return f"line {self.line}{claim}: {self.severity} [{self.rule}] {self.message}{source}"


class Tally:
    """Counts kept while findings stream past: lines, findings by severity, lines with an error."""

    def __init__(self) -> None:
        self.lines = 0
        self.severities: Counter[str] = Counter()
        self.error_lines = 0
        #: Lines of a payer-wide export for codes the graph does not hold: counted, not checked.
        self.skipped_other_codes = 0
        #: The kind of file (``cptkg``, ``columns``, ``cms-rif-carrier``, ...) and what it cannot give.
        self.layout = "cptkg"
        self.notices: list[str] = []

    def extra(self) -> dict[str, Any]:
        """The keys the JSON form adds for an export (layout, notices, lines for other codes skipped)."""
        if self.layout == "cptkg" and not self.skipped_other_codes:
            return {}
        return {"layout": self.layout, "skipped_other_codes": self.skipped_other_codes, "notices": self.notices}

    @property
    def exit_status(self) -> int:
        """0 when no line has an error-level finding, 1 when some do."""
        return 1 if self.error_lines else 0

    def summary(self) -> str:
        """One line: how many lines were checked, the findings by severity, the lines with an error."""
        counts = ", ".join(f"{self.severities[s]} {s}" for s in SEVERITIES if self.severities[s])
        text = f"{self.lines} line{'s' if self.lines != 1 else ''} checked: {counts or 'no findings'}; {self.error_lines} with errors"
        if self.skipped_other_codes:
            text += f"; {self.skipped_other_codes:,} line{'s' if self.skipped_other_codes != 1 else ''} for other codes skipped"
        return text


def write_findings(
    findings: Iterable[Finding], out: TextIO, fmt: str, *, lines: int | None = None, tally: Tally | None = None
) -> None:
    """Stream findings as ``json`` (``{"lines": n, "findings": [...]}``), ``csv`` or ``text``.

    ``lines`` is the number of lines the findings are about; when it is not known beforehand (a
    claim file read from a pipe), JSON gives it after the findings, from ``tally``. ``tally``, when
    given, is the one filled while the findings are produced, for the text summary. Data is written
    as data: CSV cells that a spreadsheet would run are defused, JSON and text escape control
    characters (:mod:`cptkg.core.text`).
    """
    from ..core.text import CsvWriter, dumps, visible

    if fmt == "json":
        counted_after = lines is None and tally is not None  # an export, or a pipe: no second pass
        out.write('{"findings": [' if counted_after else f'{{"lines": {lines or 0}, "findings": [')
        separator = "\n  "
        for finding in findings:
            out.write(separator)
            out.write(finding.json())
            separator = ",\n  "
        out.write("\n]" if separator != "\n  " else "]")
        extra = tally.extra() if tally is not None else {}
        if counted_after and tally is not None:
            extra = {"lines": tally.lines + tally.skipped_other_codes, **extra}
        out.write("".join(f", {dumps(k)}: {dumps(v)}" for k, v in extra.items()) + "}\n")
    elif fmt == "csv":
        writer = CsvWriter(out)
        writer.writerow(FINDING_FIELDS)
        for finding in findings:
            writer.writerow(finding)
    elif fmt == "text":
        for finding in findings:
            out.write(visible(finding.text()))
            out.write("\n")
        if tally is not None:
            out.write(visible("".join(f"note: {notice}\n" for notice in tally.notices)))
            out.write(tally.summary() + "\n")
    else:
        raise InputError(f"unknown findings format {fmt!r}; expected json, csv or text")


class ClaimFindings(Report):
    """The findings of a claim file, line by line, with its JSON, CSV, text, table and DataFrame forms."""

    columns = FINDING_FIELDS

    def __init__(self, findings: Sequence[Finding], tally: Tally) -> None:
        self.findings = list(findings)
        self.tally = tally

    def entries(self) -> list[Finding]:
        return self.findings

    def __getitem__(self, position):
        return self.findings[position]

    def cells(self, entry: Finding) -> list[str]:
        return [entry.claim_id, str(entry.line), entry.severity, entry.rule, entry.message, entry.source]

    def record(self, entry: Finding) -> dict[str, Any]:
        return entry.to_dict()

    def summary(self) -> str:
        return self.tally.summary()

    @property
    def lines(self) -> int:
        """How many lines were checked (readable or not)."""
        return self.tally.lines

    @property
    def exit_status(self) -> int:
        """0 when no line has an error-level finding, 1 when some do (the command's exit status)."""
        return self.tally.exit_status

    def _written(self, fmt: str) -> str:
        buffer = io.StringIO()
        write_findings(self.findings, buffer, fmt, lines=self.lines, tally=self.tally)
        return buffer.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {"lines": self.lines, "findings": [finding.to_dict() for finding in self.findings], **self.tally.extra()}

    def to_json(self, **dumps: Any) -> str:
        """``{"lines": n, "findings": [{"claim_id", "line", "severity", "rule", "message", "source"}]}``."""
        return self._written("json")

    def to_csv(self) -> str:
        """One row per finding."""
        return self._written("csv")

    def to_text(self) -> str:
        """One readable line per finding, and a summary line."""
        return self._written("text")
