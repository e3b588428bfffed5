"""Each distinct claim checked once by the rule families, and its findings joined to every claim like it.

The rules are the row engine's (:mod:`.checking`). What makes two claims alike:

* a claim of one line: the line's key (every value the rules read) and the *class* of its date of
  service, its place among the dates the rule tables hold (a policy's effective date, a code's or
  a code system's first date): the rules compare a date of service only with those, so every date
  of one class gives the same findings, unless a message writes the date itself; a claim whose
  messages write its date is keyed by the date (*dated*). A new key of one line is not checked
  whole: its findings are composed from the parts of the rule families (:mod:`.parts`);
* a claim of several lines: the keys of its lines in order, with their dates;
* a claim whose messages write its claim id or a line number (*positional*), and any claim with a
  line that cannot be written as a key, is checked on its own, one claim at a time.

Each distinct claim gets a *result* per line: the rows of a table (severity, rule, the written
tail), joined to every line that has that result. The keys remembered are bounded
(:data:`KEY_LIMIT`; beyond it the memory starts again), so memory stays flat however long the file.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from ..engine import _in_parts
from ..findings import Finding, Tally
from .checking import DATED, POSITIONAL, Kept, Task, check, in_parts, thresholds
from .normalise import INSTANCE, KEYED, SEP, UNREADABLE, Lines, line_of
from .parts import Composer
from .results import TableResults, TextResults
from .writing import Form

if TYPE_CHECKING:
    import polars as pl

    from ..engine import ClaimRules
    from .grouping import Groups

#: Separates the line keys of a claim of several lines.
GSEP = "\x1e"
#: The most keys remembered at once.
KEY_LIMIT = 200_000
_COLUMNS = ("ord", "claim_id", "line", "split", "result")


class Evaluator:
    """Findings of batches of grouped lines, each distinct claim checked once (see the module docstring).

    ``form`` is the text form the findings are written in, or None for tables (Parquet, Arrow)."""

    def __init__(self, rules: ClaimRules, form: Form | None) -> None:
        self.rules = rules
        self.form = form
        self.key_limit = KEY_LIMIT
        self.borders = thresholds(rules.tables)
        self.in_parts = in_parts(rules, form)
        self._reset()

    def _reset(self) -> None:
        import polars as pl

        # each key checked, and the result of its first line (or DATED, or POSITIONAL)
        self.keys = pl.DataFrame(schema={"key": pl.String, "result": pl.Int64})
        self.split_of: dict[int, int] = {}  # result -> the result of a line of a claim checked in parts
        self.results = TextResults(self.form) if self.form else TableResults()
        self.standing: dict[str, date] = {}  # a date class -> the date that stands for it
        self.tails: dict = {}  # the written tail of each distinct finding
        self.composer = Composer(self.rules, self.form, self.results, self.tails)

    # ------------------------------------------------------------------ one batch

    def batch(self, lines: Lines, groups: Groups, tally: Tally) -> tuple[pl.DataFrame | pl.LazyFrame, list[tuple]]:
        """The findings of the complete rows of a batch, counted in ``tally``: those of keyed claims in
        line order (for text forms a lazy frame of ``ord`` and ``out``, written out where it is collected;
        for tables the columns ``ord``, ``claim_id``, ``line``, ``severity``, ``rule``, ``message``,
        ``source``), and those of claims checked one by one, as rows of the same
        columns (their text may hold what polars cannot: bytes that were not UTF-8)."""
        import polars as pl

        if self.keys.height > self.key_limit:
            self._reset()
        frame = _positions(lines.frame.head(groups.complete), groups)
        keyed = frame.filter((pl.col("kind") == KEYED) & ~pl.col("alone"))
        singles, lone = self._singles(keyed.filter(pl.col("nread") == 1))
        several, lone_claims = self._several(keyed.filter(pl.col("nread") > 1))
        found = self._joined(pl.concat([singles, several]).sort("ord"), tally)
        alone = frame.filter(
            pl.col("alone") | pl.col("group").is_in(pl.Series(lone + lone_claims, dtype=pl.Int64).implode())
        )
        loose = frame.filter((pl.col("kind") == UNREADABLE) & ~pl.col("group").is_in(alone["group"].unique().implode()))
        python = sorted(self._one_by_one(alone, lines.items) + self._unreadable(loose, lines.items), key=_order)
        _count(python, tally, groups.complete)
        return found, python

    # ------------------------------------------------------------------ claims of one line

    def _singles(self, singles: pl.DataFrame) -> tuple[pl.DataFrame, list[int]]:
        """``ord, claim_id, line, split, result`` of the claims of one line; the claims checked on their own."""
        import polars as pl

        classes = {day: self._class(day) for day in singles["date"].drop_nulls().unique().to_list()}
        standing = {day: self.standing.setdefault(cls, day) for day, cls in classes.items()}
        date = pl.col("date")
        if classes:  # the class of each date, and the one date that stands for all dates of its class
            day_class = date.replace_strict(classes, return_dtype=pl.String)
            stand = pl.when(date.is_not_null()).then(date.replace_strict(standing, return_dtype=pl.Date))
        else:
            day_class, stand = pl.lit(None, pl.String), pl.lit(None, pl.Date)
        singles = singles.with_columns(
            pl.concat_str([pl.col("key"), day_class.fill_null("n")], separator=SEP).alias("fkey"),
            day_class.fill_null("n").alias("dpart"),
            stand.alias("stand"),
        )
        singles = self._resolve(singles, "fkey", self.composer.compose, day="stand", carried=("key", "dpart"))
        dated = singles.filter(pl.col("result") == DATED)
        if dated.height:
            exact = dated.drop("result").with_columns(
                pl.concat_str([pl.col("fkey"), pl.col("date").cast(pl.String)], separator=SEP),
                pl.col("date").cast(pl.String).alias("dpart"),
            )
            exact = self._resolve(exact, "fkey", self.composer.compose, carried=("key", "dpart"))
            singles = pl.concat([singles.filter(pl.col("result") != DATED), exact], how="diagonal_relaxed")
        lone = singles.filter(pl.col("result") == POSITIONAL)["group"].to_list()
        return singles.filter(pl.col("result") >= 0).select(_COLUMNS), lone

    def _class(self, day: date) -> str:
        position = bisect_left(self.borders, day)
        exact = position < len(self.borders) and self.borders[position] == day
        return f"c{2 * position + exact}"

    # ------------------------------------------------------------------ claims of several lines

    def _several(self, several: pl.DataFrame) -> tuple[pl.DataFrame, list[int]]:
        """``ord, claim_id, line, split, result`` of the lines of claims of several lines."""
        import polars as pl

        if not several.height:
            return several.with_columns(result=pl.lit(0, pl.Int64)).select(_COLUMNS), []
        day = pl.concat_str([pl.lit("d"), pl.col("date").cast(pl.String)]).fill_null("n")
        claims = several.group_by("group", maintain_order=True).agg(
            pl.concat_str([pl.col("key"), day], separator=SEP).str.join(GSEP).alias("gkey")
        )
        claims = self._resolve(claims.with_columns(date=pl.lit(None, pl.Date)), "gkey", self._check_claims)
        lone = claims.filter(pl.col("result") == POSITIONAL)["group"].to_list()
        several = several.join(claims.select("group", "result"), on="group", how="left")
        several = several.filter(pl.col("result") >= 0).with_columns(pl.col("result") + pl.col("rpos"))
        return several.select(_COLUMNS), lone

    def _check_claims(self, new: pl.DataFrame) -> list[int]:
        """The results of new keys of claims of several lines, each claim checked whole."""
        return [self._register(check(self.rules, self.form, _claim_task(k), self.tails)) for k in new["fkey"].to_list()]

    # ------------------------------------------------------------------ keys to results

    def _resolve(
        self,
        frame: pl.DataFrame,
        key: str,
        results: Callable[[pl.DataFrame], Any],
        day: str = "date",
        carried: tuple[str, ...] = (),
    ) -> pl.DataFrame:
        """The frame with the ``result`` of each row's key. The keys not seen before are given to
        ``results`` first, one row each: ``fkey``, ``day`` (the date of one of their rows, from column
        ``day``) and the ``carried`` columns; it gives their results in order."""
        import polars as pl

        joined = frame.join(self.keys.rename({"key": key}), on=key, how="left")
        unknown = joined.filter(pl.col("result").is_null())
        if not unknown.height:
            return joined
        new = unknown.select(pl.col(key).alias("fkey"), pl.col(day).alias("day"), *carried).unique("fkey", keep="any")
        checked = pl.DataFrame({"key": new["fkey"], "result": pl.Series(results(new), dtype=pl.Int64)})
        self.keys = pl.concat([self.keys, checked], rechunk=self.keys.n_chunks() > 16)
        found = unknown.drop("result").join(checked.rename({"key": key}), on=key, how="left")
        return pl.concat([joined.filter(pl.col("result").is_not_null()), found])

    def _register(self, outcome: int | list[list[Kept]]) -> int:
        """The first result of a checked claim's lines (one result per line, in order)."""
        if isinstance(outcome, int):
            return outcome
        results = [self.results.add(findings) for findings in outcome]
        return results[0]

    def _joined(self, rows: pl.DataFrame, tally: Tally) -> pl.DataFrame | pl.LazyFrame:
        """The written findings of keyed lines (``ord, claim_id, line, split, result``), counted."""
        import polars as pl

        if rows["split"].any():
            wanted = [r for r in rows.filter(pl.col("split"))["result"].unique().to_list() if r not in self.split_of]
            self.split_of.update(self.results.splits(wanted, self.in_parts))
            split = pl.col("result").replace_strict(self.split_of, default=pl.col("result"), return_dtype=pl.Int64)
            rows = rows.with_columns(pl.when(pl.col("split")).then(split).otherwise(pl.col("result")).alias("result"))
        return self.results.joined(rows, tally)

    # ------------------------------------------------------------------ one claim at a time

    def _one_by_one(self, frame: pl.DataFrame, items: dict) -> list[tuple]:
        """Rows of the claims checked on their own, by the row engine's code."""
        rows: list[tuple] = []
        for _, group in frame.group_by("group", maintain_order=True):
            records = group.select("ord", "line", "claim_id", "kind", "key", "date", "split").rows()
            lines = [
                line_of(key.split(SEP), line, claim, day) if kind == KEYED else items[line]
                for _, line, claim, kind, key, day, _ in records
                if kind != UNREADABLE
            ]
            checked = iter(self.rules.check_claim(lines) if lines else [])
            readable = iter(lines)
            for order, line, _, kind, _, _, split in records:
                if kind == UNREADABLE:
                    rows += self._rows(order, [items[line]])
                    continue
                findings, claim_line = next(checked), next(readable)
                if split:
                    findings = [_in_parts(self.rules, claim_line), *(f for f in findings if f.rule != "no-findings")]
                rows += self._rows(order, findings)
        return rows

    def _unreadable(self, frame: pl.DataFrame, items: dict) -> list[tuple]:
        rows: list[tuple] = []
        for order, line in frame.select("ord", "line").rows():
            rows += self._rows(order, [items[line]])
        return rows

    def _rows(self, order: int, findings: list[Finding]) -> list[tuple[Any, ...]]:
        if self.form:
            sep = self.form.separator
            return [(order, f.claim_id, f.line, f.severity, f.rule, sep + self.form.whole(f)) for f in findings]
        return [(order, f.claim_id, f.line, f.severity, f.rule, f.message, f.source) for f in findings]


def _positions(frame: pl.DataFrame, groups: Groups) -> pl.DataFrame:
    """The rows with their claim (``group``, ``split``), their place among the claim's readable lines
    (``rpos``), how many it has (``nread``) and whether it is checked on its own (``alone``)."""
    import polars as pl

    readable = pl.col("kind") != UNREADABLE
    frame = frame.with_columns(group=groups.group, split=groups.split).with_row_index("ord")
    if frame.height and groups.group[-1] - groups.group[0] + 1 == frame.height:  # every claim one line
        return frame.with_columns(
            pl.lit(0, pl.Int64).alias("rpos"),
            readable.cast(pl.UInt32).alias("nread"),
            (pl.col("kind") == INSTANCE).alias("alone"),
        )
    return frame.with_columns(
        (readable.cast(pl.Int64).cum_sum().over("group") - 1).alias("rpos"),
        readable.sum().over("group").alias("nread"),
        (pl.col("kind") == INSTANCE).any().over("group").alias("alone"),
    )


def _claim_task(key: str) -> Task:
    values = [part.split(SEP) for part in key.split(GSEP)]
    return values, [date.fromisoformat(v[10][1:]) if v[10] != "n" else None for v in values], False


def _order(row: tuple) -> int:
    return row[0]


def _count(python: list[tuple], tally: Tally, lines: int) -> None:
    """Lines, and the findings of the claims checked one by one, into the tally."""
    tally.lines += lines
    for row in python:
        tally.severities[row[3]] += 1
    tally.error_lines += len({row[0] for row in python if row[3] == "error"})
