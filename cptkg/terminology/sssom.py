"""SSSOM mapping sets as they are published: read by sssom-py (or a plain reader), checked row by row.

Reading is in two steps. :func:`read_table` gives the YAML metadata, the column names and the rows
with their file line numbers; a row that is not a table row (wrong number of fields) is set aside
with its line and reason. With the ``mappings`` extra installed the rows are read by sssom-py's own
``parse_sssom_table`` (the reference reader of the SSSOM project); without it, by :mod:`csv`, which
gives the same rows on every published file the tests hold (tests/test_link_files.py compares them).

:func:`mapping_quads` then checks each row against the prefixes the file declares (see
:class:`~cptkg.terminology.identifiers.PrefixResolution`): a row whose identifiers cannot be
expanded, whose prefix is a placeholder, whose confidence is not a number from 0 to 1 or which
repeats an earlier row is skipped with its line and reason, and the rest are linked. (sssom-py's
command line drops rows with unknown prefixes silently; here every dropped row is named.)
"""

from __future__ import annotations

import csv
import io
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError, one_line
from .identifiers import PrefixResolution

if TYPE_CHECKING:
    import pyoxigraph as ox

#: The columns a mapping row needs (``mapping_justification`` may be given once in the metadata).
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")
#: The prefixes SSSOM declares built in, so that a file may use them without a ``curie_map`` entry.
BUILT_IN = {
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sssom": "https://w3id.org/sssom/",
}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass(frozen=True)
class Skipped:
    """A row or element of an outside file that was not linked, and why."""

    line: int | None
    reason: str
    where: str = ""

    def text(self) -> str:
        """Where the row was and why it was skipped, in one line."""
        place = f"line {self.line}" if self.line is not None else self.where
        return f"{place}: {self.reason}" if place else self.reason


@dataclass
class Table:
    """An SSSOM file read: metadata, columns, rows ``(line, {column: text})`` and rows set aside."""

    metadata: dict[str, Any]
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    skipped: list[Skipped] = field(default_factory=list)
    reader: str = "csv"

    @property
    def prefix_map(self) -> dict[str, str]:
        """The prefixes the set's CURIEs expand with: the built-in map, overridden by the set's own ``curie_map``."""
        declared = self.metadata.get("curie_map") or {}
        return {**BUILT_IN, **{str(k): str(v) for k, v in declared.items()}}


def sssom_py_version() -> str | None:
    """The installed sssom-py version, or None when the ``mappings`` extra is not installed."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        import sssom.parsers  # noqa: F401  (the reader itself must import, not only its metadata)

        return version("sssom")
    except (ImportError, PackageNotFoundError):
        return None


def read_table(path: Path, text: str, reader: str | None = None) -> Table:
    """The metadata and rows of an SSSOM TSV text; ``reader`` is ``"sssom-py"``, ``"csv"`` or None (the best installed).

    A file that is no SSSOM table at all (a header that is not YAML, no column line, a required
    column missing) raises :class:`InputError`; a bad row is set aside in ``skipped``.
    """
    lines = text.splitlines()
    header = 0
    while header < len(lines) and lines[header].startswith("#"):
        header += 1
    metadata = _metadata(path, lines[:header])
    column_line = header + 1
    if header >= len(lines) or not lines[header].strip():
        raise InputError("no column header line after the YAML header", path=path, line=column_line)
    columns = lines[header].split("\t")
    missing = [n for n in REQUIRED if n not in columns and not (n == "mapping_justification" and n in metadata)]
    if missing:
        raise InputError(f"the column header lacks {', '.join(missing)}", path=path, line=column_line)
    table = Table(metadata, columns, [])
    kept: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines[header + 1 :], start=column_line + 1):
        if not line.strip():
            continue
        try:
            cells = next(csv.reader([line], delimiter="\t"))
        except csv.Error as error:  # a field over the csv module's limit (128 KiB), a NUL byte
            table.skipped.append(Skipped(number, f"not a table row: {error}"))
            continue
        if len(cells) != len(columns):
            table.skipped.append(Skipped(number, f"the row has {len(cells)} fields; the header has {len(columns)}"))
            continue
        kept.append((number, cells))
    use = reader or ("sssom-py" if sssom_py_version() else "csv")
    if use == "sssom-py" and kept:
        body = "\n".join([*lines[: header + 1], *(lines[n - 1] for n, _ in kept)]) + "\n"
        table.rows = _sssom_py_rows(path, body, columns, kept)
        table.reader = f"sssom-py {sssom_py_version()}"
    else:
        table.rows = [(n, dict(zip(columns, cells))) for n, cells in kept]
    return table


def _metadata(path: Path, header: list[str]) -> dict[str, Any]:
    import yaml

    from ..core.inputs import safe_yaml

    try:
        meta = safe_yaml("\n".join(line[1:] for line in header), path) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = one_line(str(getattr(error, "problem", error)))
        raise InputError(f"the header is not valid YAML: {problem}", path=path, line=mark.line + 1 if mark else 1) from None
    if not isinstance(meta, dict):
        raise InputError("the header must be a YAML mapping", path=path, line=1)
    declared = meta.get("curie_map") or {}
    if not isinstance(declared, dict):
        raise InputError("curie_map must map prefixes to URI prefixes", path=path, line=1)
    if not all(isinstance(key, str) and isinstance(value, str) for key, value in declared.items()):
        raise InputError("curie_map keys and values must be text (a prefix and its URI prefix)", path=path, line=1)
    return meta


#: The columns whose values become triples: a row is the same row for both readers when these agree.
USED = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification")


def _sssom_py_rows(path: Path, body: str, columns: list[str], kept: list[tuple[int, list[str]]]) -> list[tuple[int, dict[str, str]]]:
    """The rows sssom-py's ``parse_sssom_table`` takes as mappings, numbered with the lines they came from.

    sssom-py sorts the rows and leaves out, with only a log message, a row it finds not well-formed;
    each line is therefore matched to a row sssom-py read by the values that become triples, and a
    line sssom-py left out is set aside (by the caller) with sssom-py's own reason.
    """
    from collections import Counter

    from sssom.parsers import parse_sssom_table

    messages = _Capture()
    root = logging.getLogger()
    level, root.level = root.level, logging.WARNING
    root.addHandler(messages)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sssom-py's own deprecation notices from pandas
            frame = parse_sssom_table(io.StringIO(body), sep="\t").df
    except Exception as error:  # noqa: BLE001 - any failure of the outside reader is this file's error
        raise InputError(f"sssom-py cannot read the table: {one_line(str(error))[:200]}", path=path) from None
    finally:
        root.removeHandler(messages)
        root.setLevel(level)
    used = [c for c in USED if c in frame.columns]
    taken = Counter(tuple(row) for row in frame[used].fillna("").astype(str).itertuples(index=False))
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in kept:
        record = dict(zip(columns, cells))
        key = tuple(record.get(c, "") for c in used)
        if taken[key] > 0:
            taken[key] -= 1
            rows.append((number, record))
        else:
            rows.append((number, {"_refused": messages.reason_for(record)}))
    return rows


class _Capture(logging.Handler):
    """The messages sssom-py logs about rows it leaves out, to give each left-out line its reason."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(record.getMessage())

    def reason_for(self, row: dict[str, str]) -> str:
        subject, obj = f"'subject_id': '{row.get('subject_id', '')}'", f"'object_id': '{row.get('object_id', '')}'"
        for text in self.texts:
            if "not well-formed" in text and subject in text and (obj in text or "object_id" not in row):
                return "sssom-py leaves the row out: " + text.rsplit("Error:", 1)[-1].strip()
        return "sssom-py leaves the row out as not well-formed"


def mapping_quads(path: Path, table: Table, graph: str, user_map: dict[str, str] | None = None) -> tuple[list[ox.Quad], int]:
    """The quads of the table's usable rows (one triple per mapping, plus labels) and how many mappings.

    Each unusable row is added to ``table.skipped`` with its line and reason.
    """
    import pyoxigraph as ox

    resolution = PrefixResolution(table.prefix_map, user_map)
    justification = str(table.metadata.get("mapping_justification") or "")
    g, label = ox.NamedNode(graph), ox.NamedNode(RDFS_LABEL)
    quads: list[ox.Quad] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in table.rows:
        if "_refused" in row:
            table.skipped.append(Skipped(number, one_line(row["_refused"])))
            continue
        iris, problem = _row_iris(row, resolution, justification)
        if problem is None and row.get("confidence", "").strip():
            problem = _confidence_problem(row["confidence"])
        key = (iris.get("subject_id", ""), iris.get("predicate_id", ""), iris.get("object_id", ""))
        if problem is None and key in seen:
            problem = f"duplicate row: {row['subject_id']} {row['predicate_id']} {row['object_id']} is already on line {seen[key]}"
        if problem is not None:
            table.skipped.append(Skipped(number, one_line(problem)))
            continue
        seen[key] = number
        subject, obj = ox.NamedNode(key[0]), ox.NamedNode(key[2])
        quads.append(ox.Quad(subject, ox.NamedNode(key[1]), obj, g))
        for column, node in (("subject_label", subject), ("object_label", obj)):
            if row.get(column, "").strip():
                quads.append(ox.Quad(node, label, ox.Literal(row[column].strip()), g))
    return quads, len(seen)


def _row_iris(row: dict[str, str], resolution: PrefixResolution, justification: str) -> tuple[dict[str, str], str | None]:
    iris: dict[str, str] = {}
    for name in REQUIRED:
        value = (row.get(name) or (justification if name == "mapping_justification" else "")).strip()
        if not value:
            return iris, f"empty {name}"
        try:
            iris[name] = resolution.expand(value)
        except InputError as error:
            return iris, f"{name}: {error.reason}"
    return iris, None


def _confidence_problem(text: str) -> str | None:
    try:
        confidence = float(text)
    except ValueError:
        confidence = -1.0
    return None if 0.0 <= confidence <= 1.0 else f"confidence {text!r} is not a number from 0 to 1"
