"""The core graph: sources parsed into one backend, named queries, rdflib views and export.

It knows RDF and SPARQL, not the domain: the capabilities (validation, reasoning, checks,
terminology, variants, claims) are functions that take a core graph, and :mod:`cptkg.api` puts
them behind the methods of :class:`cptkg.KnowledgeGraph`.

>>> from cptkg.core.loading import load_graph
>>> graph = load_graph()
>>> [(row.exon_number, row.codon_number) for row in graph.query("covered-codons", code="81311")]
[(2, 12), (2, 13), (3, 61)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from .backends import BACKENDS, Backend
from .errors import ParameterError, SparqlTextError, UnknownCodeError
from .queries import Catalog, NamedQuery, catalog, open_with_values, term_of
from .rdfio import DATASET_FORMATS, FORMATS, bind_prefixes, read_quads, serialize
from .resources import ONTOLOGY_GRAPH, SHAPES_GRAPH, Source, shape_sources
from .results import Result

if TYPE_CHECKING:
    import pyoxigraph as ox
    import rdflib

#: What ``export`` can include besides the instance data.
EXPORT_PARTS = ("data", "ontology", "shapes")
#: The views ``export`` can write besides the graph as it is: ``dl``, the OWL 2 DL view (:mod:`cptkg.core.dl`).
EXPORT_PROFILES = ("dl",)
#: Every backend name: the in-process ones and ``remote`` (a SPARQL store; httpx is an extra, imported when asked for).
BACKEND_NAMES = (*BACKENDS, "remote")
#: The rdflib views built from the backend on first use (dropped when a source is added).
_VIEWS = ("dataset", "data", "ontology")


class CoreGraph:
    """The dataset of one or more sources (one named graph each) in a backend, with its named queries."""

    def __init__(self, sources: Iterable[Source], *, backend: str | Backend = "oxigraph") -> None:
        self.sources = list(sources)
        self.backend: Backend = make_backend(backend) if isinstance(backend, str) else backend
        self.backend.add_files(self.sources)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {len(self.sources)} sources, backend {self.backend.name}>"

    # ------------------------------------------------------------ querying

    @property
    def queries(self) -> Catalog:
        """The named queries, by name."""
        return catalog()

    def query(self, name: str, **params: object) -> Result:
        """Run a named query with parameters bound as RDF terms.

        Each parameter is converted by the kind its query file declares (``cptkg queries`` lists
        them): a ``resource`` takes a CURIE or an IRI, a ``code`` a code's notation, a ``string``
        text, an ``integer`` a whole number. Rows give Python values (:class:`~cptkg.Row`).

        Raises :class:`~cptkg.UnknownQueryError` for an unknown name (:class:`~cptkg.SparqlTextError`
        when the name is SPARQL text: that is :meth:`sparql`'s), :class:`~cptkg.ParameterError` for a
        missing, unexpected or ill-typed parameter and :class:`~cptkg.UnknownCodeError` for a code
        the graph does not describe.

        >>> from cptkg.core.loading import load_graph
        >>> load_graph().query("covered-codons", code="81311").first().codon_number
        12
        """
        if name not in self.queries and _is_sparql_text(name):
            raise SparqlTextError(name)
        return self.run(self.queries[name], params)

    def run(self, named: NamedQuery, params: Mapping[str, object]) -> Result:
        """Run a :class:`~cptkg.core.queries.NamedQuery` (of any catalogue) with user parameters."""
        bindings = named.bind(params)
        for parameter in named.parameters:
            if parameter.kind == "code" and parameter.name in bindings:
                self.require_code(str(bindings[parameter.name]))
        answer = self.backend.execute(named.text, bindings)
        assert isinstance(answer, Result), f"named query {named.name} must be a SELECT or ASK query"
        return answer

    def sparql(self, text: str, **params: object) -> Result | rdflib.Graph:
        """Run any SPARQL query; each keyword argument binds the variable of its name.

        The package prefixes are declared. Returns a :class:`~cptkg.Result` for SELECT and ASK, an
        rdflib graph for CONSTRUCT and DESCRIBE.

        A value binds by one rule (:func:`~cptkg.core.queries.term_of`): an rdflib term as it is,
        a number, boolean or date as a typed literal, a ``str`` always as a string literal (a
        string that reads like a CURIE or IRI gets a :class:`~cptkg.BindingWarning`; bind
        ``cptkg.iri("HGNC:7989")`` for the IRI), a list as each of its terms in turn. The values
        go in a ``VALUES`` block opening the query's WHERE group, written from the terms, so a
        variable binds on every backend whether or not the query projects it.

        >>> from cptkg.core.loading import load_graph
        >>> from cptkg import iri
        >>> graph = load_graph()
        >>> graph.sparql("SELECT ?c WHERE { ?c a ?t ; cptkg:codonNumber 61 }", t=iri("cptkg:Codon")).one().c
        'cptkg:codon-NRAS-61'
        """
        if not params:
            return self.backend.execute(text, {})
        absent = [name for name in params if not re.search(rf"[?$]{re.escape(name)}\b", text)]
        if absent:
            raise ParameterError(f"the query has no variable ?{absent[0]} to bind")
        bindings = {name: term_of(value, name) for name, value in params.items()}
        return self.backend.execute(open_with_values(text, bindings), {})

    # ------------------------------------------------------------ codes

    @cached_property
    def codes(self) -> list[str]:
        """The notations of the billing codes the graph describes in full (those with a gene or indication)."""
        return [row.code for row in self.query("codes")]

    def require_code(self, code: str) -> str:
        """The code, or :class:`~cptkg.UnknownCodeError` when the graph does not describe it."""
        if code not in self.codes:
            raise UnknownCodeError(code, self.codes)
        return code

    # ------------------------------------------------------------ sources

    def add_source(self, source: Source, quads: Iterable[ox.Quad] | None = None) -> None:
        """Add one more source: its file parsed into its graph, or the ``quads`` already read from it."""
        if quads is None:
            self.backend.add_files([source])
        else:
            self.backend.add(quads)
        self.sources.append(source)
        for view in _VIEWS:  # rdflib views built before are stale
            self.__dict__.pop(view, None)
        self.__dict__.pop("codes", None)

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs, one per source, sorted."""
        return self.backend.graph_names() or sorted({source.graph for source in self.sources})

    # ------------------------------------------------------------ rdflib views and export

    @cached_property
    def dataset(self) -> rdflib.Dataset:
        """The asserted dataset as an rdflib :class:`~rdflib.Dataset` (ontology and data named graphs)."""
        from rdflib import Dataset

        from .rdfio import add_to_dataset

        dataset = bind_prefixes(Dataset(default_union=True))
        add_to_dataset(dataset, self.backend.quads())
        return dataset

    @cached_property
    def ontology(self) -> rdflib.Graph:
        """The ontology (TBox) as an rdflib graph."""
        from rdflib import URIRef

        return _copy(self.dataset.graph(URIRef(ONTOLOGY_GRAPH)))

    @cached_property
    def data(self) -> rdflib.Graph:
        """The instance data of every source, without the ontology, as one rdflib graph."""
        from rdflib import Graph

        graph = bind_prefixes(Graph())
        for context in self.dataset.graphs():
            if str(context.identifier) != ONTOLOGY_GRAPH:
                for triple in context:
                    graph.add(triple)
        return graph

    @cached_property
    def shapes(self) -> rdflib.Graph:
        """The SHACL shapes as an rdflib graph."""
        from .rdfio import to_graph

        return to_graph(quad for source in shape_sources() for quad in read_quads(source.path))

    def export(self, fmt: str = "turtle", include: Iterable[str] | None = None, profile: str | None = None) -> str:
        """Serialise the graph.

        ``include`` picks the parts: ``data`` (every source's statements; the default), ``ontology``,
        ``shapes``. Dataset formats (TriG, N-Quads, JSON-LD) keep one named graph per source; the
        others hold the union of the parts. ``profile="dl"`` writes the OWL 2 DL view of the ontology
        and the data (the default parts then) as one ontology that DL tools load as it is
        (:func:`cptkg.core.dl.dl_view`), in a format without named graphs.
        """
        if profile is not None and profile not in EXPORT_PROFILES:
            raise ParameterError(f"unknown export profile {profile!r}; expected one of {', '.join(EXPORT_PROFILES)}")
        parts = list(include if include is not None else (("data", "ontology") if profile else ("data",)))
        unknown = [part for part in parts if part not in EXPORT_PARTS]
        if unknown or not parts:
            raise ParameterError(f"cannot export {unknown or parts!r}; choose from {', '.join(EXPORT_PARTS)}")
        if fmt not in FORMATS:
            raise ParameterError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
        selected = self._selected(parts)
        if profile == "dl":
            from .dl import dl_view

            if "shapes" in parts:
                raise ParameterError("the OWL 2 DL view holds the ontology and the data; SHACL shapes are not OWL")
            if fmt in DATASET_FORMATS:
                raise ParameterError(
                    f"the OWL 2 DL view is one ontology without named graphs: write it as turtle, n-triples "
                    f"or rdf-xml (.owl), not {fmt}"
                )
            return serialize(dl_view(_union(selected)), fmt)
        if fmt in DATASET_FORMATS:
            return serialize(selected, fmt)
        return serialize(_union(selected), fmt)

    def _selected(self, parts: list[str]) -> rdflib.Dataset:
        """The chosen parts as a dataset, one named graph per source (the shapes in their own)."""
        from rdflib import Dataset, URIRef

        selected = bind_prefixes(Dataset())
        for context in self.dataset.graphs():
            name = str(context.identifier)
            part = "ontology" if name == ONTOLOGY_GRAPH else "data"
            if part in parts and len(context):
                target = selected.graph(URIRef(name))
                for triple in context:
                    target.add(triple)
        if "shapes" in parts:
            target = selected.graph(URIRef(SHAPES_GRAPH))
            for triple in self.shapes:
                target.add(triple)
        return selected

    def in_memory(self) -> CoreGraph:
        """This graph when its backend holds the data in this process, else a pyoxigraph copy of it.

        Whole-graph work (reasoning, validation, checks) runs on the copy: a store is read once
        and nothing is written back to it.
        """
        if self.backend.in_memory:
            return self
        copy = type(self).__new__(type(self))
        CoreGraph.__init__(copy, [])
        copy.backend.add(self.backend.quads())
        return copy


def _union(dataset: rdflib.Dataset) -> rdflib.Graph:
    """Every triple of a dataset's graphs in one graph."""
    from rdflib import Graph

    union = bind_prefixes(Graph())
    for context in dataset.graphs():
        for triple in context:
            union.add(triple)
    return union


def _is_sparql_text(name: str) -> bool:
    """Whether a would-be query name is SPARQL text (a query form or prologue keyword, and more than a name)."""
    keyword = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|PREFIX|BASE)\b", name, re.IGNORECASE)
    return keyword is not None and not re.fullmatch(r"[\w.-]+", name)


def _copy(source: rdflib.Graph) -> rdflib.Graph:
    from rdflib import Graph

    graph = bind_prefixes(Graph())
    for triple in source:
        graph.add(triple)
    return graph


def make_backend(name: str) -> Backend:
    """An empty backend of the named kind, or :class:`~cptkg.ParameterError`.

    >>> make_backend("oxigraph").name
    'oxigraph'
    """
    if name == "remote":
        from .remote import RemoteBackend

        return RemoteBackend()
    if name not in BACKENDS:
        raise ParameterError(f"unknown backend {name!r}; expected one of {', '.join(BACKEND_NAMES)}")
    return BACKENDS[name]()
