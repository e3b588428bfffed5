"""The shapes as pyshacl runs them fast, and the identifier patterns they are written with."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class FlatShapes:
    """Shapes with every property shape of a targeted node shape lifted to the top level.

    ``owners`` maps each lifted property shape to the named node shape it was written in, which
    is how results name their shape.
    """

    graph: rdflib.Graph
    owners: dict[Node, Node]


_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "deactivated")
_flattened: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def flat_shapes(shapes: rdflib.Graph) -> FlatShapes:
    """The shapes as pyshacl runs them fast: same meaning, property shapes at the top level.

    SHACL applies a node shape's property shape to each focus node of the node shape; a top-level
    property shape with the same targets means the same. pyshacl evaluates a nested property
    shape once per focus node (building its constraint components anew each time) but a top-level
    one once for all its focus nodes, ten times faster on the reference records. Shapes that
    another shape refers to (``sh:node``, ``sh:or``...) keep their nesting. Computed once per
    shapes graph.
    """
    if shapes in _flattened:
        return _flattened[shapes]
    from rdflib import RDF, Graph, URIRef

    sh = lambda name: URIRef(SH + name)
    graph = Graph()
    for triple in shapes:
        graph.add(triple)
    owners: dict[Node, Node] = {}
    referenced = {value for _, predicate, value in shapes if predicate != sh("property")}
    for node_shape in set(shapes.subjects(RDF.type, sh("NodeShape"))):
        targets = [(sh(name), value) for name in _TARGETS for value in shapes.objects(node_shape, sh(name))]
        if node_shape in referenced or not any(name != sh("deactivated") for name, _ in targets):
            continue
        for property_shape in list(shapes.objects(node_shape, sh("property"))):
            graph.remove((node_shape, sh("property"), property_shape))
            graph.add((property_shape, RDF.type, sh("PropertyShape")))
            for name, value in targets:
                graph.add((property_shape, name, value))
            owners[property_shape] = node_shape
    flat = FlatShapes(graph, owners)
    _flattened[shapes] = flat
    return flat


def identifier_pattern(uri_prefix: str, local_pattern: str) -> str:
    r"""The pattern an outside identifier's IRI must match: any IRI outside the namespace, or the
    namespace followed by a local part that matches ``local_pattern`` (anchored ``^...$``).

    The shapes check CURIEs of outside terminologies with it: the local pattern is Bioregistry's,
    unchanged, after the namespace written with regex escapes. IRIs of other namespaces pass by
    a negative lookahead, so that one cheap ``sh:pattern`` per prefix can look at every SKOS match
    (Python's and Java's regex engines have lookahead; XML Schema regex has not).

    >>> pattern = identifier_pattern("http://purl.obolibrary.org/obo/MONDO_", "^[0-9]{7}$")
    >>> print(pattern)
    ^(?!http://purl\.obolibrary\.org/obo/MONDO_)|^http://purl\.obolibrary\.org/obo/MONDO_[0-9]{7}$
    >>> import re
    >>> [bool(re.search(pattern, "http://purl.obolibrary.org/obo/" + local)) for local in ("MONDO_0005012", "MONDO_5012", "NCIT_C3510")]
    [True, False, True]
    """
    if not (local_pattern.startswith("^") and local_pattern.endswith("$")):
        raise ValueError(f"expected an anchored pattern, got {local_pattern!r}")
    namespace = "".join("\\" + c if c in _REGEX_SPECIALS else c for c in uri_prefix)
    return f"^(?!{namespace})|^{namespace}{local_pattern[1:]}"


_REGEX_SPECIALS = set(".?*+(){}[]|^$\\")
