"""The knowledge graph object: the packaged files loaded into a backend, and what a user asks of it.

>>> import cptkg
>>> kg = cptkg.load()
>>> [(r["exon_number"], r["codon_number"]) for r in kg.query("covered-codons", code="81311").records()]
[(2, 12), (2, 13), (3, 61)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .backends import BACKENDS, Backend
from .errors import InputError, ParameterError, UnknownCodeError
from .queries import Catalog, NamedQuery, catalog
from .rdfio import DATASET_FORMATS, FORMATS, bind_prefixes, read_quads, serialize
from .resources import ONTOLOGY_GRAPH, SHAPES_GRAPH, Source, data_sources, graph_for, ontology_sources, shape_sources
from .results import Result

if TYPE_CHECKING:
    import rdflib

#: What ``export`` can include besides the instance data.
EXPORT_PARTS = ("data", "ontology", "shapes")


def load(
    *extra: str | Path,
    data: Iterable[str | Path] | None = None,
    input_format: str | None = None,
    backend: str = "oxigraph",
) -> KnowledgeGraph:
    """Load the embedded graph (ontology and data), plus any extra data files or folders.

    Each extra Turtle file is one more source: its statements go into the named graph its file
    name gives (``cptkg:graph-<name>``), like the packaged data files. A folder adds every ``.ttl``
    file under it. With ``data``, the given files replace the packaged data (the ontology stays):
    this is how a user's own graph, or an edited export, is validated and checked against the
    package's ontology. Files of any RDF format are read (``input_format`` or the extension); TriG
    and N-Quads keep their own graph names. ``backend`` is ``"oxigraph"`` (fast, the default) or
    ``"rdflib"``.
    """
    sources = ontology_sources()
    if data is None:
        sources += data_sources()
    else:
        sources += [Source(Path(path), graph_for(Path(path)), input_format, True) for path in data]
        if len(sources) == len(ontology_sources()):
            raise InputError("no data file given")
    for item in extra:
        path = Path(item)
        if path.is_dir():
            found = data_sources(path)
            if not found:
                raise InputError("the folder holds no .ttl data files", path=path)
            sources += found
        else:
            # a user's file, like ``data``: an empty or comment-only one is an error, not an empty source
            sources += [Source(path, graph_for(path), input_format, True)]
    return KnowledgeGraph(sources, backend=backend)


class KnowledgeGraph:
    """The dataset of one or more sources, with its named queries.

    Build it with :func:`cptkg.load`. Each source file is parsed once; the rdflib view needed by
    validation, reasoning and export is built from the backend's quads when first asked for.
    """

    def __init__(self, sources: Iterable[Source], *, backend: str = "oxigraph") -> None:
        if backend not in BACKENDS:
            raise ParameterError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
        self.sources = list(sources)
        self.backend: Backend = BACKENDS[backend]()
        self.backend.add_files(self.sources)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {len(self.sources)} sources, backend {self.backend.name}>"

    # ------------------------------------------------------------ querying

    @property
    def queries(self) -> Catalog:
        """The named queries, by name."""
        return catalog()

    def query(self, name: str, **params: object) -> Result:
        """Run a named query with parameters bound as RDF terms.

        Raises :class:`~cptkg.errors.UnknownQueryError` for an unknown name,
        :class:`~cptkg.errors.ParameterError` for a missing, unexpected or ill-typed parameter and
        :class:`~cptkg.errors.UnknownCodeError` for a code the graph does not describe.
        """
        named = self.queries[name]
        return self.run(named, params)

    def run(self, named: NamedQuery, params: Mapping[str, object]) -> Result:
        """Run a :class:`NamedQuery` (of any catalogue) with user parameters."""
        bindings = named.bind(params)
        for parameter in named.parameters:
            if parameter.kind == "code" and parameter.name in bindings:
                self.require_code(str(bindings[parameter.name]))
        answer = self.backend.execute(named.text, bindings)
        assert isinstance(answer, Result), f"named query {named.name} must be a SELECT or ASK query"
        return answer

    def sparql(self, text: str, **params: object) -> Result | rdflib.Graph:
        """Run any SPARQL query; keyword arguments are bound to variables of the same name.

        Values that are not rdflib terms bind as plain literals. The package prefixes are
        declared. Returns a :class:`Result` for SELECT and ASK, an rdflib graph otherwise.
        """
        from rdflib import Literal
        from rdflib.term import Node

        bindings = {name: value if isinstance(value, Node) else Literal(value) for name, value in params.items()}
        return self.backend.execute(text, bindings)

    # ------------------------------------------------------------ capabilities (each in its own module)

    def validate(self, data: Iterable[str | Path] | None = None, inference: str = "none", **options):
        """SHACL-validate the graph's data (or the given data files) against the package shapes.

        See :func:`cptkg.validation.validate` for the options.
        """
        from .validation import validate

        return validate(self, data=data, inference=inference, **options)

    def reason(self, engine: str = "rules"):
        """The OWL 2 RL closure of ontology and data, inferred triples kept apart from asserted ones.

        ``engine`` is ``"rules"`` (the rules the ontology uses, fast) or ``"owlrl"`` (the full closure).
        """
        from .reasoning import reason

        return reason(self, engine)

    def check(self, data: Iterable[str | Path] | None = None, **options):
        """Consistency findings for the graph's data (or the given data files).

        See :func:`cptkg.checks.check` for the options (engine, rules to run or skip, input format).
        """
        from .checks import check

        return check(self, data=data, **options)

    def variant(self, expression: str, build: str = "GRCh38"):
        """Whether a variant (HGVS, protein shorthand or genomic) is in the scope of a code, and its names."""
        from .variants import classify

        return classify(self, expression, build=build)

    def check_claims(self, path_or_rows):
        """Findings for each order or claim line of a CSV/JSON Lines file, or of an iterable of row dicts."""
        from .claims import check_claims

        return check_claims(self, path_or_rows)

    def link(self, path: str | Path, input_format: str | None = None) -> str:
        """Load an outside terminology or mapping file into its own named graph; returns the graph IRI."""
        from .mappings import link

        return link(self, path, input_format=input_format)

    # ------------------------------------------------------------ codes

    @cached_property
    def codes(self) -> list[str]:
        """The notations of the billing codes the graph describes in full (those with a gene or indication)."""
        return [str(row["code"]) for row in self.query("codes")]

    def require_code(self, code: str) -> str:
        if code not in self.codes:
            raise UnknownCodeError(code, self.codes)
        return code

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

        return self._copy(self.dataset.graph(URIRef(ONTOLOGY_GRAPH)))

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

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs, one per source, sorted."""
        return sorted({source.graph for source in self.sources})

    def export(self, fmt: str = "turtle", include: Iterable[str] = ("data",)) -> str:
        """Serialise the graph.

        ``include`` picks the parts: ``data`` (every source's statements), ``ontology``,
        ``shapes``. Dataset formats (TriG, N-Quads) keep one named graph per source; the others
        hold the union of the parts.
        """
        from rdflib import Dataset, URIRef

        parts = list(include)
        unknown = [part for part in parts if part not in EXPORT_PARTS]
        if unknown or not parts:
            raise ParameterError(f"cannot export {unknown or parts!r}; choose from {', '.join(EXPORT_PARTS)}")
        if fmt not in FORMATS:
            raise ParameterError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
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
        if fmt in DATASET_FORMATS:
            return serialize(selected, fmt)
        from rdflib import Graph

        union = bind_prefixes(Graph())
        for context in selected.graphs():
            for triple in context:
                union.add(triple)
        return serialize(union, fmt)

    @staticmethod
    def _copy(source: rdflib.Graph) -> rdflib.Graph:
        from rdflib import Graph

        graph = bind_prefixes(Graph())
        for triple in source:
            graph.add(triple)
        return graph
