"""Lines into claims, as the row engine groups them (:func:`cptkg.claims.engine.check_records`).

A claim is a run of adjacent lines with one claim id, of at most
:data:`~cptkg.claims.engine.MAX_CLAIM_LINES` lines; a line that cannot be read and has no claim id
joins the run it is in. A run whose claim id is among the last
:data:`~cptkg.claims.engine.RECENT_CLAIMS` claim ids begun (oldest forgotten first) is checked *in
parts*, as is every part of a claim cut at the line limit but the first. Batches are grouped one
after the other: the last claim of a batch is held back (it may go on in the next one) and the
state, the claim id last begun and the ids remembered, carries over.

The usual batch (no run over the line limit, no claim id seen in an earlier batch) is grouped by
vectorised expressions; any other batch by a loop over its lines that is the row engine's own.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import engine

if TYPE_CHECKING:
    import polars as pl


@dataclass
class Groups:
    """The claims of the first ``complete`` rows of a batch: a claim number and whether it is a part."""

    group: pl.Series  # Int64, one per complete row
    split: pl.Series  # Boolean
    complete: int


class Grouper:
    """Groups batches of lines into claims, carrying the state from one batch to the next."""

    def __init__(self) -> None:
        import polars as pl

        self.max_lines = engine.MAX_CLAIM_LINES  # the row engine's limits, read when grouping begins
        self.limit = engine.RECENT_CLAIMS
        self.current: str | None = None  # the claim id of the last claim begun
        self.split_next = False  # the next claim goes on with a claim cut at the line limit
        self.recent = pl.Series("recent", [], dtype=pl.String)  # the claim ids remembered, oldest first
        self.next_group = 0

    def assign(self, claim_ids: pl.Series, loose: pl.Series, final: bool) -> Groups:
        """The claims of a batch: ``claim_ids`` of its rows, ``loose`` where a row cannot be read and has
        no claim id; ``final`` when no batch follows (else the last claim is held back)."""
        import polars as pl

        if not len(claim_ids):
            return Groups(pl.Series([], dtype=pl.Int64), pl.Series([], dtype=pl.Boolean), 0)
        frame = pl.DataFrame({"id": claim_ids, "loose": loose})
        runs = frame.select(
            pl.when(~pl.col("loose")).then(pl.col("id")).forward_fill().fill_null(self.current or "").alias("eff")
        ).to_series()
        starts = runs.ne_missing(runs.shift(1))  # the first row too (null before it)
        run_number = starts.cast(pl.Int64).cum_sum() - 1
        first_ids = runs.filter(starts)
        bounds = starts.arg_true()  # where each run begins (the first at 0), then where the last ends
        longest = bounds.append(pl.Series([len(runs)], dtype=bounds.dtype)).diff(null_behavior="drop").max()
        usual = (
            longest <= self.max_lines
            and not (first_ids[0] == self.current and self.current)
            and not first_ids.filter(first_ids != "").is_in(self.recent.implode()).any()
        )
        if usual:
            return self._vectorised(runs, starts, run_number, final)
        return self._loop(claim_ids.to_list(), loose.to_list(), final)

    def _vectorised(self, runs: pl.Series, starts: pl.Series, run_number: pl.Series, final: bool) -> Groups:
        import polars as pl

        total_runs = int(run_number[-1]) + 1
        complete_runs = total_runs if final else total_runs - 1
        complete = len(runs) if final else int(starts.arg_true()[-1])
        ids = runs.filter(starts)[:complete_runs]
        if ids.n_unique() == len(ids):  # the usual batch: no claim id comes back (one pass, not two)
            seen_before = pl.repeat(False, len(ids), dtype=pl.Boolean, eager=True)
        else:
            seen_before = ids.is_duplicated() & ~ids.is_first_distinct()
        split = seen_before & (ids != "")
        if complete_runs and self.split_next:
            split = split.scatter(0, True)
        inserted = ids.filter((ids != "") & ~seen_before)
        if complete_runs:
            self.recent = pl.concat([self.recent, inserted.alias("recent")]).tail(self.limit)
            self.current = ids[-1]
            self.split_next = False
        groups = run_number[:complete] + self.next_group
        self.next_group += complete_runs
        return Groups(groups, split.gather(run_number[:complete]), complete)

    def _loop(self, claim_ids: list[str], loose: list[bool], final: bool) -> Groups:
        """The row engine's grouping, line by line (with what to undo for the claim held back)."""
        import polars as pl

        recent: OrderedDict[str, None] = OrderedDict.fromkeys(self.recent.to_list())
        current, split, size = self.current, self.split_next, 0
        groups: list[int] = []
        splits: list[bool] = []
        group = self.next_group - 1
        held = (0, current, split, None, None)  # where the last claim begins, and the state before it
        for row, (claim_id, is_loose) in enumerate(zip(claim_ids, loose)):
            joins = claim_id == current or (is_loose and not claim_id)
            if size and (not joins or size >= self.max_lines):
                split, size = claim_id == current, 0
            if not size:
                state_before = (row, current, split)
                split = split or claim_id in recent
                added = evicted = None
                if claim_id and claim_id != current and claim_id not in recent:
                    recent[claim_id] = None  # (one already there keeps its place, as in the row engine)
                    added = claim_id
                    if len(recent) > self.limit:
                        evicted = recent.popitem(last=False)[0]
                current = claim_id
                group += 1
                held = (*state_before, added, evicted)
            size += 1
            groups.append(group)
            splits.append(split)
        complete = len(claim_ids)
        if not final and claim_ids:
            complete, current, split, added, evicted = held
            group -= 1
            if added is not None:
                del recent[added]
            if evicted is not None:
                recent[evicted] = None
                recent.move_to_end(evicted, last=False)
        self.current, self.split_next, self.next_group = current, split if not final else False, group + 1
        self.recent = pl.Series("recent", list(recent), dtype=pl.String)
        return Groups(
            pl.Series(groups[:complete], dtype=pl.Int64), pl.Series(splits[:complete], dtype=pl.Boolean), complete
        )
