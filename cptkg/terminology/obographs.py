"""OBO Graphs JSON (https://github.com/geneontology/obographs) as RDF: what maps to triples is kept, the rest is named.

Kept, as the OBO Graphs specification writes them to OWL: nodes (``CLASS`` -> ``owl:Class``,
``PROPERTY`` -> ``owl:ObjectProperty``, ``INDIVIDUAL`` -> ``owl:NamedIndividual``), labels, the
node ``meta`` (definition -> ``IAO:0000115``, comments, subsets, synonyms, database cross-references,
property values, ``deprecated`` -> ``owl:deprecated``), edges (the built-in predicates ``is_a``,
``subPropertyOf``, ``inverseOf`` and ``type`` as their RDF/OWL properties; any other predicate as
a direct triple, the relation-graph reading of an existential edge), ``equivalentNodesSets``
(``owl:equivalentClass``), ``domainRangeAxioms`` (``rdfs:domain``/``rdfs:range``) and the graph's
own id and version (``owl:Ontology``, ``owl:versionIRI``).

Not kept, and said so in the summary: ``logicalDefinitionAxioms`` and ``propertyChainAxioms``
(OWL class and property expressions, which need blank-node structures a mapping graph does not
use), the ``allValuesFromEdges`` of domain-range axioms, and any key the specification does not
define. An element whose identifier cannot be read is skipped with its JSON path and reason.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError, one_line
from .sssom import Skipped

if TYPE_CHECKING:
    import pyoxigraph as ox

    from .identifiers import PrefixResolution

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
DEFINITION = "http://purl.obolibrary.org/obo/IAO_0000115"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

NODE_TYPES = {"CLASS": OWL + "Class", "PROPERTY": OWL + "ObjectProperty", "INDIVIDUAL": OWL + "NamedIndividual"}
BUILT_IN_PREDICATES = {
    "is_a": RDFS + "subClassOf",
    "subPropertyOf": RDFS + "subPropertyOf",
    "inverseOf": OWL + "inverseOf",
    "type": RDF + "type",
}
NOT_KEPT = ("logicalDefinitionAxioms", "propertyChainAxioms")
GRAPH_KEYS = {"id", "lbl", "meta", "nodes", "edges", "equivalentNodesSets", "domainRangeAxioms", *NOT_KEPT}
META_KEYS = {"definition", "comments", "subsets", "synonyms", "xrefs", "basicPropertyValues", "deprecated", "version"}


class _Writer:
    """Collects the quads of one document, and what was skipped or not kept."""

    def __init__(self, graph: str, resolution: PrefixResolution) -> None:
        import pyoxigraph as ox

        self.ox = ox
        self.graph = ox.NamedNode(graph)
        self.resolution = resolution
        self.quads: list[ox.Quad] = []
        self.skipped: list[Skipped] = []
        self.not_kept: Counter[str] = Counter()

    def node(self, value: object, where: str) -> ox.NamedNode | None:
        """The IRI of an identifier (a full IRI or a CURIE of a known prefix), or None with the element skipped."""
        if value is not None and not isinstance(value, str):  # a list or an object: never printed whole
            self.skipped.append(Skipped(None, f"an identifier must be text, not {_kind(value)}", where))
            return None
        text = (value or "").strip()
        try:
            return self.ox.NamedNode(self.resolution.expand(text))
        except (InputError, ValueError) as error:
            reason = error.reason if isinstance(error, InputError) else str(error)
            self.skipped.append(Skipped(None, one_line(f"identifier {text!r}: {reason}"), where))
            return None

    def add(self, subject: ox.NamedNode | None, predicate: str, obj: ox.NamedNode | ox.Literal | None) -> None:
        if subject is not None and obj is not None:
            self.quads.append(self.ox.Quad(subject, self.ox.NamedNode(predicate), obj, self.graph))

    def literal(self, value: object, where: str = "") -> ox.Literal | None:
        """A text value as a literal, or None with the element skipped (a list or an object is no text)."""
        text = self.text(value, where)
        return None if text is None else self.ox.Literal(text)

    def text(self, value: object, where: str) -> str | None:
        """A value that must be text (a string or a number), or None with the element skipped."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.skipped.append(Skipped(None, f"expected text, not {_kind(value)}", where))
            return None
        return str(value)

    def items(self, value: object, where: str, kind: type = object) -> list[Any]:
        """The elements of a JSON list (those of ``kind``; each other one skipped), [] for none; any
        other value is skipped with its place."""
        if value is None or value == [] or value == {} or value == "":
            return []
        if not isinstance(value, list):
            self.skipped.append(Skipped(None, f"expected a list, not {_kind(value)}", where))
            return []
        kept = []
        for position, item in enumerate(value):
            if isinstance(item, kind):
                kept.append(item)
            else:
                self.skipped.append(Skipped(None, f"expected {_KINDS.get(kind, kind.__name__)}, not {_kind(item)}",
                                            f"{where}[{position}]"))  # fmt: skip
        return kept

    def value(self, text: str, where: str) -> ox.NamedNode | ox.Literal:
        """A property value: an identifier when it is an IRI or a CURIE of a known prefix, else text."""
        prefix = text.split(":", 1)[0] if ":" in text else ""
        if text.startswith(("http://", "https://")) or (prefix and self.resolution.standard(prefix)):
            node = self.node(text, where)
            if node is not None:
                return node
        return self.literal(text)


def obograph_quads(document: object, graph: str, resolution: PrefixResolution) -> tuple[list[ox.Quad], list[Skipped], dict[str, int]]:
    """The quads of an OBO Graphs JSON document, the elements skipped, and what was not kept (by kind).

    >>> from cptkg.terminology.identifiers import PrefixResolution
    >>> doc = {"graphs": [{"nodes": [{"id": "http://purl.obolibrary.org/obo/BFO_0000050", "type": "PROPERTY"}],
    ...   "edges": [{"sub": "http://purl.obolibrary.org/obo/BFO_0000050", "pred": "inverseOf", "obj": "http://example.org/has_part"}]}]}
    >>> quads, skipped, not_kept = obograph_quads(doc, "https://w3id.org/cptkg/graph-link-x", PrefixResolution())
    >>> sorted(q.predicate.value.rsplit("#", 1)[-1] for q in quads)
    ['inverseOf', 'type']
    """
    if not isinstance(document, dict) or not isinstance(document.get("graphs"), list):
        raise InputError("not an OBO Graphs JSON document (no 'graphs' list)")
    out = _Writer(graph, resolution)
    for key in document:
        if key not in ("graphs", "meta"):
            out.not_kept[f"document key {key!r}"] += 1
    for number, item in enumerate(document["graphs"]):
        where = f"graphs[{number}]"
        if not isinstance(item, dict):
            out.skipped.append(Skipped(None, "a graph must be a JSON object", where))
            continue
        _graph(out, item, where)
    return out.quads, out.skipped, dict(out.not_kept)


def _graph(out: _Writer, item: dict[str, Any], where: str) -> None:
    for key, value in item.items():
        if key in NOT_KEPT:
            out.not_kept[key] += len(value) if isinstance(value, list) else 1
        elif key not in GRAPH_KEYS:
            out.not_kept[f"graph key {key!r}"] += 1
    if item.get("id"):
        ontology = out.node(item["id"], f"{where}.id")
        out.add(ontology, RDF + "type", out.ox.NamedNode(OWL + "Ontology"))
        meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
        if meta.get("version"):
            out.add(ontology, OWL + "versionIRI", out.node(meta["version"], f"{where}.meta.version"))
        _meta(out, ontology, {k: v for k, v in meta.items() if k != "version"}, f"{where}.meta")
    for position, entry in enumerate(out.items(item.get("nodes"), f"{where}.nodes")):
        _node(out, entry, f"{where}.nodes[{position}]")
    for position, edge in enumerate(out.items(item.get("edges"), f"{where}.edges")):
        here = f"{where}.edges[{position}]"
        if not isinstance(edge, dict):
            out.skipped.append(Skipped(None, "an edge must be a JSON object", here))
            continue
        pred = out.text(edge.get("pred") or "", here + ".pred") or ""
        named = None if pred in BUILT_IN_PREDICATES else out.node(pred, here + ".pred")
        predicate = BUILT_IN_PREDICATES.get(pred) or (named.value if named is not None else None)
        if predicate:
            out.add(out.node(edge.get("sub"), here + ".sub"), predicate, out.node(edge.get("obj"), here + ".obj"))
    for position, group in enumerate(out.items(item.get("equivalentNodesSets"), f"{where}.equivalentNodesSets", dict)):
        here = f"{where}.equivalentNodesSets[{position}]"
        ids = [out.node(i, here) for i in out.items(group.get("nodeIds"), here + ".nodeIds")]
        ids = [i for i in ids if i is not None]
        first = out.node(group["representativeNodeId"], here) if group.get("representativeNodeId") else None
        first = first or (ids[0] if ids else None)
        for other in ids:
            if other != first:
                out.add(first, OWL + "equivalentClass", other)
    for position, axiom in enumerate(out.items(item.get("domainRangeAxioms"), f"{where}.domainRangeAxioms", dict)):
        here = f"{where}.domainRangeAxioms[{position}]"
        prop = out.node(axiom.get("predicateId"), here)
        for key, predicate in (("domainClassIds", RDFS + "domain"), ("rangeClassIds", RDFS + "range")):
            for target in out.items(axiom.get(key), f"{here}.{key}"):
                out.add(prop, predicate, out.node(target, here))
        if axiom.get("allValuesFromEdges"):
            out.not_kept["allValuesFromEdges"] += len(axiom["allValuesFromEdges"]) if isinstance(axiom["allValuesFromEdges"], list) else 1


_KINDS = {dict: "a JSON object", list: "a list", str: "text", object: "a value"}


def _kind(value: object) -> str:
    """What a JSON value is, in words (for a skipped element's reason)."""
    return {dict: "an object", list: "a list", bool: "a boolean", type(None): "null"}.get(type(value), type(value).__name__)


def _node(out: _Writer, node: object, where: str) -> None:
    if not isinstance(node, dict):
        out.skipped.append(Skipped(None, "a node must be a JSON object", where))
        return
    subject = out.node(node.get("id"), where + ".id")
    if subject is None:
        return
    kind = NODE_TYPES.get(str(node.get("type") or ""))
    if kind:
        out.add(subject, RDF + "type", out.ox.NamedNode(kind))
    if node.get("lbl"):
        out.add(subject, RDFS + "label", out.literal(node["lbl"], where + ".lbl"))
    if isinstance(node.get("meta"), dict):
        _meta(out, subject, node["meta"], where + ".meta")


def _meta(out: _Writer, subject: ox.NamedNode | None, meta: dict[str, Any], where: str) -> None:
    if subject is None:
        return
    for key in meta:
        if key not in META_KEYS:
            out.not_kept[f"meta key {key!r}"] += 1
    definition = meta.get("definition")
    if isinstance(definition, dict) and definition.get("val"):
        out.add(subject, DEFINITION, out.literal(definition["val"], where + ".definition"))
    for comment in out.items(meta.get("comments"), where + ".comments"):
        out.add(subject, RDFS + "comment", out.literal(comment, where + ".comments"))
    for subset in out.items(meta.get("subsets"), where + ".subsets"):
        text = out.text(subset, where + ".subsets")
        if text is not None:
            out.add(subject, OIO + "inSubset", out.value(text, where + ".subsets"))
    for synonym in out.items(meta.get("synonyms"), where + ".synonyms", dict):
        if synonym.get("val"):
            pred = out.text(synonym.get("pred") or "hasRelatedSynonym", where + ".synonyms") or ""
            node = out.node(pred, where + ".synonyms") if ":" in pred else None
            predicate = node.value if node is not None else (OIO + pred if pred and ":" not in pred else None)
            if predicate:
                out.add(subject, predicate, out.literal(synonym["val"], where + ".synonyms"))
    for xref in out.items(meta.get("xrefs"), where + ".xrefs", dict):
        if xref.get("val"):
            out.add(subject, OIO + "hasDbXref", out.literal(xref["val"], where + ".xrefs"))
    values = where + ".basicPropertyValues"
    for position, value in enumerate(out.items(meta.get("basicPropertyValues"), values, dict)):
        here = f"{values}[{position}]"
        predicate = out.node(value.get("pred"), here)
        text = out.text(value.get("val", ""), here)
        if predicate is not None and text is not None:
            out.add(subject, predicate.value, out.value(text, here))
    if meta.get("deprecated") is True:
        out.add(subject, OWL + "deprecated", out.ox.Literal("true", datatype=out.ox.NamedNode(XSD_BOOLEAN)))
