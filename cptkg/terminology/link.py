"""Outside terminology and mapping files (SSSOM, OBO Graphs JSON, OBO, any RDF) linked into their own named graphs.

:func:`link` reads a file as it is published, keeps every row or statement that can be read,
sets aside the others with their line (or JSON path) and reason, and says what it linked in a
:class:`LinkReport`: how many mappings and statements, how many of them touch a cptkg resource
(an identifier the graph's SKOS matches name, or a cptkg IRI), what was skipped and why.
A file of which nothing can be used raises :class:`InputError` and leaves the graph as it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError, one_line
from ..core.findings import Report
from ..core.prefixes import CPTKG, curie_or_iri
from .identifiers import PrefixResolution
from .sssom import RDFS_LABEL, Skipped

if TYPE_CHECKING:
    import pyoxigraph as ox

    from ..core.graph import CoreGraph

LINK_FORMATS = ("sssom", "obographs", "obo")


def link_graph_name(path: Path) -> str:
    """The named graph an outside file goes into: ``cptkg:graph-link-<name>``.

    >>> link_graph_name(Path("mondo_exactmatch_ncit.sssom.tsv"))
    'https://w3id.org/cptkg/graph-link-mondo_exactmatch_ncit'
    """
    name = path.name
    suffixes = (".sssom.tsv", ".tsv", ".json", ".obo", ".ttl", ".owl", ".rdf", ".xml", ".nt", ".nq", ".trig", ".jsonld")
    for suffix in suffixes:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return f"{CPTKG}graph-link-{re.sub(r'[^A-Za-z0-9._-]+', '-', name) or 'file'}"


def link_format(path: Path, explicit: str | None = None) -> str:
    """``sssom``, ``obographs``, ``obo`` or an RDF format name of :data:`cptkg.core.rdfio.FORMATS`."""
    from ..core.rdfio import format_for

    if explicit in LINK_FORMATS:
        return explicit  # type: ignore[return-value]
    if explicit:
        return format_for(path, explicit)
    name = path.name.lower()
    if name.endswith(".tsv"):
        return "sssom"
    if name.endswith(".obo"):
        return "obo"
    if name.endswith(".json"):
        return "obographs"
    return format_for(path)


@dataclass
class LinkReport(Report):
    """What :func:`link` linked from one file: counts, the links into cptkg, and what was skipped."""

    path: str
    graph: str
    format: str
    reader: str
    statements: int
    mappings: int | None = None
    touching: list[tuple[str, str]] = field(default_factory=list)  # (outside identifier, cptkg resource)
    touching_count: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    not_kept: dict[str, int] = field(default_factory=dict)

    columns = ("line", "what", "reason")

    def entries(self) -> list[Skipped]:
        return self.skipped

    def cells(self, entry: Skipped) -> list[str]:
        return ["" if entry.line is None else str(entry.line), entry.where, entry.reason]

    @property
    def exit_status(self) -> int:
        return 0

    def summary(self) -> str:
        counted = f"{self.mappings} mapping{'s' if self.mappings != 1 else ''} ({self.statements} statements)"
        what = counted if self.mappings is not None else f"{self.statements} statements"
        unit = "mapping" if self.mappings is not None else "statement"
        text = (
            f"linked {self.path} into {curie_or_iri(self.graph)}: {what}; {self.touching_count} "
            f"{unit}{'s' if self.touching_count != 1 else ''} touch cptkg resources"
        )
        if self.skipped:
            text += f"; {len(self.skipped)} skipped"
        if self.not_kept:
            text += "; not kept: " + ", ".join(f"{n} {kind}" for kind, n in sorted(self.not_kept.items()))
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "graph": curie_or_iri(self.graph),
            "format": self.format,
            "reader": self.reader,
            "statements": self.statements,
            "mappings": self.mappings,
            "touching": self.touching_count,
            "links": [{"identifier": outside, "resource": resource} for outside, resource in self.touching],
            "skipped": [{"line": s.line, "where": s.where, "reason": s.reason} for s in self.skipped],
            "not_kept": self.not_kept,
        }

    def to_text(self) -> str:
        lines = [self.summary()]
        lines += [f"  {outside} -> {resource}" for outside, resource in self.touching]
        lines += [f"  skipped {entry.text()}" for entry in self.skipped]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()


def read_prefix_map(path: str | Path) -> dict[str, str]:
    """A prefix map file (YAML or JSON: prefix -> URI prefix; a ``curie_map`` key may hold it)."""
    import yaml

    from ..core.inputs import safe_yaml
    from ..core.rdfio import read_text

    path = Path(path)
    try:
        data = safe_yaml(read_text(path), path) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(f"not YAML or JSON: {one_line(str(getattr(error, 'problem', error)))}", path=path,
                         line=mark.line + 1 if mark else None) from None
    if isinstance(data, dict) and isinstance(data.get("curie_map"), dict):
        data = data["curie_map"]
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise InputError("a prefix map must map each prefix to a URI prefix (text to text)", path=path)
    for prefix, uri in data.items():
        if not re.fullmatch(r"[A-Za-z_][\w.-]*", prefix) or not uri.startswith(("http://", "https://", "urn:")):
            raise InputError(f"prefix {prefix!r}: expected a prefix name and an http(s) or urn URI, not {uri!r}", path=path)
    return data


def link(
    kg: CoreGraph, path: str | Path, input_format: str | None = None, prefix_map: dict[str, str] | str | Path | None = None
) -> LinkReport:
    """Load an outside terminology or mapping file into its own named graph and say what was linked.

    ``prefix_map`` (a dict, or a YAML/JSON file) gives prefixes their URI prefixes, over the file's
    own: how a placeholder or a foreign address is mapped to the graph's identifiers. The file is
    read and checked whole before anything is added; when nothing in it can be used, an
    :class:`InputError` naming the file, the line and the reason is raised and the graph is unchanged.
    """
    from ..core.resources import Source

    path = Path(path)
    graph = link_graph_name(path)
    if any(source.graph == graph for source in kg.sources):
        raise InputError(f"a file named like this is already linked as {curie_or_iri(graph)}", path=path)
    user_map = read_prefix_map(prefix_map) if isinstance(prefix_map, (str, Path)) else dict(prefix_map or {})
    fmt = link_format(path, input_format)
    report, quads, pairs = _read(path, graph, fmt, user_map)
    if not quads:
        if not report.skipped:
            raise InputError("holds nothing to link", path=path)
        first, more = report.skipped[0], len(report.skipped) - 1
        where = f" ({first.where})" if first.where else ""
        raise InputError(f"nothing to link{where}: {first.reason}" + (f" (and {more} more skipped)" if more else ""),
                         path=path, line=first.line)
    _count_touching(kg, report, pairs)
    kg.add_source(Source(path, graph, fmt, True), quads)
    return report


def _read(path: Path, graph: str, fmt: str, user_map: dict[str, str]) -> tuple[LinkReport, list[ox.Quad], list[tuple[str, str]]]:
    """The report (counts, skipped), the quads and the (subject, object) IRI pairs of one file."""
    if fmt == "sssom":
        from .sssom import mapping_quads, read_table

        table = read_table(path, _read_text(path))
        quads, mappings = mapping_quads(path, table, graph, user_map)
        report = LinkReport(str(path), graph, fmt, table.reader, len(quads), mappings, skipped=table.skipped)
        mapping_triples = [q for q in quads if q.predicate.value != RDFS_LABEL]
        return report, quads, [(q.subject.value, q.object.value) for q in mapping_triples]
    if fmt in ("obographs", "obo"):
        from .obographs import obograph_quads

        document, reader = (_obo_document(path), _pronto_version()) if fmt == "obo" else (_json(path), "json")
        try:
            quads, skipped, not_kept = obograph_quads(document, graph, PrefixResolution(None, user_map))
        except InputError as error:
            raise InputError(error.reason, path=path, line=1) from None
        report = LinkReport(str(path), graph, fmt, reader, len(quads), skipped=skipped, not_kept=not_kept)
        return report, quads, _node_pairs(quads)
    from ..core.rdfio import read_quads

    quads = [_into(q, graph) for q in read_quads(path, graph, fmt=fmt, require_triples=True)]
    return LinkReport(str(path), graph, fmt, "pyoxigraph", len(quads)), quads, _node_pairs(quads)


def _node_pairs(quads: list[ox.Quad]) -> list[tuple[str, str]]:
    import pyoxigraph as ox

    return [(q.subject.value, q.object.value if isinstance(q.object, ox.NamedNode) else "") for q in quads
            if isinstance(q.subject, ox.NamedNode)]


def _count_touching(kg: CoreGraph, report: LinkReport, pairs: list[tuple[str, str]]) -> None:
    """How many mappings (or statements) name an identifier a cptkg resource maps to, or a cptkg IRI."""
    targets: dict[str, set[str]] = {}
    for row in kg.query("mappings").records():
        if str(row["resource"]).startswith("cptkg:"):
            targets.setdefault(str(row["target"]), set()).add(str(row["resource"]))

    def resources(iri: str) -> set[str]:
        if iri.startswith(CPTKG):
            return {curie_or_iri(iri)}
        return targets.get(curie_or_iri(iri), set()) if iri else set()

    found: set[tuple[str, str]] = set()
    for pair in pairs:
        hits = {(curie_or_iri(iri), resource) for iri in pair for resource in resources(iri)}
        report.touching_count += bool(hits)
        found |= hits
    report.touching = sorted(found)


def _into(quad: ox.Quad, graph: str) -> ox.Quad:
    """A quad moved into ``graph`` (a dataset file's own graph names are not kept: one file, one graph)."""
    import pyoxigraph as ox

    return ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(graph))


def _read_text(path: Path) -> str:
    from ..core.rdfio import read_text

    return read_text(path)


def _json(path: Path) -> object:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg}", path=path, line=error.lineno) from None
    except RecursionError:
        raise InputError("not usable JSON: nested too deeply", path=path) from None


def _pronto_version() -> str:
    from importlib.metadata import version

    return f"pronto {version('pronto')}"


def _obo_document(path: Path) -> object:
    """An OBO flat file as an OBO Graphs document, read by pronto (the ``obo`` extra)."""
    import io
    import warnings

    try:
        import pronto
    except ImportError:
        raise InputError("reading .obo files needs pronto: pip install 'cptkg[mappings]'", path=path) from None
    _read_text(path)  # a missing or non-UTF-8 file is named here, not inside pronto
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pronto warns about every unknown header clause
            ontology = pronto.Ontology(str(path), import_depth=0)
            buffer = io.BytesIO()
            ontology.dump(buffer, format="json")
    except Exception as error:  # noqa: BLE001 - any failure of the outside reader is this file's error
        line = getattr(error, "lineno", None) or _line_of(str(error))
        raise InputError(f"pronto cannot read the OBO file: {one_line(str(error))[:200]}", path=path, line=line) from None
    return json.loads(buffer.getvalue().decode("utf-8"))


def _line_of(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None
