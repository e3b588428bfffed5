"""Links to other terminologies: the mapping set, CURIE look-ups, ICD-10-CM code lineage, outside files.

The SKOS match triples of the data (and the ontology's ``rdfs:subClassOf`` links to Sequence
Ontology terms) are the one source of truth. :func:`mapping_set` reads them with the ``mappings``
named query and gives each one the reference record that supports it, a confidence and a comment;
:func:`to_sssom` writes that set as SSSOM TSV. :func:`lookup` answers "which cptkg resources does
this outside identifier map to, and how", resolving an ICD-10-CM code through its categories.
:func:`link` loads a terminology or mapping file a user brings (OWL/Turtle or any RDF format, OBO
Graph JSON, SSSOM TSV) into its own named graph, so that one SPARQL query can walk from a code
through its mappings into it.

(The ICD-10-CM lineage is shared by mapping look-ups and claim checks, so that both resolve a
billable code through its categories the same way.)
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .prefixes import CPTKG, NAMESPACES, PREFIXES, curie_or_iri

if TYPE_CHECKING:
    import curies
    import pyoxigraph as ox

    from .graph import KnowledgeGraph

_ICD10CM = re.compile(r"^[A-Z][0-9][0-9AB](\.[0-9A-KXZ]{1,4})?$")

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
OBO_XREF = "http://www.geneontology.org/formats/oboInOwl#hasDbXref"

#: How each SSSOM row of cptkg's own set is justified: every link was curated by hand from a cited record.
JUSTIFICATION = "semapv:ManualMappingCuration"

#: Confidence by the strength of the best record supporting a link (see :func:`grade`).
CONFIDENCE = {"primary": 0.95, "derived": 0.9, "secondary": 0.8, "conflict": 0.5}

#: Local-identifier patterns by prefix: the Bioregistry patterns kept in the package prefix map.
IDENTIFIER_PATTERNS: dict[str, str] = {row.prefix: row.pattern for row in PREFIXES if row.pattern}
_NO_SPACE = re.compile(r"^\S+$")


# ---------------------------------------------------------------- ICD-10-CM


def icd10cm_lineage(code: str) -> list[str]:
    """An ICD-10-CM code and the categories above it, most specific first.

    >>> icd10cm_lineage("C92.00")
    ['C92.00', 'C92.0', 'C92']
    >>> icd10cm_lineage("c18.7")
    ['C18.7', 'C18']
    >>> icd10cm_lineage("C20")
    ['C20']
    >>> icd10cm_lineage("18.7")
    Traceback (most recent call last):
    ...
    cptkg.errors.InputError: '18.7' is not an ICD-10-CM code (a letter, two characters, then optionally a dot and up to four)
    """
    value = code.strip().upper().removeprefix("ICD10CM:")
    if not _ICD10CM.match(value):
        raise InputError(
            f"{code!r} is not an ICD-10-CM code (a letter, two characters, then optionally a dot and up to four)"
        )
    category, _, rest = value.partition(".")
    return [f"{category}.{rest[:n]}" for n in range(len(rest), 0, -1)] + [category]


# ---------------------------------------------------------------- CURIEs


def parse_curie(text: str, converter: curies.Converter | None = None) -> tuple[str, str, str]:
    """Check a CURIE against a prefix map; returns (prefix, local identifier, IRI).

    The prefix must be in the map (the package's by default) and the local identifier must match
    the prefix's registered pattern where cptkg knows it, and hold no white space otherwise.

    >>> parse_curie("MONDO:0005575")
    ('MONDO', '0005575', 'http://purl.obolibrary.org/obo/MONDO_0005575')
    >>> parse_curie("MONDO:5575")
    Traceback (most recent call last):
    ...
    cptkg.errors.InputError: malformed identifier 'MONDO:5575': the local part '5575' does not match the MONDO pattern ^\\d{7}$
    >>> parse_curie("NOPE:1")
    Traceback (most recent call last):
    ...
    cptkg.errors.InputError: unknown prefix 'NOPE' in 'NOPE:1'
    """
    from .prefixes import converter as package_converter

    convert = converter or package_converter()
    value = str(text).strip()
    prefix, sep, local = value.partition(":")
    if not sep or not prefix or not local:
        raise InputError(f"malformed CURIE {text!r}: expected PREFIX:IDENTIFIER, such as MONDO:0005575")
    if not convert.has_prefix(prefix):
        raise InputError(f"unknown prefix {prefix!r} in {text!r}")
    prefix = convert.standardize_prefix(prefix) or prefix
    pattern = IDENTIFIER_PATTERNS.get(prefix)
    if pattern and not re.match(pattern, local):
        raise InputError(
            f"malformed identifier {text!r}: the local part {local!r} does not match the {prefix} pattern {pattern}"
        )
    if not _NO_SPACE.match(local) or any(c in local for c in '<>"{}|\\^`'):
        raise InputError(f"malformed identifier {text!r}: the local part holds a space or a character IRIs forbid")
    return prefix, local, convert.expand_pair(prefix, local)


# ---------------------------------------------------------------- the mapping set


@dataclass(frozen=True)
class Mapping:
    """One link from a cptkg resource to an outside identifier, with its support."""

    subject: str
    subject_label: str | None
    predicate: str
    object: str
    graph: str
    #: the cited reference records whose value or fact names the identifier
    sources: tuple[str, ...]
    citations: tuple[str, ...]
    confidence: float
    comment: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "sources": list(self.sources), "citations": list(self.citations)}


def grade(status: str, citation: str) -> str:
    """How strong a record's support is: primary, derived, secondary, conflict or unverified.

    >>> grade("VERIFIED", "github:monarch-initiative/mondo@fad2512b4845:src/ontology/mappings/")
    'primary'
    >>> grade("VERIFIED (secondary)", "http://www.qmbs.com/")
    'secondary'
    >>> grade("VERIFIED", "github:linkml/valuesets@86eab0158e0d:... (secondary mapping, not NCIt itself)")
    'secondary'
    """
    status = status.upper()
    if status.startswith("UNVERIFIED"):
        return "unverified"
    if status.startswith("CONFLICT"):
        return "conflict"
    if "SECONDARY" in status or "secondary" in citation.lower():
        return "secondary"
    if "DERIVED" in status:
        return "derived"
    return "primary"


def _names(local: str, text: str) -> bool:
    """Whether a record's text names an identifier as a whole word (not as part of a longer code)."""
    return re.search(rf"(?<!\w)(?<!\d\.){re.escape(local)}(?!\w)(?!\.\d)", text) is not None


def _record_texts(kg: KnowledgeGraph) -> dict[str, str]:
    rows = kg.sparql(
        "SELECT ?r ?text WHERE { ?r a cptkg:ReferenceRecord . "
        "{ ?r cptkg:referenceValue ?text } UNION { ?r cptkg:referenceFact ?text } }"
    )
    texts: dict[str, list[str]] = {}
    for row in rows:
        texts.setdefault(curie_or_iri(row["r"]), []).append(str(row["text"]))
    return {record: "\n".join(parts) for record, parts in texts.items()}


def mapping_set(kg: KnowledgeGraph, resource: str | None = None) -> list[Mapping]:
    """The graph's links to other terminologies, each with the record that supports it.

    A link's sources are the records its graph cites for the resource whose value or fact names the
    target identifier. Its confidence follows the best of them (:data:`CONFIDENCE`); a link that
    only an UNVERIFIED record supports is left out, and one with no naming record at all too (the
    source tests make sure neither happens in the packaged data).
    """
    from .prefixes import converter

    params = {"resource": resource} if resource else {}
    grouped: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in kg.query("mappings", **params).records():
        key = (row["resource"], row["predicate"], row["target"], row["graph"])
        entry = grouped.setdefault(key, {"label": row["label"], "sources": {}})
        if row["label"] and (entry["label"] is None or row["label"] < entry["label"]):
            entry["label"] = row["label"]
        if row["source"]:
            entry["sources"][row["source"]] = (row["status"] or "", row["citation"] or "")
    texts = _record_texts(kg)
    mappings = []
    for (subject, predicate, target, graph), entry in grouped.items():
        prefix, _, rest = target.partition(":")
        local = rest if converter().has_prefix(prefix) else target
        support = {
            source: (status, citation)
            for source, (status, citation) in entry["sources"].items()
            if _names(local, texts.get(source, ""))
        }
        grades = {source: grade(*value) for source, value in support.items()}
        usable = sorted(source for source, level in grades.items() if level != "unverified")
        if not usable:
            continue
        best = min((grades[s] for s in usable), key=list(CONFIDENCE).index)
        notes = {
            "primary": "VERIFIED in the reference facts",
            "derived": "derived from VERIFIED values",
            "secondary": "VERIFIED in a secondary source only (a summary page or another project's mapping)",
            "conflict": "the reference records a conflict between sources; weigh before use",
        }
        comment = f"{notes[best]}; cited: " + " ; ".join(support[s][1] for s in usable)
        mappings.append(
            Mapping(
                subject=subject,
                subject_label=entry["label"],
                predicate=predicate,
                object=target,
                graph=graph,
                sources=tuple(usable),
                citations=tuple(support[s][1] for s in usable),
                confidence=CONFIDENCE[best],
                comment=comment,
            )
        )
    return sorted(mappings, key=lambda m: (m.subject, m.predicate, m.object, m.graph))


SSSOM_COLUMNS = (
    "subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification",
    "confidence", "see_also", "comment",
)  # fmt: skip


def to_sssom(mappings: Sequence[Mapping], *, version: str | None = None) -> str:
    """The mapping set as SSSOM TSV: a YAML header (curie_map and set metadata), then one row per link.

    A link stated by several graphs is one row; ``see_also`` lists the supporting records
    (``cptkg:ref-...`` CURIEs, each a row of the reference fact tables) and ``comment`` says how
    strong they are and what they cite.
    """
    from . import __version__

    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for m in mappings:
        key = (m.subject, m.predicate, m.object)
        row = rows.get(key)
        if row is None:
            rows[key] = {
                "subject_id": m.subject,
                "subject_label": m.subject_label or "",
                "predicate_id": m.predicate,
                "object_id": m.object,
                "mapping_justification": JUSTIFICATION,
                "confidence": f"{m.confidence:g}",
                "see_also": "|".join(m.sources),
                "comment": m.comment,
            }
        else:  # the same link from another graph: keep the stronger support
            if m.confidence > float(row["confidence"]):
                row.update(confidence=f"{m.confidence:g}", comment=m.comment)
            row["see_also"] = "|".join(sorted(set(row["see_also"].split("|")) | set(m.sources)))
    used = {
        value.split(":", 1)[0]
        for row in rows.values()
        for column in ("subject_id", "predicate_id", "object_id", "mapping_justification")
        for value in [row[column]]
    } | {source.split(":", 1)[0] for row in rows.values() for source in row["see_also"].split("|") if source}
    header = {
        "mapping_set_id": f"{CPTKG}mappings/cptkg.sssom.tsv",
        "mapping_set_version": version or __version__,
        "mapping_set_title": "cptkg: CPT molecular-pathology knowledge graph links to other terminologies",
        "mapping_set_description": (
            "SKOS matches of the cptkg graph (and its ontology's subclass links to the Sequence Ontology), "
            "each curated by hand from a row of the cptkg reference fact tables named in see_also."
        ),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "mapping_provider": "https://w3id.org/cptkg/",
    }
    lines = ["# curie_map:"]
    lines += [f"#   {prefix}: {json.dumps(uri)}" for prefix, uri in NAMESPACES.items() if prefix in used]
    lines += [f"# {key}: {json.dumps(value)}" for key, value in header.items()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(SSSOM_COLUMNS)
    for key in sorted(rows):
        writer.writerow([rows[key][column].replace("\t", " ").replace("\n", " ") for column in SSSOM_COLUMNS])
    return "\n".join(lines) + "\n" + buffer.getvalue()


def to_turtle(mappings: Sequence[Mapping]) -> str:
    """The links as canonical Turtle triples (resource, predicate, target)."""
    from rdflib import Graph, URIRef

    from .prefixes import expand
    from .rdfio import bind_prefixes, serialize

    graph = bind_prefixes(Graph())
    for m in mappings:
        graph.add((URIRef(expand(m.subject)), URIRef(expand(m.predicate)), URIRef(expand(m.object))))
    return serialize(graph, "turtle")


# ---------------------------------------------------------------- reverse look-up


@dataclass(frozen=True)
class Hit:
    """A cptkg resource an outside identifier reaches, and how."""

    resource: str
    label: str | None
    types: tuple[str, ...]
    #: the predicate as the graph states it, from the resource to ``via``
    predicate: str
    #: the identifier the graph links to: the one asked about, or an ICD-10-CM category above it
    via: str
    graphs: tuple[str, ...]


@dataclass
class Answer:
    """What :func:`lookup` found for one outside identifier."""

    identifier: str
    iri: str
    lineage: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.hits)

    def message(self) -> str:
        if self.found:
            return f"{self.identifier} maps to {len({h.resource for h in self.hits})} cptkg resource(s)"
        tried = f" (nor do its categories {', '.join(self.lineage[1:])})" if len(self.lineage) > 1 else ""
        return f"no mapping: no cptkg resource maps to {self.identifier}{tried}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "identifier": self.identifier,
            "iri": self.iri,
            "lineage": self.lineage,
            "found": self.found,
            "message": self.message(),
            "mappings": [
                {**asdict(hit), "types": list(hit.types), "graphs": list(hit.graphs), "direct": hit.via == self.identifier}
                for hit in self.hits
            ],
        }

    def to_text(self) -> str:
        lines = [self.message()]
        for hit in self.hits:
            how = "" if hit.via == self.identifier else f"  (through its category {hit.via})"
            lines.append(f"  {hit.resource}  {hit.predicate}  {hit.via}{how}  -- {hit.label or ''}".rstrip(" -"))
        return "\n".join(lines) + "\n"


def lookup(kg: KnowledgeGraph, identifier: str) -> Answer:
    """Which cptkg resources an outside identifier (a CURIE, or an IRI such as a code system URI) maps to.

    An ICD-10-CM code is looked up with each category above it (:func:`icd10cm_lineage`), most
    specific first, so that a billable code reaches the indication mapped to its category. A
    malformed CURIE or an unknown prefix raises :class:`~cptkg.errors.InputError`.
    """
    from .prefixes import curie

    text = str(identifier).strip()
    if text.startswith(("http://", "https://", "urn:")):
        iri = text
        identifier = curie(iri) or iri
        candidates = [identifier]
    else:
        prefix, local, iri = parse_curie(text)
        identifier = f"{prefix}:{local}"
        candidates = [f"ICD10CM:{code}" for code in icd10cm_lineage(local)] if prefix == "ICD10CM" else [identifier]
        identifier = candidates[0]
    answer = Answer(identifier, iri, lineage=candidates if len(candidates) > 1 else [])
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for candidate in candidates:
        for row in kg.query("mapped-resources", target=candidate).records():
            key = (row["resource"], row["predicate"], candidate)
            entry = seen.setdefault(key, {"label": row["label"], "types": set(), "graphs": set()})
            if row["type"]:
                entry["types"].add(row["type"])
            entry["graphs"].add(row["graph"])
    for (resource, predicate, via), entry in seen.items():
        answer.hits.append(
            Hit(resource, entry["label"], tuple(sorted(entry["types"])), predicate, via, tuple(sorted(entry["graphs"])))
        )
    return answer


# ---------------------------------------------------------------- linking outside files

LINK_FORMATS = ("sssom", "obographs")


def link_graph_name(path: Path) -> str:
    """The named graph an outside file goes into: ``cptkg:graph-link-<name>``.

    >>> link_graph_name(Path("mondo_exactmatch_ncit.sssom.tsv"))
    'https://w3id.org/cptkg/graph-link-mondo_exactmatch_ncit'
    """
    name = path.name
    for suffix in (".sssom.tsv", ".tsv", ".json", ".ttl", ".owl", ".rdf", ".xml", ".nt", ".nq", ".trig", ".jsonld"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return f"{CPTKG}graph-link-{re.sub(r'[^A-Za-z0-9._-]+', '-', name) or 'file'}"


def link_format(path: Path, explicit: str | None = None) -> str:
    """``sssom``, ``obographs`` or an RDF format name of :data:`cptkg.rdfio.FORMATS`."""
    from .rdfio import format_for

    if explicit in LINK_FORMATS:
        return explicit  # type: ignore[return-value]
    if explicit:
        return format_for(path, explicit)
    if path.name.lower().endswith(".tsv"):
        return "sssom"
    if path.suffix.lower() == ".json":
        return "obographs"
    return format_for(path)


def link(kg: KnowledgeGraph, path: str | Path, input_format: str | None = None) -> str:
    """Load an outside terminology or mapping file into its own named graph; returns the graph IRI.

    The whole file is read and checked before anything is added, so a refused file leaves the
    graph as it was. Errors name the file, the line and the reason.
    """
    from .resources import Source

    path = Path(path)
    graph = link_graph_name(path)
    if any(source.graph == graph for source in kg.sources):
        raise InputError(f"a file named like this is already linked as {curie_or_iri(graph)}", path=path)
    fmt = link_format(path, input_format)
    if fmt == "sssom":
        quads = read_sssom(path, graph)
    elif fmt == "obographs":
        quads = read_obographs(path, graph)
    else:
        from .rdfio import read_quads

        quads = [_into(q, graph) for q in read_quads(path, graph, fmt=fmt, require_triples=True)]
    kg.backend.add(quads)
    kg.sources.append(Source(path, graph, fmt, True))
    for view in ("dataset", "data", "ontology"):  # rdflib views built before the link are stale
        kg.__dict__.pop(view, None)
    return graph


def _into(quad: ox.Quad, graph: str) -> ox.Quad:
    """A quad moved into ``graph`` (a dataset file's own graph names are not kept: one file, one graph)."""
    import pyoxigraph as ox

    return ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(graph))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text: {error.reason}", path=path) from None
    except OSError as error:
        from .rdfio import unreadable

        raise unreadable(path, error) from None


def _file_converter(prefix_map: dict[str, str], path: Path, line: int) -> curies.Converter:
    """The package prefix map plus a file's own prefixes; a file may not redefine a package prefix."""
    import curies

    converter = curies.Converter.from_prefix_map(dict(NAMESPACES))
    for prefix, uri in prefix_map.items():
        prefix, uri = str(prefix), str(uri)
        if converter.has_prefix(prefix):
            known = converter.expand_pair(prefix, "")
            if known != uri:
                raise InputError(
                    f"the curie_map gives prefix {prefix!r} the URI {uri!r}, but it is {known!r}", path=path, line=line
                )
        elif uri in converter.reverse_prefix_map:
            converter.add_prefix_synonym(converter.reverse_prefix_map[uri], prefix)
        else:
            converter.add_prefix(prefix, uri)
    return converter


SSSOM_REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")


def read_sssom(path: Path, graph: str) -> list[ox.Quad]:
    """The rows of an SSSOM TSV file as quads of ``graph``: one triple per mapping, plus labels.

    Refused, with file, line and reason: a header that is not YAML, a missing required column, a
    row of the wrong width, an unknown prefix, a malformed identifier, a confidence outside 0..1 and
    a row whose subject, predicate and object repeat an earlier row.
    """
    import pyoxigraph as ox
    import yaml

    lines = _read_text(path).splitlines()
    header_lines = 0
    while header_lines < len(lines) and lines[header_lines].startswith("#"):
        header_lines += 1
    try:
        meta = yaml.safe_load("\n".join(line[1:] for line in lines[:header_lines])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(
            f"the header is not valid YAML: {getattr(error, 'problem', error)}",
            path=path,
            line=mark.line + 1 if mark else 1,
        ) from None
    if not isinstance(meta, dict):
        raise InputError("the header must be a YAML mapping", path=path, line=1)
    prefix_map = meta.get("curie_map") or {}
    if not isinstance(prefix_map, dict):
        raise InputError("curie_map must map prefixes to URI prefixes", path=path, line=1)
    converter = _file_converter(prefix_map, path, 1)
    table = list(csv.reader(lines[header_lines:], delimiter="\t", quoting=csv.QUOTE_NONE))
    column_line = header_lines + 1
    if not table or not any(table[0]):
        raise InputError("no column header line after the YAML header", path=path, line=column_line)
    columns = table[0]
    missing = [name for name in SSSOM_REQUIRED if name not in columns]
    if missing:
        raise InputError(f"the column header lacks {', '.join(missing)}", path=path, line=column_line)
    index = {name: position for position, name in enumerate(columns)}
    quads: list[ox.Quad] = []
    seen: dict[tuple[str, str, str], int] = {}
    g = ox.NamedNode(graph)
    label = ox.NamedNode(RDFS + "label")
    for offset, cells in enumerate(table[1:], start=1):
        number = column_line + offset
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            raise InputError(f"the row has {len(cells)} fields; the header has {len(columns)}", path=path, line=number)
        iris = {}
        for name in SSSOM_REQUIRED:
            value = cells[index[name]].strip()
            try:
                iris[name] = parse_curie(value, converter)[2]
            except InputError as error:
                raise InputError(f"{name}: {error}", path=path, line=number) from None
        if "confidence" in index and cells[index["confidence"]].strip():
            try:
                confidence = float(cells[index["confidence"]])
            except ValueError:
                confidence = -1.0
            if not 0.0 <= confidence <= 1.0:
                raise InputError(f"confidence {cells[index['confidence']]!r} is not a number from 0 to 1", path=path, line=number)
        key = (iris["subject_id"], iris["predicate_id"], iris["object_id"])
        if key in seen:
            raise InputError(
                f"duplicate row: {cells[index['subject_id']]} {cells[index['predicate_id']]} "
                f"{cells[index['object_id']]} is already on line {seen[key]}",
                path=path,
                line=number,
            )
        seen[key] = number
        subject, obj = ox.NamedNode(key[0]), ox.NamedNode(key[2])
        quads.append(ox.Quad(subject, ox.NamedNode(key[1]), obj, g))
        for column, node in (("subject_label", subject), ("object_label", obj)):
            if column in index and cells[index[column]].strip():
                quads.append(ox.Quad(node, label, ox.Literal(cells[index[column]].strip()), g))
    if not quads:
        raise InputError("holds no mapping rows", path=path, line=column_line)
    return quads


def read_obographs(path: Path, graph: str) -> list[ox.Quad]:
    """The nodes and edges of an OBO Graph JSON file as quads of ``graph``.

    Nodes give ``rdf:type owl:Class`` (for CLASS nodes), ``rdfs:label``, database cross-references
    (``oboInOwl:hasDbXref`` literals) and property values whose value is an identifier (SKOS
    matches, for instance); ``is_a`` edges give ``rdfs:subClassOf``, other edges their predicate.
    """
    import pyoxigraph as ox

    from .prefixes import converter as package_converter

    try:
        document = json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg}", path=path, line=error.lineno) from None
    if not isinstance(document, dict) or not isinstance(document.get("graphs"), list):
        raise InputError("not an OBO Graph JSON document (no 'graphs' list)", path=path, line=1)
    convert = package_converter()

    def iri(value: object, where: str) -> ox.NamedNode:
        text = str(value or "").strip()
        if text.startswith(("http://", "https://", "urn:")):
            return ox.NamedNode(text)
        try:
            return ox.NamedNode(parse_curie(text, convert)[2])
        except InputError as error:
            raise InputError(f"{where}: {error}", path=path) from None

    g = ox.NamedNode(graph)
    quads: list[ox.Quad] = []
    predicates = {"is_a": ox.NamedNode(RDFS + "subClassOf"), "type": ox.NamedNode(RDF_TYPE)}
    for number, item in enumerate(document["graphs"]):
        for position, node in enumerate(item.get("nodes") or []):
            where = f"graphs[{number}].nodes[{position}]"
            subject = iri(node.get("id"), where)
            if node.get("type") == "CLASS":
                quads.append(ox.Quad(subject, ox.NamedNode(RDF_TYPE), ox.NamedNode(OWL_CLASS), g))
            if node.get("lbl"):
                quads.append(ox.Quad(subject, ox.NamedNode(RDFS + "label"), ox.Literal(str(node["lbl"])), g))
            meta = node.get("meta") or {}
            for xref in meta.get("xrefs") or []:
                quads.append(ox.Quad(subject, ox.NamedNode(OBO_XREF), ox.Literal(str(xref.get("val", ""))), g))
            for value in meta.get("basicPropertyValues") or []:
                predicate = iri(value.get("pred"), f"{where}.meta.basicPropertyValues")
                target = str(value.get("val", ""))
                looks_like_id = target.startswith(("http://", "https://")) or (
                    ":" in target and convert.has_prefix(target.split(":", 1)[0])
                )
                term = iri(target, where) if looks_like_id else ox.Literal(target)
                quads.append(ox.Quad(subject, predicate, term, g))
        for position, edge in enumerate(item.get("edges") or []):
            where = f"graphs[{number}].edges[{position}]"
            predicate = predicates.get(edge.get("pred")) or iri(edge.get("pred"), where)
            quads.append(ox.Quad(iri(edge.get("sub"), where), predicate, iri(edge.get("obj"), where), g))
    if not quads:
        raise InputError("holds no nodes or edges", path=path, line=1)
    return quads
