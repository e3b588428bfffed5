"""Reading and writing RDF files: formats, errors that name the file and line, term conversion.

Files are parsed with pyoxigraph (fast, exact line numbers, and it never fetches a remote JSON-LD
context). Its terms are converted to rdflib terms where rdflib-based tools (pyshacl, owlrl,
rdflib's serialisers) need them; plain strings come back from pyoxigraph typed ``xsd:string`` and
are turned into rdflib's plain literals here, so the two libraries' literals compare equal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .errors import InputError, one_line
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
#: The formats that keep named graphs (JSON-LD too: a named graph is a node object with ``@graph``).
DATASET_FORMATS = frozenset({"n-quads", "trig", "json-ld"})


def format_for(path: Path | str, explicit: str | None = None) -> str:
    """The format name of a file, from ``explicit`` or from the file's extension.

    >>> format_for("claims.ttl")
    'turtle'
    >>> format_for("graph.data", "n-triples")
    'n-triples'
    >>> format_for("notes.txt")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: notes.txt: cannot tell the RDF format from the extension '.txt': name the file .ttl, .nt, .nq, .trig, .jsonld, .json, .rdf, .owl or .xml, or give its format (turtle, n-triples, n-quads, trig, json-ld, rdf-xml)
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
    # not every command takes --input-format (``--load`` does not), so the message names both ways out
    extensions = [extension for known, _, _ in FORMATS.values() for extension in known]
    raise InputError(
        f"cannot tell the RDF format from the extension {suffix!r}: name the file "
        f"{', '.join(extensions[:-1])} or {extensions[-1]}, or give its format ({names})",
        path=path,
    )


def format_of_extension(path: Path | str) -> str | None:
    """The RDF format a file name's extension stands for, or None.

    >>> format_of_extension("graph.nt"), format_of_extension("kg.owl"), format_of_extension("notes.txt")
    ('n-triples', 'rdf-xml', None)
    """
    suffix = Path(path).suffix.lower()
    return next((name for name, (extensions, _, _) in FORMATS.items() if suffix in extensions), None)


def output_format(path: Path | str | None, explicit: str | None, default: str = "turtle") -> str:
    """The format to write ``path`` in: ``explicit`` if given, else the one its extension stands for.

    A format that contradicts the extension is refused (a Turtle file named ``.nt`` is an N-Triples
    file no reader accepts), and so is an extension that names no format when none is given.

    >>> output_format("graph.nt", None), output_format(None, None), output_format("graph.data", "trig")
    ('n-triples', 'turtle', 'trig')
    >>> output_format("graph.nt", "turtle")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: graph.nt: the extension '.nt' is for n-triples, not turtle: drop --format, or name the file .ttl
    """
    if path is None:
        return explicit or default
    implied = format_of_extension(path)
    if explicit is None:
        if implied is None:
            names = ", ".join(extension for extensions, _, _ in FORMATS.values() for extension in extensions)
            raise InputError(f"cannot tell the format from the extension {Path(path).suffix!r}: name the file "
                             f"{names}, or give --format", path=path)  # fmt: skip
        return implied
    if implied is not None and implied != explicit:
        extension = FORMATS[explicit][0][0] if explicit in FORMATS else None
        advice = f"name the file {extension}" if extension else "give the file another extension"
        raise InputError(
            f"the extension {Path(path).suffix!r} is for {implied}, not {explicit}: drop --format, or {advice}", path=path
        )
    return explicit


def read_quads(
    path: Path | str,
    graph: str | None = None,
    *,
    fmt: str | None = None,
    require_triples: bool = False,
    fold: bool = False,
) -> list[ox.Quad]:
    """Parse one file into pyoxigraph quads.

    Triples of a triple format go into ``graph`` (the default graph when None); with ``fold`` (a
    user's file), every quad does, whatever graph a TriG or N-Quads file names. Any problem is an
    :class:`~cptkg.core.errors.InputError` naming the file and, when the parser knows it, the line.
    """
    path = Path(path)
    name = _file_format(path, fmt)
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    with _parsing(path, name) as source:
        parsed = ox.parse(**source, format=FORMATS[name][1], base_iri=_base(path), rename_blank_nodes=True)
        quads = [
            quad if not (fold or isinstance(quad.graph_name, ox.DefaultGraph)) else ox.Quad(*quad.triple, target)
            for quad in parsed
        ]
    if require_triples and not quads:
        raise InputError(f"holds no RDF statements (read as {name})", path=path, line=1)
    return quads


def load_into(
    store: ox.Store,
    path: Path | str,
    graph: str,
    *,
    fmt: str | None = None,
    require_triples: bool = False,
    fold: bool = False,
) -> None:
    """Parse one file into the named graph ``graph`` of ``store``, with the errors of :func:`read_quads`.

    A file of triples goes straight from the parser into the store, with no Python object per
    statement (benchmarks/: the 9,000 files of 1,000 codes, 7.5 s through :func:`read_quads` and
    ``Store.extend``, 2.3 s this way); TriG and N-Quads go through :func:`read_quads` (their own
    graph names kept, or with ``fold`` all moved into ``graph``).
    """
    path = Path(path)
    name = _file_format(path, fmt)
    target = ox.NamedNode(graph)
    if name in DATASET_FORMATS or (require_triples and _holds(store, target)):
        store.extend(read_quads(path, graph, fmt=name, require_triples=require_triples, fold=fold))
        return
    with _parsing(path, name) as source:
        store.load(**source, format=FORMATS[name][1], base_iri=_base(path), to_graph=target)
    if require_triples and not _holds(store, target):
        raise InputError(f"holds no RDF statements (read as {name})", path=path, line=1)


def _base(path: Path) -> str:
    return path.resolve().as_uri()


def _holds(store: ox.Store, graph: ox.NamedNode) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None


def _file_format(path: Path, fmt: str | None) -> str:
    if path.is_dir():  # before the extension, which a folder rarely has
        raise InputError("is a directory, not an RDF file", path=path)
    return format_for(path, fmt)


@contextlib.contextmanager
def _parsing(path: Path, name: str) -> Iterator[dict]:
    """The file opened for a pyoxigraph parser (``input`` or ``path``), the parser's errors made InputErrors.

    RDF/XML is first read by :func:`~cptkg.core.inputs.refuse_xml_entities` (no DTD entities); a
    stream (a pipe, ``/dev/stdin``) is read once, never sought.
    """
    from .inputs import is_regular, refuse_xml_entities

    regular = is_regular(path)
    try:
        with open(path, "rb") as handle:
            start = handle.peek(4)[:4]
            if start.startswith(_WRONG_BOMS):
                raise InputError(
                    "is UTF-16 or UTF-32 text; RDF files must be UTF-8: save it as UTF-8", path=path, line=1
                )
            # a UTF-8 byte-order mark (Windows editors write one) is skipped; pyoxigraph would reject it
            bom = start.startswith(_UTF8_BOM)
            if bom:
                handle.read(len(_UTF8_BOM))
            if name == "rdf-xml":
                kept = None if regular else bytearray()
                if regular:
                    with open(path, "rb") as screened:
                        refuse_xml_entities(screened, path)
                else:
                    refuse_xml_entities(handle, path, kept)
                source: dict = {"input": bytes(kept)} if kept is not None else {}
            else:
                source = {} if regular else {"input": handle}
            if not source:
                source = {"input": handle} if bom else {"path": str(path)}
            yield source
    except InputError:
        raise
    except SyntaxError as error:
        message = one_line(str(error.msg if hasattr(error, "msg") else error))
        line = error.lineno
        if "LoadDocumentCallback" in message:
            message = "the JSON-LD file uses a remote @context, which cptkg never fetches; inline the context"
            line = _first_line_with(path, b'"@context"') if regular else None
        elif "UTF-8" in message:
            message += " (RDF files must be UTF-8 encoded)"
        elif line is None and name == "rdf-xml" and regular:
            line = _xml_error_line(path)
        raise InputError(f"not valid {name}: {message}", path=path, line=line) from None
    except OSError as error:
        raise unreadable(path, error, "an RDF file") from None
    except ValueError as error:
        raise InputError(f"not valid {name}: {one_line(str(error))}", path=path) from None


def unreadable(path: Path | str, error: OSError, what: str = "a file") -> InputError:
    """The InputError for a file that cannot be opened: missing, a directory, or another OS error."""
    if isinstance(error, FileNotFoundError):
        return InputError("no such file", path=path)
    if isinstance(error, IsADirectoryError):
        return InputError(f"is a directory, not {what}", path=path)
    return InputError(f"cannot read: {error.strerror or error}", path=path)


#: Bytes of a text file read whole (a query file): an endless input stops here.
MAX_TEXT_BYTES = 64 << 20


def read_text(path: Path | str, limit: int = MAX_TEXT_BYTES) -> str:
    """The text of a UTF-8 file (a byte-order mark is skipped), or an InputError naming the file and line.

    >>> read_text("no-such-file.rq")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: no-such-file.rq: no such file
    """
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            content = handle.read(limit + 1)
    except OSError as error:
        raise unreadable(path, error) from None
    if len(content) > limit:
        raise InputError(f"is longer than {limit:,} bytes", path=path)
    if content.startswith(_WRONG_BOMS):
        raise InputError("is UTF-16 or UTF-32 text; save it as UTF-8", path=path, line=1)
    content = content.removeprefix(_UTF8_BOM)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise InputError(f"is not UTF-8 text (byte 0x{content[error.start]:02x})", path=path, line=line) from None


_UTF8_BOM = b"\xef\xbb\xbf"
_WRONG_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _xml_error_line(path: Path) -> int | None:
    """The line of an XML well-formedness error (pyoxigraph's RDF/XML errors carry no position)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        with open(path, "rb") as handle:
            parser.ParseFile(handle)
    except expat.ExpatError as error:
        return error.lineno
    return None


def _first_line_with(path: Path, needle: bytes) -> int | None:
    """The number of the first line of a file that contains ``needle``, if any."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if needle in line:
                return number
    return None


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


#: :func:`to_rdflib`, memoised: result rows repeat the same IRIs and literals, and building an rdflib term
#: (a Literal parses its value) costs more than Oxigraph's whole evaluation of most named queries
#: (benchmarks: about 3x on ``indications``). rdflib terms are immutable, so sharing them is safe.
cached_to_rdflib = lru_cache(maxsize=1 << 16)(to_rdflib)


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
    """Serialise with rdflib under a format name of :data:`FORMATS`, the same bytes for the same graph.

    rdflib's serialisers write in the order of its stores' sets, which changes from one process to
    the next (string hashing is randomised), and blank nodes keep the random labels they were
    parsed with. So the graph is copied first with canonical blank-node labels (salted per named
    graph, so that equal structures in two graphs stay two nodes), in sorted order into a store
    that keeps insertion order; line formats are sorted, JSON-LD arrays (never ``@list``) sorted.
    """
    import json

    from rdflib import BNode, Dataset, Graph

    if fmt not in FORMATS:
        raise InputError(f"unknown RDF format {fmt!r}; expected one of {', '.join(FORMATS)}")
    rdflib_name = FORMATS[fmt][2]
    if fmt == "turtle":
        return canonical_turtle(graph)
    if graph.context_aware:
        import hashlib

        copy = bind_prefixes(Dataset())
        for context in sorted(graph.graphs(), key=lambda context: str(context.identifier)):
            salt = hashlib.sha256(str(context.identifier).encode()).hexdigest()[:8]
            target = copy.graph(context.identifier)
            for triple in _canonical_triples(context):
                target.add(tuple(BNode(salt + t) if isinstance(t, BNode) else t for t in triple))
    else:
        copy = bind_prefixes(Graph(store="SimpleMemory"))
        for triple in _canonical_triples(graph):
            copy.add(triple)
    if fmt == "trig":
        import io

        from rdflib.plugins.serializers.trig import TrigSerializer

        serializer = TrigSerializer(copy)
        serializer.contexts.sort(key=lambda context: str(context.identifier))
        stream = io.BytesIO()
        serializer.serialize(stream, encoding="utf-8")
        return stream.getvalue().decode("utf-8")
    if fmt == "json-ld":
        text = copy.serialize(format=rdflib_name, context=dict(NAMESPACES), indent=2)
        return json.dumps(_sorted_json(json.loads(text)), indent=2, ensure_ascii=False) + "\n"
    text = copy.serialize(format=rdflib_name)
    if fmt in ("n-triples", "n-quads"):
        return "".join(sorted(text.splitlines(keepends=True)))
    return text


def _canonical_triples(graph: rdflib.Graph) -> list:
    """The triples of a graph with canonical blank-node labels, sorted."""
    from rdflib.compare import to_canonical_graph

    return sorted(to_canonical_graph(graph))


def _sorted_json(value: object, key: str | None = None) -> object:
    """JSON-LD with every array sorted except ``@list`` ones (the only arrays whose order is meaningful)."""
    import json

    if isinstance(value, dict):
        return {name: _sorted_json(item, name) for name, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(item) for item in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value
