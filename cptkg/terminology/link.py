"""Outside terminology and mapping files (RDF, OBO Graph JSON, SSSOM TSV) loaded into their own named graphs."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import InputError
from ..core.prefixes import CPTKG, NAMESPACES, curie_or_iri
from .identifiers import parse_curie

if TYPE_CHECKING:
    import curies
    import pyoxigraph as ox

    from ..core.graph import CoreGraph


SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
OBO_XREF = "http://www.geneontology.org/formats/oboInOwl#hasDbXref"


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
    """``sssom``, ``obographs`` or an RDF format name of :data:`cptkg.core.rdfio.FORMATS`."""
    from ..core.rdfio import format_for

    if explicit in LINK_FORMATS:
        return explicit  # type: ignore[return-value]
    if explicit:
        return format_for(path, explicit)
    if path.name.lower().endswith(".tsv"):
        return "sssom"
    if path.suffix.lower() == ".json":
        return "obographs"
    return format_for(path)


def link(kg: CoreGraph, path: str | Path, input_format: str | None = None) -> str:
    """Load an outside terminology or mapping file into its own named graph; returns the graph IRI.

    The whole file is read and checked before anything is added, so a refused file leaves the
    graph as it was. Errors name the file, the line and the reason.
    """
    from ..core.resources import Source

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
        from ..core.rdfio import read_quads

        quads = [_into(q, graph) for q in read_quads(path, graph, fmt=fmt, require_triples=True)]
    kg.add_source(Source(path, graph, fmt, True), quads)
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
        from ..core.rdfio import unreadable

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
#: Values a YAML header may stand for once its aliases are expanded (a real header has dozens; an
#: alias bomb of a few hundred bytes stands for billions).
MAX_YAML_VALUES = 100_000


def _curie_map(header: str, path: Path) -> dict[str, str]:
    """The ``curie_map`` of an SSSOM file's YAML header (prefix to URI prefix, both text)."""
    import yaml

    try:
        meta = _yaml_header(header, path) or {}
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
    if not all(isinstance(key, str) and isinstance(value, str) for key, value in prefix_map.items()):
        raise InputError("curie_map keys and values must be text (a prefix and its URI prefix)", path=path, line=1)
    return prefix_map


def _yaml_header(text: str, path: Path) -> object:
    """The SSSOM header read by YAML's safe loader, refused when its aliases (``*name``) would stand
    for more than :data:`MAX_YAML_VALUES` values: a YAML "billion laughs" is refused before any
    code expands it."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_YAML_VALUES:
            raise InputError(
                f"the header's YAML aliases stand for more than {MAX_YAML_VALUES:,} values; write it out plainly",
                path=path,
                line=1,
            )
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _expanded_size(root: object) -> int:
    """How many nodes a YAML node graph holds with every alias expanded (shared nodes counted once
    per use), computed once per node: linear in the graph, never in its expansion."""
    import yaml

    sizes: dict[int, int] = {}

    def size(node: object) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = 1  # a recursive alias counts once
        children = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [item for pair in node.value for item in pair]
        total = 1 + sum(size(child) for child in children)
        sizes[id(node)] = total
        return total

    return size(root)


def read_sssom(path: Path, graph: str) -> list[ox.Quad]:
    """The rows of an SSSOM TSV file as quads of ``graph``: one triple per mapping, plus labels.

    Refused, with file, line and reason: a header that is not YAML, a missing required column, a
    row of the wrong width, an unknown prefix, a malformed identifier, a confidence outside 0..1 and
    a row whose subject, predicate and object repeat an earlier row.
    """
    import pyoxigraph as ox

    lines = _read_text(path).splitlines()
    header_lines = 0
    while header_lines < len(lines) and lines[header_lines].startswith("#"):
        header_lines += 1
    converter = _file_converter(_curie_map("\n".join(line[1:] for line in lines[:header_lines]), path), path, 1)
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

    from ..core.prefixes import converter as package_converter

    try:
        document = json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg}", path=path, line=error.lineno) from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply to read", path=path, line=1) from None
    if not isinstance(document, dict) or not isinstance(document.get("graphs"), list):
        raise InputError("not an OBO Graph JSON document (no 'graphs' list)", path=path, line=1)
    convert = package_converter()

    def iri(value: str, where: str) -> ox.NamedNode:
        text = value.strip()
        if text.startswith(("http://", "https://", "urn:")):
            return ox.NamedNode(text)
        try:
            return ox.NamedNode(parse_curie(text, convert)[2])
        except InputError as error:
            raise InputError(f"{where}: {error}", path=path) from None

    g = ox.NamedNode(graph)
    quads: list[ox.Quad] = []
    predicates = {"is_a": ox.NamedNode(RDFS + "subClassOf"), "type": ox.NamedNode(RDF_TYPE)}
    shape = _Shape(path)
    for number, item in enumerate(document["graphs"]):
        item = shape.object(item, f"graphs[{number}]")
        for position, node in enumerate(shape.objects(item.get("nodes"), f"graphs[{number}].nodes")):
            where = f"graphs[{number}].nodes[{position}]"
            subject = iri(shape.text(node.get("id"), f"{where}.id"), where)
            if node.get("type") == "CLASS":
                quads.append(ox.Quad(subject, ox.NamedNode(RDF_TYPE), ox.NamedNode(OWL_CLASS), g))
            if node.get("lbl"):
                label = ox.Literal(shape.text(node["lbl"], f"{where}.lbl"))
                quads.append(ox.Quad(subject, ox.NamedNode(RDFS + "label"), label, g))
            meta = shape.object(node.get("meta"), f"{where}.meta")
            for xref in shape.objects(meta.get("xrefs"), f"{where}.meta.xrefs"):
                value = shape.text(xref.get("val"), f"{where}.meta.xrefs")
                quads.append(ox.Quad(subject, ox.NamedNode(OBO_XREF), ox.Literal(value), g))
            values = f"{where}.meta.basicPropertyValues"
            for value in shape.objects(meta.get("basicPropertyValues"), values):
                predicate = iri(shape.text(value.get("pred"), values), values)
                target = shape.text(value.get("val"), values)
                looks_like_id = target.startswith(("http://", "https://")) or (
                    ":" in target and convert.has_prefix(target.split(":", 1)[0])
                )
                term = iri(target, where) if looks_like_id else ox.Literal(target)
                quads.append(ox.Quad(subject, predicate, term, g))
        for position, edge in enumerate(shape.objects(item.get("edges"), f"graphs[{number}].edges")):
            where = f"graphs[{number}].edges[{position}]"
            sub, pred, obj = (shape.text(edge.get(key), f"{where}.{key}") for key in ("sub", "pred", "obj"))
            predicate = predicates.get(pred) or iri(pred, where)
            quads.append(ox.Quad(iri(sub, where), predicate, iri(obj, where), g))
    if not quads:
        raise InputError("holds no nodes or edges", path=path, line=1)
    return quads


class _Shape:
    """Checks that the parts of a JSON document have the kind the reader expects (an object, a list
    of objects, a text), so that any other kind is an InputError naming where, never a crash."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def object(self, value: object, where: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise InputError(f"{where}: expected a JSON object, not {_kind(value)}", path=self.path)
        return value

    def objects(self, value: object, where: str) -> list[dict]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise InputError(f"{where}: expected a list of JSON objects", path=self.path)
        return value

    def text(self, value: object, where: str) -> str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InputError(f"{where}: expected text, not {_kind(value)}", path=self.path)
        return str(value)


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean"}.get(type(value), type(value).__name__)
