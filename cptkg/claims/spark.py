"""The claim checks on Apache Spark (``pip install 'cptkg[spark]'``): the columnar engine's plan, with
Spark grouping the lines and joining the findings back.

:func:`check_dataframe` takes a Spark DataFrame of claim lines (the columns of ``cptkg claims`` and a
line number) and returns a DataFrame of findings; ``cptkg claims FILE --engine spark`` reads the file
as the columnar engine does and writes what it returns. The plan, with no distribution layer of its
own (Spark's joins and aggregations do the work):

1. every claim column read as text, the claim id trimmed; each line's *key*, the text of its values
   but the claim id and date (and which of them it lacks);
2. a claim is every line of one claim id, in line order. A claim of one line is keyed by its key and
   the class of its date (:mod:`cptkg.claims.columnar.evaluate`), a claim of several lines by its
   lines' keys and dates in order;
3. the distinct keys (few) are collected to the driver and checked there by the columnar engine,
   once each; their findings are joined back to every line (Spark broadcasts them while they are
   small, and shuffles them once they are not: a forced broadcast failed on 10M generated lines with
   the driver's default memory);
4. what cannot be keyed (a claim id that is not printable ASCII, a claim over the line limit, a claim
   whose messages write its claim id or line numbers) is collected and checked as it is; a claim whose
   messages write its date is checked again per date.

A claim is all the lines of its claim id, wherever they are: a data lake table has no order to keep a
claim's lines together by. On a file whose claims' lines are next to each other (a file sorted by
``claim_id``), the findings are those of the other engines, line for line.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import engine as row_engine
from .columnar.checking import thresholds
from .columnar.normalise import RAW
from .columnar.reading import KNOWN
from .columnar.writing import SENTINEL_LINE
from .findings import FINDING_FIELDS, Tally
from .records import header_names, skips_other_codes

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from .engine import ClaimRules

__all__ = ["check_dataframe", "check_file", "session"]

#: The claim id a distinct claim is checked under on the driver (a message that writes it is positional).
STAND_IN = "cptkg-spark-claim-"
_STEM = str(SENTINEL_LINE)[:-3]
_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_FOUND = ("seq", "severity", "rule", "message", "source")


def session(app: str = "cptkg claims") -> SparkSession:
    """A local Spark session on every core of this machine (no web UI, no progress bars), or the one
    already running."""
    import warnings

    with warnings.catch_warnings():  # pyspark 4.3 warns that it does not fully support pandas 3 (not used here)
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        from pyspark.sql import SparkSession

        settings = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                    "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                    "spark.sql.shuffle.partitions": str(os.cpu_count() or 2)}  # fmt: skip
        builder = SparkSession.builder.appName(app).master("local[*]")
        for key, value in settings.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def check_dataframe(rules: ClaimRules, lines: DataFrame, *, line: str = "line") -> DataFrame:
    """The findings of a DataFrame of claim lines: ``claim_id, line, seq, severity, rule, message,
    source`` (``seq`` orders a line's findings). ``line`` names the column of line numbers."""
    from pyspark.sql import functions as F

    driver = _Driver(rules, lines.sparkSession)
    keyed = _keyed(lines, line)
    claims = _claims(keyed).withColumn("key2", _single_key(driver.borders)).persist()  # read by every step below
    single = claims.filter((F.col("n") == 1) & ~F.col("exact"))
    several = claims.filter((F.col("n") > 1) & ~F.col("exact"))
    gkeys = _claim_keys(several).persist()
    found_single, dated, lone_single = driver.singles(single)
    found_several, lone_claims = driver.several(gkeys)
    exact = claims.filter(F.col("exact"))
    if lone_claims:  # claims whose messages write their claim id or line numbers: checked as they are
        exact = exact.unionByName(several.filter(F.col("claim").isin(lone_claims)).select(*exact.columns))
    if lone_single:
        exact = exact.unionByName(single.filter(F.col("key2").isin(lone_single)).select(*exact.columns))
    parts = [
        single.join(found_single, "key2").select(*_OUT),
        several.join(gkeys, "claim").join(found_several, ["gkey", "pos"]).select(*_OUT),
        driver.exact(exact),
    ]
    if dated:
        dated_lines = single.filter(F.col("key2").isin(dated))
        parts.append(dated_lines.join(driver.dated(dated_lines), ["key2", "raw_date"]).select(*_OUT))
    found = parts[0]
    for part in parts[1:]:
        found = found.unionByName(part)
    return found


_OUT = ("claim_id", "line", *_FOUND)


def check_file(
    rules: ClaimRules,
    path: str | Path | Any,
    out,
    fmt: str,
    *,
    batch_size: int = 100_000,
    progress=None,
    columns: Any = None,
    other_codes: str = "auto",
    spark: SparkSession | None = None,
) -> Tally:
    """``cptkg claims FILE --engine spark``: the file read as the columnar engine reads it (its line
    numbers, its unreadable lines), checked on Spark (:func:`check_dataframe`), and the findings
    written in line order by the columnar engine's writers."""
    import tempfile

    from .columnar import open_source

    source = path if not isinstance(path, (str, Path)) else open_source(path, columns)
    tally = Tally()
    tally.layout, tally.notices = source.layout, source.notices
    skip = skips_other_codes(source, other_codes)
    spark = spark or session()
    with tempfile.TemporaryDirectory(prefix="cptkg-spark-") as folder:
        unreadable = _stage(rules, source, Path(folder), batch_size, tally, skip)
        lines = spark.read.parquet(folder)
        tally.lines = lines.count() + len(unreadable)
        found = check_dataframe(rules, lines) if tally.lines > len(unreadable) else None
        _write(found, unreadable, out, fmt, tally, progress)
    return tally


def _stage(rules: ClaimRules, source: Any, folder: Path, batch_size: int, tally: Tally, skip: bool) -> list:
    """The file's lines as Parquet parts for Spark (text columns and the line number); the findings of
    the lines that cannot be read, kept on the driver (they are their own, whatever the claim)."""
    import polars as pl

    from .columnar import _without_other_codes
    from .columnar.reading import LINE, PYTHON, ROW, read_batches
    from .engine import _read
    from .findings import Finding

    unreadable: list[Finding] = []
    for part, raw in enumerate(read_batches(source, batch_size)):
        if skip:
            raw = _without_other_codes(raw, rules, tally)
        frame = raw.frame
        rows = []
        for row in frame.filter(pl.col(PYTHON))[ROW].to_list():
            item, _ = _read(*raw.record(row))
            if isinstance(item, Finding):
                unreadable.append(item)
            else:
                rows.append(_as_row(item))
        text = frame.filter(~pl.col(PYTHON)).select(pl.col(LINE).alias("line"), *KNOWN)
        if rows:
            text = pl.concat([text, pl.DataFrame(rows, schema=text.schema, orient="row")])
        text.write_parquet(folder / f"part-{part:06d}.parquet")
    return unreadable


def _as_row(line: Any) -> tuple:
    """A line the row engine read from values that were not text, as the text it reads the same way."""
    dex = line.dex_z_code
    return (line.line, line.claim_id, line.code, ";".join(line.modifiers), ";".join(line.diagnoses), line.payer,
            line.place_of_service, line.units_written or str(line.units), line.variant,
            line.date_of_service.isoformat() if line.date_of_service else "", line.contractor, dex)  # fmt: skip


def _write(found: DataFrame | None, unreadable: list, out, fmt: str, tally: Tally, progress) -> None:
    """The findings in line order, written as the columnar engine writes them; counted in the tally."""
    import heapq

    import polars as pl

    from .columnar.writing import TABLE_FORMS, Form, TableWriter, TextWriter
    from .findings import Finding

    form = None if fmt in TABLE_FORMS else Form(fmt)
    writer = TableWriter(out, fmt) if form is None else TextWriter(out, form, tally)
    spark_rows = (
        (r.line, r.seq, Finding(r.claim_id, r.line, r.severity, r.rule, r.message, r.source))
        for r in (found.orderBy("line", "seq").toLocalIterator(prefetchPartitions=True) if found is not None else [])
    )
    driver_rows = ((f.line, 0, f) for f in unreadable)
    chunk: list[Finding] = []
    last_error = None  # the line of the last error (a line's findings come together)
    for _, _, finding in heapq.merge(spark_rows, sorted(driver_rows, key=lambda r: r[:2]), key=lambda r: r[:2]):
        tally.severities[finding.severity] += 1
        if finding.severity == "error" and finding.line != last_error:
            tally.error_lines, last_error = tally.error_lines + 1, finding.line
        chunk.append(finding)
        if len(chunk) >= 50_000:
            _flush(writer, form, chunk, pl)
    _flush(writer, form, chunk, pl)
    writer.close(tally.lines + tally.skipped_other_codes if tally.layout == "cptkg" else None)
    if progress is not None:
        progress.update(tally.lines)


def _flush(writer, form, chunk: list, pl) -> None:
    if chunk and form is None:
        writer.write(pl.DataFrame(chunk, schema=list(FINDING_FIELDS), orient="row"))
    elif chunk:
        writer.write_texts([form.separator + form.whole(finding) for finding in chunk])
    chunk.clear()


def _keyed(df: DataFrame, line: str) -> DataFrame:
    """The lines: ``line``, ``claim_id`` (as given), ``claim`` (trimmed), ``key``, ``raw_date``, ``odd``."""
    from pyspark.sql import functions as F

    names = {name.strip().lower(): name for name in df.columns}
    header_names([n for n in names if n != line], Path("the DataFrame"))  # the columns a claim file needs
    _refuse_what_is_not_text(df, names)

    def text(name: str):
        if name not in names:
            return F.lit(None).cast("string")
        value = F.col(f"`{names[name]}`").cast("string")
        return F.coalesce(value, F.lit("")) if name == "dex_z_code" else value  # a column there: empty, not absent

    values = {name: text(name) for name in KNOWN}
    key = F.concat_ws(
        "\x1f", *(F.when(values[n].isNull(), "!").otherwise(F.concat(F.lit("="), values[n])) for n in RAW)
    )
    claim = F.regexp_replace(values["claim_id"], r"^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$", "")
    odd = ~F.coalesce(claim.rlike(r"^[ -~]+$"), F.lit(False)) | F.concat_ws("", *(values[n] for n in RAW)).rlike(
        "[\x1e\x1f]"
    )
    return df.select(
        F.col(f"`{names[line]}`").cast("long").alias("line"),
        values["claim_id"].alias("claim_id"),
        F.coalesce(claim, F.lit("")).alias("claim"),
        key.alias("key"),
        values["date_of_service"].alias("raw_date"),
        odd.alias("odd"),
    )


def _refuse_what_is_not_text(df: DataFrame, names: dict[str, str]) -> None:
    """A claim column whose values have no text a claim file could hold (an array, a map, a struct,
    bytes) is refused, naming it: Spark would read ``["26", "TC"]`` as the text ``[26, TC]``."""
    from pyspark.sql.types import ArrayType, BinaryType, MapType, StructType

    from ..core.errors import InputError

    types = {field.name: field.dataType for field in df.schema.fields}
    for name in KNOWN:
        kind = types.get(names.get(name, ""))
        if isinstance(kind, (ArrayType, MapType, StructType, BinaryType)):
            hint = f"F.concat_ws(';', F.col('{names[name]}'))" if isinstance(kind, ArrayType) else "a text column"
            raise InputError(
                f"column {names[name]} is {kind.simpleString()}, not text: give it as text, e.g. {hint}",
                path="the DataFrame",
            )


def _claims(lines: DataFrame) -> DataFrame:
    """Each line with its claim's size (``n``), its place in it (``pos``), and whether the claim is
    checked as it is (``exact``: an odd line, or more lines than the row engine's limit)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    claim = Window.partitionBy("claim")
    return lines.select(
        "*",
        F.count("*").over(claim).alias("n"),
        (F.row_number().over(claim.orderBy("line")) - 1).alias("pos"),
        F.max(F.col("odd").cast("int")).over(claim).alias("odd_claim"),
    ).withColumn("exact", (F.col("odd_claim") == 1) | (F.col("n") > row_engine.MAX_CLAIM_LINES))


def _single_key(borders: list[date]):
    """The key of a claim of one line: its line's key and the class of its date (an ISO date's place
    among the rule tables' dates), or the date as written when it is not an ISO date."""
    from pyspark.sql import functions as F

    written = F.trim(F.col("raw_date"))
    day = written.try_cast("date")  # (a cast: try_to_date with a pattern is slower by far)
    iso = F.coalesce(written.rlike(_ISO), F.lit(False)) & day.isNotNull() & (F.year(day) >= 1)
    place = F.lit(0)  # twice the dates before it, and one if it is one of them (a sum of plain comparisons)
    for border in borders:
        place = place + (day > F.lit(border)).cast("int") * 2 + (day == F.lit(border)).cast("int")
    written_key = F.concat(F.lit("r"), F.coalesce(F.concat(F.lit("="), F.col("raw_date")), F.lit("!")))
    return F.concat_ws(
        "\x1f", F.col("key"), F.when(iso, F.concat(F.lit("c"), place.cast("string"))).otherwise(written_key)
    )


def _claim_keys(several: DataFrame) -> DataFrame:
    """``claim, gkey``: the key of a claim of several lines (its lines' keys and dates, in line order)."""
    from pyspark.sql import functions as F

    dated = F.concat_ws("\x1f", F.col("key"), F.coalesce(F.concat(F.lit("="), F.col("raw_date")), F.lit("!")))
    ordered = F.array_sort(F.collect_list(F.struct(F.col("line"), dated.alias("k"))))
    return several.groupBy("claim").agg(F.array_join(F.transform(ordered, lambda s: s["k"]), "\x1e").alias("gkey"))


class _Driver:
    """Checks distinct claims on the driver with the columnar engine (:func:`~cptkg.claims.columnar.findings_of`)."""

    def __init__(self, rules: ClaimRules, spark: SparkSession) -> None:
        self.rules = rules
        self.spark = spark
        self.borders = thresholds(rules.tables)

    def singles(self, single: DataFrame) -> tuple[DataFrame, list[str], list[str]]:
        """The findings of each distinct claim of one line (``key2`` and the findings), the keys whose
        messages write their date, and those whose messages write their claim id or line number."""
        from pyspark.sql import functions as F

        rows = _rows(single.groupBy("key2").agg(F.first("raw_date").alias("raw_date")))
        claims = [[(_values(key2), raw)] for key2, raw in rows]
        found, lone = self._check(claims)
        dated = [
            key2
            for (key2, raw), findings in zip(rows, found)
            if findings and raw and _even_class(key2) and raw.strip() in " ".join(f[3] for f in findings[0])
        ]
        lone_keys = [key2 for (key2, _), is_lone in zip(rows, lone) if is_lone]
        left_out = set(dated) | set(lone_keys)
        keep = [(key2, *f) for (key2, _), findings in zip(rows, found) if key2 not in left_out for f in findings[0]]
        return self._frame(keep, "key2 string"), dated, lone_keys

    def dated(self, lines: DataFrame) -> DataFrame:
        """The findings of claims of one line whose messages write their date, per key and date."""
        rows = _rows(lines.select("key2", "raw_date").distinct())
        found, lone = self._check([[(_values(key2), raw)] for key2, raw in rows])
        if any(lone):
            raise AssertionError("a claim of one line whose messages write its date and its claim id or line")
        keep = [(key2, raw, *f) for (key2, raw), findings in zip(rows, found) for f in findings[0]]
        return self._frame(keep, "key2 string, raw_date string")

    def several(self, gkeys: DataFrame) -> tuple[DataFrame, list[str]]:
        """The findings of each distinct claim of several lines (``gkey``, ``pos`` and the findings), and
        the claims whose messages write their claim id or line numbers."""
        from pyspark.sql import functions as F

        rows = [row[0] for row in _rows(gkeys.select("gkey").distinct())]
        claims = [[(_values(part), _date_of(part)) for part in gkey.split("\x1e")] for gkey in rows]
        found, lone = self._check(claims)
        lone_gkeys = [gkey for gkey, is_lone in zip(rows, lone) if is_lone]
        keep = [
            (gkey, pos, *f)
            for gkey, lines, is_lone in zip(rows, found, lone)
            if not is_lone
            for pos, line in enumerate(lines)
            for f in line
        ]
        lone_claims = (
            [r[0] for r in _rows(gkeys.filter(F.col("gkey").isin(lone_gkeys)).select("claim"))] if lone_gkeys else []
        )
        return self._frame(keep, "gkey string, pos int"), lone_claims

    def exact(self, lines: DataFrame) -> DataFrame:
        """The findings of lines checked as they are: collected in claim and line order, with their own
        claim ids and line numbers."""
        from .columnar import findings_of

        rows = _rows(lines.select("line", "claim_id", "key", "raw_date", "claim").orderBy("claim", "line").drop("claim"))
        records = [(n, {"claim_id": cid, **_record(key), "date_of_service": raw}) for n, cid, key, raw in rows]
        found = findings_of(self.rules, records)
        seq = found.with_columns(seq=found.select(_seq()).to_series()) if found.height else found.with_columns(seq=0)
        keep = seq.select("claim_id", "line", *_FOUND).rows()
        return self._frame(keep, "claim_id string, line long")

    def _check(self, claims: list[list[tuple[dict, str | None]]]) -> tuple[list[list[list[tuple]]], list[bool]]:
        """The findings of each claim (per line, as ``seq, severity, rule, message, source``), checked under
        a stand-in claim id and line numbers; and whether its messages write them (then it is *lone*)."""
        from .columnar import findings_of

        records, owner = [], []
        for number, claim in enumerate(claims):
            for values, raw in claim:
                owner.append(number)
                line = SENTINEL_LINE + len(records)
                records.append((line, {**values, "claim_id": f"{STAND_IN}{number}", "date_of_service": raw}))
        found: list[list[list[tuple]]] = [[[] for _ in claim] for claim in claims]
        first_line = {}
        for index, number in enumerate(owner):
            first_line.setdefault(number, index)
        frame = findings_of(self.rules, records)
        lone = [False] * len(claims)
        for line, seq, severity, rule, message, source in (
            frame.with_columns(_seq().alias("seq"))
            .select("line", "seq", "severity", "rule", "message", "source")
            .iter_rows()
        ):
            index = line - SENTINEL_LINE
            number = owner[index]
            found[number][index - first_line[number]].append((seq, severity, rule, message, source))
            numbers = (
                str(SENTINEL_LINE + i) for i in range(first_line[number], first_line[number] + len(claims[number]))
            )
            lone[number] = lone[number] or f"{STAND_IN}{number}" in message or any(n in message for n in numbers)
        return found, lone

    def _frame(self, rows: list[tuple], keys: str) -> DataFrame:
        """A DataFrame of the driver's findings, handed to Spark as one Arrow table (not row by row)."""
        import pyarrow as pa

        types = {"string": pa.string(), "int": pa.int32(), "long": pa.int64()}
        names = [(name, types[kind]) for name, kind in (part.split() for part in keys.split(", "))]
        names += [("seq", pa.int32()), *((n, pa.string()) for n in ("severity", "rule", "message", "source"))]
        columns = list(zip(*rows)) if rows else [[] for _ in names]
        table = pa.table({name: pa.array(column, kind) for (name, kind), column in zip(names, columns)})
        return self.spark.createDataFrame(table)


def _rows(frame: DataFrame) -> list[tuple]:
    """A (small) DataFrame's rows on the driver, brought over as Arrow (much faster than Row objects)."""
    table = frame.toArrow()
    return list(zip(*(column.to_pylist() for column in table.columns))) if table.num_rows else []


def _seq():
    """A finding's place among its line's findings."""
    import polars as pl

    return pl.int_range(pl.len()).over("line").cast(pl.Int32)


def _record(key: str) -> dict[str, str]:
    """The raw values a key holds (a column the line lacks is left out)."""
    return {name: value[1:] for name, value in zip(RAW, key.split("\x1f")[: len(RAW)]) if value != "!"}


def _values(key: str) -> dict[str, str]:
    return _record(key)


def _date_of(part: str) -> str | None:
    written = part.split("\x1f")[len(RAW)]
    return None if written == "!" else written[1:]


def _even_class(key2: str) -> bool:
    """Whether a claim of one line was checked with a date that stands for the other dates of its class."""
    found = re.fullmatch(r"c([0-9]+)", key2.split("\x1f")[-1])
    return bool(found) and int(found[1]) % 2 == 0
