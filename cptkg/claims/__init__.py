"""Order and claim checks: does each line of a claim file agree with what the graph knows?

A claim file is CSV (with a header) or JSON Lines, one order or claim line per record, with the
columns of :data:`COLUMNS` and optionally those of :data:`OPTIONAL_COLUMNS`. Lists (modifiers,
diagnoses) are separated by ``;``. Each line is checked against lookup tables compiled **once**
from the graph by named queries (:class:`ClaimRules`); the per-line pass is plain Python over
dictionaries, so a file of a million lines streams through in constant memory.

Every finding names its rule, its severity, a message and the sources behind it (the named graphs
and reference records of the statements it relies on). A line without findings gets an explicit
``no-findings`` row; a line that cannot be read is reported with its line number and the next line
is checked.

>>> import cptkg
>>> kg = cptkg.load()
>>> line = {"claim_id": "C1", "cpt_code": "81311", "modifiers": "GA;GY", "icd10cm": "C18.7",
...         "payer": "medicare", "place_of_service": "81", "units": "1"}
>>> result = kg.check_claims([line])
>>> [(f.severity, f.rule) for f in result]
[('info', 'coverage-conditional'), ('error', 'modifier-combination')]
>>> result.exit_status
1
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from ..core.errors import InputError, one_line
from ..terminology import icd10cm_lineage
from ..core.results import html_table, plain, table

if TYPE_CHECKING:
    import pandas
    import rdflib

    from ..core.graph import CoreGraph

#: The columns every line has; ``modifiers`` and ``icd10cm`` are ``;``-separated lists.
COLUMNS = ("claim_id", "cpt_code", "modifiers", "icd10cm", "payer", "place_of_service", "units")
#: Columns a file may add.
OPTIONAL_COLUMNS = ("variant", "date_of_service")
#: Severities, worst first; ``ok`` is the severity of the row that says a line has no findings.
SEVERITIES = ("error", "warning", "info", "ok")
#: The fields of a finding, in the order of the CSV, JSON and table forms.
FINDING_FIELDS = ("claim_id", "line", "severity", "rule", "message", "sources")

#: rule -> what it checks (the severity is given with each finding: some rules have two levels).
RULES: dict[str, str] = {
    "unreadable-line": "error: a line that cannot be read (missing column, bad number or date, not JSON); the rest of the file is still checked",
    "code-unknown": "error: the billed code is not a billing code the graph holds",
    "code-not-described": "info: the graph holds the code but no indications or regions for it, so only the code-independent checks ran",
    "diagnosis-invalid": "error: a diagnosis that is not written as an ICD-10-CM code",
    "diagnosis-no-indication": "warning: no diagnosis of the line reaches one of the code's indications through the ICD-10-CM mappings (info when the graph holds no indication for the code)",
    "payer-unknown": "warning: the payer matches no payer name or alias in the graph, so payer policy checks did not run",
    "coverage-not-covered": "warning (info with modifier GA): the payer's policies cover the code only for other indications, or exclude the line's",
    "coverage-conditional": "info: a diagnosis names a broader indication than the one the payer's policies cover",
    "coverage-criteria-gap": "info: the payer's policies are named, but their coverage criteria are not in the graph (data gap)",
    "coverage-no-policy": "info: the graph relates no policy of the payer to the code",
    "modifier-invalid": "error: a modifier that is not two letters or digits",
    "modifier-unknown": "warning: a modifier the graph does not hold",
    "modifier-combination": "error: modifiers that never go together on one line (GA, GY, GZ)",
    "modifier-guidance-conflict": "warning: a modifier one source recommends for the code, which the payer's guidance bills another way (26 on 81311 under Medicare: G0452)",
    "modifier-note": "info: what a modifier on the line means and the payer rule the graph records for it (90, 91, 59, TC ...)",
    "units-above-limit": "error: more units than the payer's billing article allows",
    "place-of-service-invalid": "error: a place of service that is not a two-digit code",
    "place-of-service-unknown": "warning: a place-of-service code the graph does not hold, or none given",
    "variant-out-of-scope": "error: the reported variant is outside the code's scope",
    "variant-unclassified": "warning: the reported variant could not be classified",
    "variant-check-unavailable": "info: the variant feature is not available, so the reported variant was not checked",
    "no-findings": "ok: the line agrees with everything the graph holds",
}  # fmt: skip

_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
_PLACE_OF_SERVICE = re.compile(r"^[0-9]{2}$")
_CACHE_LIMIT = 100_000  # distinct diagnoses or variants remembered; beyond that the cache restarts (flat memory)


# ---------------------------------------------------------------- lines and findings


class Finding(NamedTuple):
    """One finding about one line (a tuple: cheap to make by the million)."""

    claim_id: str
    line: int
    severity: str
    rule: str
    message: str
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The finding as the JSON object of the ``findings`` array."""
        return {
            "claim_id": self.claim_id,
            "line": self.line,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "sources": list(self.sources),
        }

    def text(self) -> str:
        """One readable line.

        >>> print(Finding("C1", 2, "error", "code-unknown", "No such code.", ("cptkg:graph-cms",)).text())
        line 2, claim C1: error [code-unknown] No such code. (sources: cptkg:graph-cms)
        """
        claim = f", claim {one_line(self.claim_id)}" if self.claim_id else ""
        sources = f" (sources: {', '.join(self.sources)})" if self.sources else ""
        return f"line {self.line}{claim}: {self.severity} [{self.rule}] {self.message}{sources}"


@dataclass(frozen=True)
class ClaimLine:
    """One readable order or claim line, its values normalised (codes upper case, lists split)."""

    line: int
    claim_id: str
    code: str
    modifiers: tuple[str, ...]
    diagnoses: tuple[str, ...]
    payer: str
    place_of_service: str
    units: int
    variant: str = ""
    date_of_service: date | None = None

    @classmethod
    def parse(cls, line: int, record: Mapping[str, Any]) -> ClaimLine:
        """Read a line from a record keyed by column name; an :class:`InputError` says what is wrong.

        >>> ClaimLine.parse(2, {"claim_id": "A", "cpt_code": "81311", "modifiers": "26; ga", "icd10cm": "c18.7",
        ...     "payer": "Aetna", "place_of_service": "81", "units": "1"}).modifiers
        ('26', 'GA')
        >>> ClaimLine.parse(3, {"claim_id": "A", "cpt_code": "81311", "units": "two"})
        Traceback (most recent call last):
        ...
        cptkg.core.errors.InputError: line 3: missing column modifiers, icd10cm, payer, place_of_service
        """
        missing = [name for name in COLUMNS if name not in record or record[name] is None]
        if missing:
            raise InputError(f"missing column {', '.join(missing)}", line=line)
        claim_id = _text(record["claim_id"], "claim_id", line)
        code = _text(record["cpt_code"], "cpt_code", line).upper()
        if not claim_id or not code:
            raise InputError(f"empty {'claim_id' if not claim_id else 'cpt_code'}", line=line)
        return cls(
            line=line,
            claim_id=claim_id,
            code=code,
            modifiers=_codes(record["modifiers"], "modifiers", line),
            diagnoses=_codes(record["icd10cm"], "icd10cm", line),
            payer=" ".join(_text(record["payer"], "payer", line).split()),
            place_of_service=_text(record["place_of_service"], "place_of_service", line),
            units=_units(record["units"], line),
            variant=_text(record.get("variant") or "", "variant", line),
            date_of_service=_date(record.get("date_of_service"), line),
        )

    def to_graph(self, subject: str | None = None) -> rdflib.Graph:
        """The line as RDF in the claims vocabulary (``ontology/claims.ttl``), for SHACL and export."""
        from rdflib import RDF, XSD, Graph, Literal, URIRef

        from ..core.prefixes import CPTKG
        from ..core.rdfio import bind_prefixes

        term = URIRef(subject or f"{CPTKG}claim-line-{self.line}")
        c = lambda name: URIRef(CPTKG + name)
        graph = bind_prefixes(Graph())
        graph.add((term, RDF.type, c("ClaimLine")))
        graph.add((term, c("claimIdentifier"), Literal(self.claim_id)))
        graph.add((term, c("lineNumber"), Literal(self.line, datatype=XSD.positiveInteger)))
        graph.add((term, c("billedCode"), Literal(self.code)))
        for modifier in self.modifiers:
            graph.add((term, c("lineModifier"), Literal(modifier)))
        for diagnosis in self.diagnoses:
            graph.add((term, c("diagnosisCode"), Literal(diagnosis)))
        if self.payer:
            graph.add((term, c("payerName"), Literal(self.payer)))
        if self.place_of_service:
            graph.add((term, c("linePlaceOfService"), Literal(self.place_of_service)))
        graph.add((term, c("unitsOfService"), Literal(self.units, datatype=XSD.positiveInteger)))
        if self.variant:
            graph.add((term, c("reportedVariant"), Literal(self.variant)))
        if self.date_of_service:
            graph.add((term, c("dateOfService"), Literal(self.date_of_service)))
        return graph


def _text(value: Any, column: str, line: int) -> str:
    if isinstance(value, (list, dict, bool)):
        raise InputError(f"column {column} must be text, not {type(value).__name__}", line=line)
    text = str(value).strip()
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # surrogate escapes: bytes that were not UTF-8
            raise InputError(f"column {column} is not UTF-8 text", line=line) from None
    return text


def _codes(value: Any, column: str, line: int) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value).split(";")
    return tuple(code for item in items if (code := _text(item, column, line).upper()))


def _units(value: Any, line: int) -> int:
    if isinstance(value, bool):
        raise InputError("units must be a whole number of 1 or more, not a boolean", line=line)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        units = value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        raise InputError(f"units must be a whole number of 1 or more, not {str(value)!r}", line=line) from None
    if units < 1:
        raise InputError(f"units must be a whole number of 1 or more, not {units}", line=line)
    return units


def _date(value: Any, line: int) -> date | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        return date.fromisoformat(text)  # fast path (C): YYYY-MM-DD
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        pass
    raise InputError(f"date_of_service must be a date (YYYY-MM-DD or MM/DD/YYYY), not {text!r}", line=line)


# ---------------------------------------------------------------- reading files


def file_format(path: Path) -> str:
    """``csv`` or ``jsonl``, from the extension or, failing that, from the first character."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    try:
        with path.open("rb") as handle:
            start = handle.read(4096).lstrip()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=path) from None
    return "jsonl" if start.startswith(b"{") else "csv"


def _open(path: Path) -> TextIO:
    try:
        # surrogateescape: a line with bytes that are not UTF-8 is reported, the rest is still read
        return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as error:
        from ..core.rdfio import unreadable

        raise unreadable(path, error, "a claim file") from None


def read_records(path: str | Path) -> Iterator[tuple[int, Mapping[str, Any] | InputError]]:
    """The records of a CSV or JSON Lines file: ``(line number, record)``, or ``(line, error)`` for a
    line that cannot be read. A file that cannot be used at all (missing, no header, a required
    column absent from the header) raises :class:`InputError` before the first record.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError("is a directory, not a claim file", path=path)
    reader = _csv_records if file_format(path) == "csv" else _jsonl_records
    records = reader(path)
    first = next(records, None)  # raise a file-level error now, not at the first iteration
    return _chain(first, records)


def _chain(first, rest):
    if first is not None:
        yield first
        yield from rest


def _csv_records(path: Path) -> Iterator[tuple[int, Mapping[str, Any] | InputError]]:
    with _open(path) as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as error:
            raise InputError(f"cannot read the header: {error}", path=path, line=1) from None
        if not header or not any(cell.strip() for cell in header):
            raise InputError("the file is empty: expected a header line with " + ", ".join(COLUMNS), path=path)
        names = [cell.strip().lower() for cell in header]
        duplicates = sorted({n for n in names if n and names.count(n) > 1})
        if duplicates:
            raise InputError(f"the header names {', '.join(duplicates)} more than once", path=path, line=1)
        absent = [name for name in COLUMNS if name not in names]
        if absent:
            raise InputError(
                f"the header lacks the column{'s' if len(absent) > 1 else ''} {', '.join(absent)} "
                f"(expected {', '.join(COLUMNS)}; optional {', '.join(OPTIONAL_COLUMNS)})",
                path=path,
                line=1,
            )
        width = len(names)
        last = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield last + 1, InputError(f"not valid CSV: {error}", line=last + 1)
                last = reader.line_num
                continue
            start, last = last + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) < width:
                yield start, dict(zip(names, row))  # ClaimLine.parse names the missing columns
            elif len(row) > width:
                yield (
                    start,
                    InputError(f"the line has {len(row)} fields, the header {width} (an unquoted comma?)", line=start),
                )
            else:
                yield start, dict(zip(names, row))


def _jsonl_records(path: Path) -> Iterator[tuple[int, Mapping[str, Any] | InputError]]:
    with _open(path) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except ValueError as error:
                yield number, InputError(f"not valid JSON: {error}", line=number)
                continue
            if not isinstance(record, dict):
                yield number, InputError(f"expected a JSON object, not {type(record).__name__}", line=number)
                continue
            yield number, {str(key).strip().lower(): value for key, value in record.items()}


def count_records(path: str | Path) -> int:
    """How many lines :func:`read_records` yields for a file (for progress and the JSON ``lines``)."""
    path = Path(path)
    with _open(path) as handle:
        if file_format(path) == "jsonl":
            return sum(1 for text in handle if text.strip())
        rows = csv.reader(handle)
        next(rows, None)
        try:
            return sum(1 for row in rows if row and not (len(row) == 1 and not row[0].strip()))
        except csv.Error:
            return 0  # the checking pass reports the bad line


def rows_records(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[int, Mapping[str, Any] | InputError]]:
    """Records of rows given in Python (dicts, or a pandas DataFrame), numbered from 1."""
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a DataFrame
        rows = rows.to_dict("records")  # type: ignore[union-attr]
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            yield number, InputError(f"expected a mapping of column to value, not {type(row).__name__}", line=number)
        else:
            yield number, {str(key).strip().lower(): value for key, value in row.items()}


# ---------------------------------------------------------------- the compiled rules


@dataclass
class _Coverage:
    """What one payer's policies say about one code."""

    payer_label: str
    covering: list[tuple[str, str, str]] = field(default_factory=list)  # (policy, number, kind)
    covered: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)
    units: list[tuple[int, str, str, str]] = field(default_factory=list)  # (max, policy, number, kind)
    gap_policies: list[tuple[str, str, str]] = field(default_factory=list)  # (policy, label, number)
    policies: set[str] = field(default_factory=set)


class ClaimRules:
    """What the graph knows, compiled into lookup tables once; :meth:`check` applies them to a line.

    Every table comes from a named query (``claim-vocabulary``, ``modifier-exclusions``,
    ``icd10cm-indications``, ``indication-ancestors``, ``indications``, ``payer-names``,
    ``claim-policies``, ``modifier-guidance-conflicts``, ``resource-sources``), so the checks
    follow the data: a new code folder, payer alias or ICD-10-CM mapping changes them without code.
    """

    def __init__(self, kg: CoreGraph) -> None:
        self.kg = kg
        self._sources: dict[str, set[str]] = {}
        for row in kg.query("resource-sources").records():
            self._sources.setdefault(row["resource"], set()).update((row["graph"], row["source"]))
        self._compile_vocabulary(kg)
        self._compile_indications(kg)
        self._compile_payers(kg)
        self._compile_guidance(kg)
        self._reach_cache: dict[str, tuple[frozenset[str], frozenset[str]] | str] = {}
        self._variant_cache: dict[tuple[str, str], Finding | None] = {}
        self._variants = _variant_classifier(kg, lambda code: self.sources(self.codes[code]))

    # ------------------------------------------------------------ compiling

    def sources(self, *resources: str, graphs: Iterable[str] = ()) -> tuple[str, ...]:
        """The named graphs and cited sources of some resources, sorted, each once."""
        found = set(graphs)
        for resource in resources:
            found |= self._sources.get(resource, {resource})
        return tuple(sorted(found))

    def _compile_vocabulary(self, kg: CoreGraph) -> None:
        self.codes: dict[str, str] = {}  # notation -> resource
        self.described: set[str] = set()
        self.modifiers: dict[str, tuple[str, str]] = {}  # notation -> (resource, label)
        self.modifier_notes: dict[str, str] = {}
        self.places: dict[str, str] = {}  # notation -> label
        graphs: dict[str, set[str]] = {}
        for row in kg.query("claim-vocabulary").records():
            kind, notation, resource = row["kind"], row["notation"], row["resource"]
            graphs.setdefault(kind, set()).add(row["graph"])
            if kind == "billing code":
                self.codes[notation] = resource
                if row["described"]:
                    self.described.add(notation)
            elif kind == "modifier":
                self.modifiers[notation] = (resource, row["label"] or notation)
                if row["note"]:
                    self.modifier_notes[notation] = row["note"]
            else:
                self.places[notation] = row["label"] or notation
        self.code_graphs = tuple(sorted(graphs.get("billing code", ())))
        self.modifier_graphs = tuple(sorted(graphs.get("modifier", ())))
        self.place_graphs = tuple(sorted(graphs.get("place of service", ())))
        self.exclusions: dict[str, set[str]] = {}
        for row in kg.query("modifier-exclusions").records():
            self.exclusions.setdefault(row["modifier"], set()).add(row["excluded"])
        # a note that restates a combination rule is said by modifier-combination, not repeated
        for notation in self.exclusions:
            self.modifier_notes.pop(notation, None)

    def _compile_indications(self, kg: CoreGraph) -> None:
        self.icd10cm: dict[str, set[str]] = {}  # ICD-10-CM code or category -> indications
        self.labels: dict[str, str] = {}
        mapping_graphs: set[str] = set()
        for row in kg.query("icd10cm-indications").records():
            code = row["icd10cm"].split(":", 1)[1] if ":" in row["icd10cm"] else row["icd10cm"]
            self.icd10cm.setdefault(code.upper(), set()).add(row["indication"])
            self.labels[row["indication"]] = row["label"]
            mapping_graphs.add(row["graph"])
        self.ancestors: dict[str, set[str]] = {}
        for row in kg.query("indication-ancestors").records():
            self.ancestors.setdefault(row["indication"], set()).add(row["ancestor"])
            self.labels[row["ancestor"]] = row["ancestor_label"]
        self.code_indications: dict[str, set[str]] = {}
        indication_graphs: dict[str, set[str]] = {}
        for row in kg.query("indications").records():
            self.code_indications.setdefault(row["code"], set()).add(row["indication"])
            self.labels[row["indication"]] = row["label"]
            indication_graphs.setdefault(row["code"], set()).add(row["graph"])
        self.diagnosis_sources = {
            code: tuple(sorted(mapping_graphs | indication_graphs.get(code, set()) | self._hierarchy_graphs(kg)))
            for code in self.code_indications
        }
        # which ICD-10-CM categories reach each code's indications, for the message that says what would
        # per code, the ICD-10-CM categories that reach its indications (for the message that says
        # what would): the broadest mapped ones, grouped by indication
        self.reaching: dict[str, str] = {}
        for code, indications in self.code_indications.items():
            groups: dict[str, list[str]] = {}
            for icd, mapped in sorted(self.icd10cm.items()):
                if any(category in self.icd10cm for category in icd10cm_lineage(icd)[1:]):
                    continue  # a subcode of a mapped category says nothing more
                for indication in sorted(mapped):
                    if ({indication} | self.ancestors.get(indication, set())) & indications:
                        groups.setdefault(self.labels[indication], []).append(icd)
            described = "; ".join(f"{label} {', '.join(codes)}" for label, codes in groups.items())
            self.reaching[code] = described or "none: the graph maps no ICD-10-CM code to them"

    @staticmethod
    def _hierarchy_graphs(kg: CoreGraph) -> set[str]:
        rows = kg.sparql("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?a cptkg:subtypeOf ?b } } ORDER BY ?g")
        return {plain(row["g"]) for row in rows}

    def _compile_payers(self, kg: CoreGraph) -> None:
        self.payer_names: dict[str, str] = {}  # casefolded name -> payer
        self.payer_labels: dict[str, str] = {}
        for row in kg.query("payer-names").records():
            self.payer_names[" ".join(row["name"].split()).casefold()] = row["payer"]
            if row["name_kind"] == "label":
                self.payer_labels.setdefault(row["payer"], row["name"])
        self.payer_graphs = self.sources(*sorted(set(self.payer_names.values())))
        self.coverage: dict[tuple[str, str], _Coverage] = {}
        for row in kg.query("claim-policies").records():
            key = (row["code"], row["payer"])
            rule = self.coverage.setdefault(key, _Coverage(self.payer_labels.get(row["payer"], row["payer"])))
            policy, number, kind = (
                row["policy"],
                row["policy_number"] or row["policy_label"],
                row["policy_kind"] or "policy",
            )
            rule.policies.add(policy)
            if row["indication"]:
                self.labels[row["indication"]] = row["indication_label"]
            if row["decision"] == "covered":
                rule.covered.add(row["indication"])
            elif row["decision"] == "not covered":
                rule.excluded.add(row["indication"])
            if row["decision"] and (policy, number, kind) not in rule.covering:
                rule.covering.append((policy, number, kind))
            if row["max_units"] is not None and row["applies"]:
                entry = (int(row["max_units"]), policy, number, kind)
                if entry not in rule.units:
                    rule.units.append(entry)
            if row["gap"] and not row["applies"]:
                entry = (policy, row["policy_label"], row["policy_number"] or "")
                if entry not in rule.gap_policies:
                    rule.gap_policies.append(entry)

    def _compile_guidance(self, kg: CoreGraph) -> None:
        statements: dict[tuple[str, str, str], dict[str, Any]] = {}
        for row in kg.query("modifier-guidance-conflicts").records():
            key = (row["code"], row["modifier"], row["payer"])
            entry = statements.setdefault(
                key,
                {
                    "modifier": (row["modifier_graph"], row["modifier_text"]),
                    "payer": [],
                    "codes": [],
                    "resources": set(),
                },
            )
            said = (row["payer_graph"], row["payer_text"])
            if said not in entry["payer"]:
                entry["payer"].append(said)
            if row["recommended_code"] and row["recommended_code"] not in entry["codes"]:
                entry["codes"].append(row["recommended_code"])
            entry["resources"] |= {r for r in (row["modifier_guidance"], row["payer_guidance"], row["gap"]) if r}
            if row["gap"]:
                entry["gap"] = row["gap"]
        self.conflicts: dict[tuple[str, str, str], tuple[str, tuple[str, ...]]] = {}
        for (code, modifier, payer), entry in statements.items():
            graph, text = entry["modifier"]
            by_graph: dict[str, list[str]] = {}
            for said_in, said in entry["payer"]:
                by_graph.setdefault(said_in, []).append(f"\u201c{said}\u201d")
            theirs = "; ".join(f"{g} says: {' and '.join(texts)}" for g, texts in by_graph.items())
            advice = f" Bill the interpretation as {' or '.join(entry['codes'])}." if entry["codes"] else ""
            gap = " Whether this is payable is not stated for the code itself (a data gap)." if "gap" in entry else ""
            message = (
                f"Modifier {modifier} on {code} for {self.payer_labels.get(payer, payer)}: the sources disagree. "
                f"{graph} says: \u201c{text}\u201d; {theirs}.{advice}{gap}"
            )
            self.conflicts[(code, modifier, payer)] = (message, self.sources(*sorted(entry["resources"])))

    # ------------------------------------------------------------ checking

    def payer(self, name: str) -> str | None:
        """The payer a name or alias matches (case and spacing ignored), or None.

        >>> import cptkg
        >>> ClaimRules(cptkg.load()).payer("  CIGNA ")
        'cptkg:payer-cigna'
        """
        return self.payer_names.get(" ".join(name.split()).casefold())

    def _reach(self, diagnosis: str) -> tuple[frozenset[str], frozenset[str]] | str:
        """(indications mapped to the diagnosis or its categories, those and their ancestors), or an error text."""
        found = self._reach_cache.get(diagnosis)
        if found is None:
            try:
                lineage = icd10cm_lineage(diagnosis)
            except InputError as error:
                found = str(error)
            else:
                mapped = frozenset(i for category in lineage for i in self.icd10cm.get(category, ()))
                reached = set(mapped)
                for indication in mapped:
                    reached |= self.ancestors.get(indication, set())
                found = (mapped, frozenset(reached))
            if len(self._reach_cache) >= _CACHE_LIMIT:
                self._reach_cache.clear()
            self._reach_cache[diagnosis] = found
        return found

    def check(self, line: ClaimLine) -> list[Finding]:
        """The findings for one line (a ``no-findings`` row when there are none)."""
        findings: list[Finding] = []

        def add(severity: str, rule: str, message: str, sources: tuple[str, ...] = ()) -> None:
            findings.append(Finding(line.claim_id, line.line, severity, rule, one_line(message), sources))

        code = line.code
        known = code in self.codes
        described = code in self.described
        if not known:
            add(
                "error",
                "code-unknown",
                f"{code} is not a billing code the graph holds; the code's checks did not run.",
                self.code_graphs,
            )
        elif not described:
            add(
                "info",
                "code-not-described",
                f"The graph holds {code} but no indications or regions for it; only the modifier, place-of-service and payer-name checks ran.",
                self.sources(self.codes[code]),
            )

        payer = self.payer(line.payer) if line.payer else None
        if payer is None:
            what = f"{line.payer!r} matches no payer name or alias in the graph" if line.payer else "No payer is given"
            add("warning", "payer-unknown", f"{what}; payer policy checks did not run.", self.payer_graphs)

        mapped: set[str] = set()
        reached: set[str] = set()
        for diagnosis in line.diagnoses:
            reach = self._reach(diagnosis)
            if isinstance(reach, str):
                add("error", "diagnosis-invalid", reach, ())
            else:
                mapped |= reach[0]
                reached |= reach[1]

        if described:
            indications = self.code_indications.get(code, set())
            if not indications:
                add(
                    "info",
                    "diagnosis-no-indication",
                    f"The graph holds no indications for {code}, so the diagnoses were not checked.",
                    self.sources(self.codes[code]),
                )
            elif not reached & indications:
                given = (
                    f"{', '.join(line.diagnoses)} reaches"
                    if line.diagnoses
                    else "The line gives no diagnosis, so it reaches"
                )
                add(
                    "warning",
                    "diagnosis-no-indication",
                    f"{given} none of the indications of {code} through the ICD-10-CM mappings; the codes that do: {self.reaching.get(code, 'none')}.",
                    self.diagnosis_sources.get(code, ()),
                )
            if payer is not None:
                self._check_coverage(line, payer, mapped, reached, add)

        self._check_modifiers(line, payer, add)

        if payer is not None and known:
            for limit, policy, number, kind in (self.coverage.get((code, payer)) or _NO_COVERAGE).units:
                if line.units > limit:
                    add(
                        "error",
                        "units-above-limit",
                        f"{line.units} units of {code}: {self.payer_labels.get(payer, payer)}'s {kind} {number} allows {limit} unit{'s' if limit > 1 else ''} of service.",
                        self.sources(policy),
                    )

        place = line.place_of_service
        if not place:
            add("warning", "place-of-service-unknown", "No place of service is given.", self.place_graphs)
        elif not _PLACE_OF_SERVICE.match(place):
            add(
                "error",
                "place-of-service-invalid",
                f"Place of service {place!r} is not a two-digit code.",
                self.place_graphs,
            )
        elif place not in self.places:
            add(
                "warning",
                "place-of-service-unknown",
                f"Place of service {place} is not one of the codes the graph holds ({', '.join(sorted(self.places))}).",
                self.place_graphs,
            )

        if line.variant and known:
            self._check_variant(line, add)

        if not findings:
            add("ok", "no-findings", "No findings: the line agrees with everything the graph holds about it.")
        return findings

    def _check_coverage(self, line: ClaimLine, payer: str, mapped: set[str], reached: set[str], add) -> None:
        rule = self.coverage.get((line.code, payer))
        payer_label = self.payer_labels.get(payer, payer)
        if rule is None:
            add(
                "info",
                "coverage-no-policy",
                f"The graph relates no policy of {payer_label} to {line.code}.",
                self.sources(payer),
            )
            return
        if rule.covered or rule.excluded:
            policies = _policy_list(rule.covering)
            sources = self.sources(*(p for p, _, _ in rule.covering))
            covered_names = _join(sorted(self.labels.get(i, i) for i in rule.covered)) or "no indication"
            if reached & rule.covered:
                pass  # covered
            elif any(i in self.ancestors.get(c, ()) for c in rule.covered for i in mapped):
                broader = _join(
                    sorted(self.labels[i] for i in mapped if any(i in self.ancestors.get(c, ()) for c in rule.covered))
                )
                add(
                    "info",
                    "coverage-conditional",
                    f"{payer_label}'s {policies} cover {line.code} only for {covered_names}; the diagnosis names {broader}, so coverage needs the claim to show the narrower indication.",
                    sources,
                )
            else:
                excluded = sorted(self.labels.get(i, i) for i in rule.excluded & reached)
                if excluded:
                    why = f"they exclude {_join(excluded)}, which the diagnosis names"
                elif mapped:
                    why = f"the diagnosis names {_join(sorted(self.labels.get(i, i) for i in mapped))}"
                else:
                    why = "no diagnosis of the line names a covered indication"
                with_ga = "GA" in line.modifiers
                route = (
                    "Modifier GA on the line says a waiver of liability (advance beneficiary notice) was issued."
                    if with_ga
                    else "If the patient signed an advance beneficiary notice (waiver of liability), modifier GA is the usual route."
                )
                extra = (self.modifiers["GA"][0],) if "GA" in self.modifiers else ()
                add(
                    "info" if with_ga else "warning",
                    "coverage-not-covered",
                    f"Expected non-coverage: {payer_label}'s {policies} cover {line.code} only for {covered_names}; {why}. {route}",
                    self.sources(*(p for p, _, _ in rule.covering), *extra),
                )
        if rule.gap_policies:
            named = "; ".join(
                f"{label}" + (f" ({number})" if number and number not in label else "")
                for _, label, number in rule.gap_policies
            )
            plural = len(rule.gap_policies) > 1
            add(
                "info",
                "coverage-criteria-gap",
                f"{payer_label}'s polic{'ies' if plural else 'y'} {named} may apply to {line.code}; {'their' if plural else 'its'} coverage criteria are not in the graph (a data gap): read the policy before sending the claim.",
                self.sources(*(p for p, _, _ in rule.gap_policies)),
            )
        elif not (rule.covered or rule.excluded or rule.units):
            add(
                "info",
                "coverage-no-policy",
                f"The graph holds no coverage criteria of {payer_label} for {line.code}.",
                self.sources(*sorted(rule.policies)),
            )

    def _check_modifiers(self, line: ClaimLine, payer: str | None, add) -> None:
        known: list[str] = []
        for modifier in line.modifiers:
            if not _MODIFIER.match(modifier):
                add(
                    "error",
                    "modifier-invalid",
                    f"Modifier {modifier!r} is not two letters or digits.",
                    self.modifier_graphs,
                )
            elif modifier not in self.modifiers:
                add(
                    "warning",
                    "modifier-unknown",
                    f"Modifier {modifier} is not one the graph holds ({', '.join(sorted(self.modifiers))}).",
                    self.modifier_graphs,
                )
            elif modifier not in known:
                known.append(modifier)
        clashing = sorted({m for m in known for other in known if other in self.exclusions.get(m, ())})
        if clashing:
            add(
                "error",
                "modifier-combination",
                f"Modifiers {_join(clashing)} never go together on one claim line.",
                self.sources(*(self.modifiers[m][0] for m in clashing)),
            )
        for modifier in known:
            if payer is not None and (conflict := self.conflicts.get((line.code, modifier, payer))):
                add("warning", "modifier-guidance-conflict", *conflict)
            note = self.modifier_notes.get(modifier)
            if note:
                resource, label = self.modifiers[modifier]
                add("info", "modifier-note", f"Modifier {modifier} ({label}): {note}", self.sources(resource))

    def _check_variant(self, line: ClaimLine, add) -> None:
        if self._variants is None:
            add(
                "info",
                "variant-check-unavailable",
                f"The variant {line.variant!r} was not checked: the variant feature (cptkg.variants) is not available in this installation.",
            )
            return
        key = (line.code, line.variant)
        if key not in self._variant_cache:
            if len(self._variant_cache) >= _CACHE_LIMIT:
                self._variant_cache.clear()
            self._variant_cache[key] = self._variants(line.code, line.variant)
        found = self._variant_cache[key]
        if found is not None:
            add(*found[2:])


_NO_COVERAGE = _Coverage("")


def _join(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    >>> _join(["GA", "GY", "GZ"])
    'GA, GY and GZ'
    """
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _policy_list(policies: Sequence[tuple[str, str, str]]) -> str:
    """Policies grouped by kind: ``local coverage determinations L35073 and L36335``."""
    kinds: dict[str, list[str]] = {}
    for _, number, kind in policies:
        kinds.setdefault(kind, []).append(number)
    return " and ".join(
        f"{kind + ('s' if len(numbers) > 1 and not kind.endswith('s') else '')} {_join(sorted(numbers))}"
        for kind, numbers in kinds.items()
    )


def _variant_classifier(kg: CoreGraph, sources) -> Any:
    """A function (code, variant) -> a finding's fields, or None when the variant is in the code's
    scope; through ``kg.variant`` (``cptkg.variants``). None when the variant feature is absent."""
    try:
        from .. import variants  # noqa: F401
    except ImportError:
        return None
    from ..core.errors import CptkgError

    def classify(code: str, expression: str) -> Finding | None:
        cited = sources(code)
        try:
            result = kg.variant(expression).to_dict()
        except CptkgError as error:
            return Finding(
                "",
                0,
                "warning",
                "variant-unclassified",
                f"The variant {expression!r} could not be classified: {error}",
                cited,
            )
        reason = result.get("reason") or ""
        if not result.get("in_scope"):
            return Finding(
                "",
                0,
                "error",
                "variant-out-of-scope",
                f"The variant {expression!r} is outside the scope of {code}: {reason}.",
                cited,
            )
        if result.get("code") != code:
            return Finding(
                "", 0, "error", "variant-out-of-scope",
                f"The variant {expression!r} is in the scope of {result.get('code')}, not of {code}: {reason}.", cited,
            )  # fmt: skip
        return None

    return classify


# ---------------------------------------------------------------- checking a file


class Tally:
    """Counts kept while findings stream past: lines, findings by severity, lines with an error."""

    def __init__(self) -> None:
        self.lines = 0
        self.severities: Counter[str] = Counter()
        self.error_lines = 0

    @property
    def exit_status(self) -> int:
        """0 when no line has an error-level finding, 1 when some do."""
        return 1 if self.error_lines else 0

    def summary(self) -> str:
        counts = ", ".join(f"{self.severities[s]} {s}" for s in SEVERITIES if self.severities[s])
        return f"{self.lines} line{'s' if self.lines != 1 else ''} checked: {counts or 'no findings'}; {self.error_lines} with errors"


def check_records(
    rules: ClaimRules, records: Iterable[tuple[int, Mapping[str, Any] | InputError]], tally: Tally | None = None
) -> Iterator[Finding]:
    """The findings of each record, line after line (a generator: memory stays flat)."""
    tally = tally if tally is not None else Tally()
    for number, record in records:
        tally.lines += 1
        if isinstance(record, InputError):
            findings = [_unreadable(number, "", record)]
        else:
            try:
                findings = rules.check(ClaimLine.parse(number, record))
            except InputError as error:
                claim_id = record.get("claim_id")
                findings = [
                    _unreadable(number, str(claim_id).strip() if isinstance(claim_id, (str, int)) else "", error)
                ]
        error_found = False
        for finding in findings:
            tally.severities[finding.severity] += 1
            error_found = error_found or finding.severity == "error"
            yield finding
        tally.error_lines += error_found


def _unreadable(number: int, claim_id: str, error: InputError) -> Finding:
    return Finding(claim_id, number, "error", "unreadable-line", one_line(f"The line cannot be read: {error.reason}."))


def records_of(
    path_or_rows: str | Path | Iterable[Mapping[str, Any]],
) -> Iterator[tuple[int, Mapping[str, Any] | InputError]]:
    """The records of a file path, or of rows given in Python."""
    if isinstance(path_or_rows, (str, Path)):
        return read_records(path_or_rows)
    return rows_records(path_or_rows)


def check_claims(kg: CoreGraph, path_or_rows: str | Path | Iterable[Mapping[str, Any]]) -> ClaimFindings:
    """The findings of every line of a CSV or JSON Lines file, or of rows given as dicts."""
    tally = Tally()
    findings = list(check_records(ClaimRules(kg), records_of(path_or_rows), tally))
    return ClaimFindings(findings, tally)


# ---------------------------------------------------------------- writing findings


def write_findings(
    findings: Iterable[Finding], out: TextIO, fmt: str, *, lines: int | None = None, tally: Tally | None = None
) -> None:
    """Stream findings as ``json`` (``{"lines": n, "findings": [...]}``), ``csv`` or ``text``.

    ``lines`` (needed first by JSON) is the number of lines the findings are about; ``tally``, when
    given, is the one filled while the findings are produced, for the text summary.
    """
    if fmt == "json":
        out.write(f'{{"lines": {lines or 0}, "findings": [')
        separator = "\n  "
        for finding in findings:
            out.write(separator)
            out.write(json.dumps(finding.to_dict(), ensure_ascii=False))
            separator = ",\n  "
        out.write("\n]}\n" if separator != "\n  " else "]}\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FINDING_FIELDS)
        for finding in findings:
            writer.writerow((*finding[:5], "; ".join(finding.sources)))
    elif fmt == "text":
        for finding in findings:
            out.write(finding.text())
            out.write("\n")
        if tally is not None:
            out.write(tally.summary() + "\n")
    else:
        raise InputError(f"unknown findings format {fmt!r}; expected json, csv or text")


class ClaimFindings(Sequence[Finding]):
    """The findings of a claim file, line by line, with its JSON, CSV, text, table and DataFrame forms."""

    def __init__(self, findings: Sequence[Finding], tally: Tally) -> None:
        self.findings = list(findings)
        self.tally = tally

    def __getitem__(self, position):  # type: ignore[override]
        return self.findings[position]

    def __len__(self) -> int:
        return len(self.findings)

    def __repr__(self) -> str:
        return f"<ClaimFindings {self.tally.summary()}>"

    def __str__(self) -> str:
        return self.to_text()

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

    def to_json(self) -> str:
        """``{"lines": n, "findings": [{"claim_id", "line", "severity", "rule", "message", "sources"}]}``."""
        return self._written("json")

    def to_csv(self) -> str:
        """One row per finding; sources separated by ``;``."""
        return self._written("csv")

    def to_text(self) -> str:
        """One readable line per finding, and a summary line."""
        return self._written("text")

    def records(self) -> list[dict[str, Any]]:
        """The findings as plain dictionaries."""
        return [finding.to_dict() for finding in self.findings]

    def to_table(self) -> str:
        """An aligned plain-text table of the findings."""
        return table(FINDING_FIELDS, [_cells(f) for f in self.findings])

    def _repr_html_(self) -> str:
        return html_table(FINDING_FIELDS, [_cells(f) for f in self.findings], caption=self.tally.summary())

    def to_dataframe(self) -> pandas.DataFrame:
        """The findings as a pandas DataFrame (``sources`` as lists; needs the ``pandas`` extra)."""
        try:
            import pandas
        except ImportError:  # pragma: no cover - depends on the environment
            from ..core.errors import CptkgError

            raise CptkgError("to_dataframe() needs pandas: pip install 'cptkg[pandas]'") from None
        return pandas.DataFrame(self.records(), columns=list(FINDING_FIELDS))


def _cells(finding: Finding) -> list[str]:
    return [
        finding.claim_id,
        str(finding.line),
        finding.severity,
        finding.rule,
        finding.message,
        "; ".join(finding.sources),
    ]
