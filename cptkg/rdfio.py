"""Reading and writing RDF files: formats, errors that name the file and line, term conversion.

Files are parsed with pyoxigraph (fast, exact line numbers, and it never fetches a remote JSON-LD
context). Its terms are converted to rdflib terms where rdflib-based tools (pyshacl, owlrl,
rdflib's serialisers) need them; plain strings come back from pyoxigraph typed ``xsd:string`` and
are turned into rdflib's plain literals here, so the two libraries' literals compare equal.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .errors import InputError, OutputExistsError
from .prefixes import NAMESPACES

if TYPE_CHECKING:
    import rdflib

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: name -> (file extensions, pyoxigraph format, rdflib serialiser name)
FORMATS: dict[str, tuple[tuple[str, ...], ox.RdfFormat, str]] = {
    "turtle": ((".ttl",), ox.RdfFormat.TURTLE, "turtle"),
    "n-triples": ((".nt",), ox.RdfFormat.N_TRIPLES, "nt"),
    "n-quads": ((".nq",), ox.RdfFormat.N_QUADS, "nquads"),
    "trig": ((".trig",), ox.RdfFormat.TRIG, "trig"),
    "json-ld": ((".jsonld", ".json"), ox.RdfFormat.JSON_LD, "json-ld"),
    "rdf-xml": ((".rdf", ".owl", ".xml"), ox.RdfFormat.RDF_XML, "xml"),
}
DATASET_FORMATS = frozenset({"n-quads", "trig"})


def format_for(path: Path | str, explicit: str | None = None) -> str:
    """The format name of a file, from ``explicit`` or from the file's extension.

    >>> format_for("claims.ttl")
    'turtle'
    >>> format_for("graph.data", "n-triples")
    'n-triples'
    >>> format_for("notes.txt")
    Traceback (most recent call last):
    ...
    cptkg.errors.InputError: notes.txt: cannot tell the RDF format from the extension '.txt'; use --input-format (turtle, n-triples, n-quads, trig, json-ld, rdf-xml)
    """
    names = ", ".join(FORMATS)
    if explicit:
        if explicit not in FORMATS:
            raise InputError(f"unknown RDF format {explicit!r}; expected one of {names}", path=path)
        return explicit
    suffix = Path(path).suffix.lower()
    for name, (extensions, _, _) in FORMATS.items():
        if suffix in extensions:
            return name
    raise InputError(
        f"cannot tell the RDF format from the extension {suffix!r}; use --input-format ({names})", path=path
    )


def read_quads(
    path: Path | str, graph: str | None = None, *, fmt: str | None = None, require_triples: bool = False
) -> list[ox.Quad]:
    """Parse one file into pyoxigraph quads.

    Triples of a triple format go into ``graph`` (the default graph when None). Any problem is an
    :class:`~cptkg.errors.InputError` naming the file and, when the parser knows it, the line.
    """
    path = Path(path)
    name = format_for(path, fmt)
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    try:
        parsed = ox.parse(
            path=str(path), format=FORMATS[name][1], base_iri=path.resolve().as_uri(), rename_blank_nodes=True
        )
        quads = [
            quad if not isinstance(quad.graph_name, ox.DefaultGraph) else ox.Quad(*quad.triple, target)
            for quad in parsed
        ]
    except SyntaxError as error:
        message = str(error.msg if hasattr(error, "msg") else error)
        if "LoadDocumentCallback" in message:
            message = "the JSON-LD file uses a remote @context, which cptkg never fetches; inline the context"
        raise InputError(f"not valid {name}: {message}", path=path, line=error.lineno) from None
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not an RDF file", path=path) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=path) from None
    except ValueError as error:
        raise InputError(f"not valid {name}: {error}", path=path) from None
    if require_triples and not quads:
        raise InputError(f"holds no RDF statements (read as {name})", path=path, line=1)
    return quads


# ---------------------------------------------------------------- term conversion


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | None) -> rdflib.term.Node | None:
    """A pyoxigraph term as the equal rdflib term (``xsd:string`` literals become plain ones)."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


def to_oxigraph(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equal pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def add_to_dataset(dataset: rdflib.Dataset, quads: Iterable[ox.Quad]) -> None:
    """Add pyoxigraph quads to an rdflib dataset, one named graph per quad graph."""
    from rdflib import URIRef

    graphs: dict[str, rdflib.Graph] = {}
    for quad in quads:
        key = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        target = graphs.get(key)
        if target is None:
            target = dataset.graph(URIRef(key)) if key else dataset.default_graph
            graphs[key] = target
        target.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))


def to_graph(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """The triples of some quads as one rdflib graph, graph names dropped."""
    from rdflib import Graph

    graph = Graph()
    bind_prefixes(graph)
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


# ---------------------------------------------------------------- writing


def bind_prefixes(graph: rdflib.Graph) -> rdflib.Graph:
    """Bind the package prefix map on an rdflib graph or dataset, replacing rdflib's defaults."""
    from rdflib import URIRef

    for prefix, uri in NAMESPACES.items():
        graph.bind(prefix, URIRef(uri), override=True, replace=True)
    return graph


def canonical_turtle(graph: rdflib.Graph) -> str:
    """The one Turtle form every RDF source file of the repository is kept in.

    Blank nodes get canonical labels first (rdflib's RGDA1 canonicalisation), then rdflib's
    ``longturtle`` sorts subjects, predicates and objects and writes blank nodes inline, so the same
    graph always gives the same text, however its blank nodes were named when parsed.
    """
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    copy = Graph()
    for prefix, uri in NAMESPACES.items():
        copy.bind(prefix, uri, override=True, replace=True)
    for triple in to_canonical_graph(graph):
        copy.add(triple)
    return copy.serialize(format="longturtle")


def serialize(graph: rdflib.Graph | rdflib.Dataset, fmt: str) -> str:
    """Serialise with rdflib under a format name of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise InputError(f"unknown RDF format {fmt!r}; expected one of {', '.join(FORMATS)}")
    rdflib_name = FORMATS[fmt][2]
    if fmt == "turtle":
        return canonical_turtle(graph)
    if fmt == "json-ld":
        return graph.serialize(format=rdflib_name, context={k: v for k, v in NAMESPACES.items()}, indent=2)
    return graph.serialize(format=rdflib_name)


def write_output(path: Path | str, text: str, *, force: bool = False) -> Path:
    """Write text to a file atomically; refuse to replace an existing file unless ``force``.

    The text goes to a temporary file in the same folder that is renamed over the target only when
    complete, so an interruption never leaves a half-written file behind.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(path)
    if path.is_dir():
        raise InputError("is a directory", path=path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("the folder to write into does not exist", path=path)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=directory, prefix=f".{path.name}.", suffix=".part", delete=False
    )
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return path

