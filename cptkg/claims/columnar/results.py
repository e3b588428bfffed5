"""The findings of each distinct claim line (a *result*), kept once and joined to every line that has it.

A result is the list of a line's findings as kept by :mod:`.checking`. For the text forms (JSON,
CSV, text) a result is one row: its written tails, in order, and how many findings of each severity
it holds; a batch's lines are joined to their results and each line's findings are written as one
string, its claim id and line number put before each tail. For the table forms (Parquet, Arrow) a
result is one row per finding, exploded for every line. A line of a claim checked in parts has a
result of its own: the in-parts finding (its claim id filled in per line) and the line's findings but
the one that says there are none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import SEVERITIES, Tally
from .writing import SENTINEL_CLAIM, Form

if TYPE_CHECKING:
    import polars as pl

    from .checking import Kept

_COUNTS = [f"n_{severity}" for severity in SEVERITIES]
_PLACE = "\x00"  # where a finding's claim id and line number go in a template (no written finding holds it)


class TextResults:
    """Results written in a text form: one row per result, its findings written as one *template*, each
    finding's separator, a placeholder for its claim id and line number, and its tail."""

    def __init__(self, form: Form) -> None:
        import polars as pl

        self.form = form
        self.schema = {"result": pl.Int64, "template": pl.String, "inparts": pl.Boolean, "nothing": pl.Boolean,
                       **dict.fromkeys(_COUNTS, pl.UInt32)}  # fmt: skip
        self.table = pl.DataFrame(schema=self.schema)
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, findings: list[Kept], inparts: bool = False) -> int:
        """A new result; its number (results are numbered one after the other)."""
        result, self.count = self.count, self.count + 1
        severities = [f[0] for f in findings]
        nothing = len(findings) == 1 and findings[0][2]  # only the row that says there are none
        template = "".join(self.form.separator + _PLACE + f[3] for f in findings)
        if template.count(_PLACE) != len(findings):
            raise AssertionError("a written finding holds the placeholder of the claim id and line number")
        self.rows.append((result, template, inparts, nothing, *map(severities.count, SEVERITIES)))
        return result

    def splits(self, results: list[int], in_parts: Kept) -> dict[int, int]:
        """The results of lines of claims checked in parts, by the results of those lines on their own:
        the in-parts finding, then the line's findings but the one that says there are none."""
        self.flush()
        own = self.table.filter(self.table["result"].is_in(results))
        head = self.form.separator + _PLACE + in_parts[3]
        found = {}
        for result, template, _, nothing, *counts in own.rows():
            counts = [0 if nothing else n for n in counts]
            counts[SEVERITIES.index(in_parts[0])] += 1
            found[result], self.count = self.count, self.count + 1
            self.rows.append((found[result], head + ("" if nothing else template), True, False, *counts))
        return found

    def flush(self) -> None:
        """The results added since the last flush, into the table."""
        import polars as pl

        if self.rows:
            new = pl.DataFrame(self.rows, schema=self.schema, orient="row")
            self.table = pl.concat([self.table, new], rechunk=self.table.n_chunks() > 16)
            self.rows = []

    def joined(self, rows: pl.DataFrame, tally: Tally) -> pl.LazyFrame:
        """``ord`` and ``out`` (a line's findings as written) of keyed lines (``ord, claim_id, line,
        result``), as a lazy frame: they are written out where it is collected (the writing thread); the
        findings counted in the tally now."""
        import polars as pl

        self.flush()
        if not rows.height:
            return pl.LazyFrame(schema={"ord": pl.Int64, "out": pl.String})
        joined = rows.join(self.table, on="result", how="left", maintain_order="left")
        sums = joined.select(*(pl.col(c).sum() for c in _COUNTS), (pl.col("n_error") > 0).sum().alias("lines"))
        for severity, count in zip(SEVERITIES, sums.row(0)):
            tally.severities[severity] += count or 0
        tally.error_lines += sums["lines"][0] or 0
        out = pl.col("template").str.replace_all(_PLACE, self.form.prefix(pl), literal=True)
        found = joined.lazy().select(pl.col("ord").cast(pl.Int64), out.alias("out"), "inparts", "claim_id")
        if not joined["inparts"].any():
            return found.select("ord", "out")
        claim = self.form.escaped(pl, pl.col("claim_id"))  # into the in-parts message (few lines: on their own)
        parts = found.filter(pl.col("inparts")).with_columns(
            pl.col("out").str.replace(SENTINEL_CLAIM, claim, literal=True)
        )
        # made here, at once (few batches have such lines): its pieces would each sort the whole batch
        return pl.concat([found.filter(~pl.col("inparts")), parts]).sort("ord").select("ord", "out").collect().lazy()


class TableResults:
    """Results written as a table (Parquet, Arrow): one row per finding (see the module docstring)."""

    def __init__(self) -> None:
        import polars as pl

        self.schema = {"result": pl.Int64, "severity": pl.String, "rule": pl.String, "nofinding": pl.Boolean,
                       "inparts": pl.Boolean, "message": pl.String, "source": pl.String}  # fmt: skip
        self.table = pl.DataFrame(schema=self.schema)
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, findings: list[Kept], inparts: bool = False) -> int:
        """A new result; its number (results are numbered one after the other)."""
        result, self.count = self.count, self.count + 1
        self.rows += [(result, f[0], f[1], f[2], inparts and n == 0, f[3], f[4]) for n, f in enumerate(findings)]
        return result

    def splits(self, results: list[int], in_parts: Kept) -> dict[int, int]:
        """The results of lines of claims checked in parts, by the results of those lines on their own."""
        import polars as pl

        self.flush()
        own = self.table.filter(pl.col("result").is_in(results) & ~pl.col("nofinding"))
        found: dict[int, list[Kept]] = {result: [] for result in results}
        for result, severity, rule, nofinding, _, message, source in own.rows():
            found[result].append((severity, rule, nofinding, message, source))
        return {result: self.add([in_parts, *findings], inparts=True) for result, findings in found.items()}

    def flush(self) -> None:
        """The results added since the last flush, into the table."""
        import polars as pl

        if self.rows:
            self.table = pl.concat(
                [self.table, pl.DataFrame(self.rows, schema=self.schema, orient="row")], rechunk=False
            )
            self.rows = []

    def joined(self, rows: pl.DataFrame, tally: Tally) -> pl.DataFrame:
        """One row per finding of keyed lines: ``ord`` and the columns of a finding; counted in the tally."""
        import polars as pl

        self.flush()
        joined = rows.join(self.table, on="result", how="inner", maintain_order="left_right")
        for severity, count in joined.group_by("severity").len().iter_rows():
            tally.severities[severity] += count
        tally.error_lines += joined.filter(pl.col("severity") == "error")["ord"].n_unique()
        found = joined.select(pl.col("ord").cast(pl.Int64), "claim_id", "line", "severity", "rule", "message", "source")
        if not joined["inparts"].any():
            return found
        message = pl.col("message").str.replace(SENTINEL_CLAIM, pl.col("claim_id"), literal=True)  # the in-parts rows'
        return found.with_columns(pl.Series("message", joined.select(message).to_series()))
