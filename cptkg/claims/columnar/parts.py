"""Claims of one line checked part by part: each part of a rule family once per distinct value of what it reads.

A family, or a piece of one (:class:`~cptkg.claims.rules.Part`), says which values of a line it
reads; on a line that is its own claim, what it reports depends on those alone. So a line's findings
are those of its parts, in order, and each part is checked once for each distinct *sub-key* (the
values it reads, its date as the class of dates a key carries) on one line that has it: a file of a
million distinct lines has a few thousand distinct sub-keys per part. A line's *combination* (what
each part found) is made a result once, and joined to every line that has it.

A part whose messages write the claim id or a line number makes the line *positional*, one whose
messages write a date that stood for its class makes it *dated*: :mod:`.evaluate` checks such lines
as it always did (on their own, or by their exact date).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..context import resolve
from ..engine import NO_FINDINGS
from ..findings import Finding
from ..rules import parts_of
from .checking import DATED, POSITIONAL, Kept, kept, positional
from .normalise import KEY_FIELDS, SEP, line_of
from .writing import SENTINEL_CLAIM, SENTINEL_LINE, Form

if TYPE_CHECKING:
    import polars as pl

    from ..engine import ClaimRules
    from ..lines import ClaimLine
    from ..rules import Part

_SUB = "\x1c"  # separates the values of a sub-key (the values of a key are separated by SEP)


class Composer:
    """The results of new keys of claims of one line, composed from their parts' findings.

    ``results`` is the evaluator's store of results (:mod:`.results`), ``tails`` its written tails."""

    def __init__(self, rules: ClaimRules, form: Form | None, results, tails: dict) -> None:
        import polars as pl

        self.rules, self.form, self.results, self.tails = rules, form, results, tails
        self.parts: list[Part] = [part for function in rules.families for part in parts_of(function)]
        # each part's sub-keys checked and what it found on them (a table polars maps the rows with)
        self.schema = {"sub": pl.String, "found": pl.Int64}
        self.subs: list[pl.DataFrame] = [pl.DataFrame(schema=self.schema) for _ in self.parts]
        self.found: list[tuple[Kept, ...]] = []  # what a part found on a sub-key, by number
        self.numbers: dict[tuple[Kept, ...], int] = {}  # the number of each distinct thing found
        self.combinations: dict[str, int] = {}  # what each part found, in order -> the result
        level, message, source = resolve(rules.rules, "no-findings", NO_FINDINGS, None, None)
        self.nothing = kept(Finding(SENTINEL_CLAIM, SENTINEL_LINE, level, "no-findings", message, source), form, tails)

    def compose(self, new: pl.DataFrame) -> pl.Series:
        """The result of each row of ``new`` (``key``, ``day``: the date checked, ``dpart``: the date as
        the key writes it, a class ``c<n>``, ``n`` for none, or the date itself): a result, or
        :data:`DATED` or :data:`POSITIONAL`."""
        import polars as pl

        fields = pl.col("key").str.split_exact(SEP, len(KEY_FIELDS) - 1).struct.rename_fields(list(KEY_FIELDS))
        names = [f"s{number}" for number in range(len(self.parts))]
        subs = (
            new.lazy()
            .select("dpart", fields.alias("v"))
            .unnest("v")
            .select(
                pl.concat_str([_value(value, part) for value in part.reads], separator=_SUB).alias(name)
                for name, part in zip(names, self.parts)
            )
            .collect()
        )
        # each part's sub-keys not checked before, with the first row of each, all parts at once
        at = pl.int_range(pl.len(), dtype=pl.UInt32)
        unseen = subs.select(
            pl.struct(pl.col(name).alias("sub"), at.alias("at"))
            .filter(pl.col(name).is_first_distinct() & ~pl.col(name).is_in(known["sub"].implode()))
            .implode()
            .alias(name)
            for name, known in zip(names, self.subs)
        ).row(0)
        self._check_unseen(unseen, new)
        found = [
            pl.col(name).replace_strict(known["sub"], known["found"], return_dtype=pl.Int64)
            for name, known in zip(names, self.subs)
        ]
        summary = subs.select(
            pl.min_horizontal(found).alias("worst"), pl.concat_str(found, separator=",").alias("combination")
        )
        made, results = self.combinations, {}
        for combination in summary.filter(pl.col("worst") >= 0)["combination"].unique().to_list():
            result = made.get(combination)
            results[combination] = made[combination] = self._result(combination) if result is None else result
        result = pl.col("combination").replace_strict(results, default=None, return_dtype=pl.Int64)
        return summary.select(pl.when(pl.col("worst") < 0).then(pl.col("worst")).otherwise(result)).to_series()

    def _check_unseen(self, unseen: list[list[dict]], new: pl.DataFrame) -> None:
        """Check each part on its sub-keys not seen before (``unseen``: each part's, each with the first
        row of ``new`` that has it), and add what it found to the part's table (the rows fetched from
        the frame at once, each made a line once)."""
        import polars as pl

        if not any(unseen):
            return
        at = sorted({first["at"] for subs in unseen for first in subs})
        rows = dict(zip(at, new.select("key", "day", "dpart")[at].rows()))
        lines: dict[int, ClaimLine] = {}
        for number, subs in enumerate(unseen):
            if not subs:
                continue
            found = []
            for first in subs:
                key, day, dpart = rows[first["at"]]
                line = lines.get(first["at"])
                if line is None:
                    line = lines[first["at"]] = line_of(key.split(SEP), SENTINEL_LINE, SENTINEL_CLAIM, day)
                found.append(self._check(self.parts[number], line, day, dpart))
            checked = pl.DataFrame({"sub": [first["sub"] for first in subs], "found": found}, schema=self.schema)
            known = self.subs[number]
            self.subs[number] = pl.concat([known, checked], rechunk=known.n_chunks() > 16)

    def _check(self, part: Part, line: ClaimLine, day: date | None, dpart: str) -> int:
        findings = self.rules.check_part(part, line)
        messages = [finding.message for finding in findings]
        if positional(messages):
            return POSITIONAL
        standing = "date" in part.reads and dpart.startswith("c") and int(dpart[1:]) % 2 == 0  # a class of dates
        if standing and any(str(day) in message for message in messages):
            return DATED
        found = tuple(kept(finding, self.form, self.tails) for finding in findings)
        number = self.numbers.get(found)
        if number is None:
            number = self.numbers[found] = len(self.found)
            self.found.append(found)
        return number

    def _result(self, combination: str) -> int:
        findings = [finding for number in combination.split(",") for finding in self.found[int(number)]]
        return self.results.add(findings or [self.nothing])


def _value(name: str, part: Part) -> pl.Expr:
    """A value of the line as a part reads it: the date as the key writes it, the modifiers it names."""
    import polars as pl

    if name == "date":
        return pl.col("dpart")
    if name == "modifiers" and part.modifiers:
        named = pl.element().filter(pl.element().is_in(list(part.modifiers)))
        return pl.col("modifiers").str.split(";").list.eval(named).list.join(";")
    return pl.col(name)
