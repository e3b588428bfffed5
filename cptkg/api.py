"""The knowledge graph a user holds: the core graph, with a method for each capability.

Each method is a thin door: it hands the graph to the capability's own function
(:func:`cptkg.validation.validate`, :func:`cptkg.reasoning.reason`, :func:`cptkg.checks.check`,
:func:`cptkg.variants.classify`, :func:`cptkg.claims.check_claims`, :func:`cptkg.terminology.link`),
which is where its work and its documentation live.

>>> import cptkg
>>> kg = cptkg.load()
>>> [(row.exon_number, row.codon_number) for row in kg.query("covered-codons", code="81311")]
[(2, 12), (2, 13), (3, 61)]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.graph import CoreGraph
from .core.loading import load_graph

if TYPE_CHECKING:
    from .checks import CheckReport
    from .claims import ClaimFindings
    from .reasoning import Engine, ReasonedGraph
    from .terminology import LinkReport
    from .validation import ValidationReport
    from .variants import VariantResult


def load(
    *extra: str | Path,
    data: Iterable[str | Path] | None = None,
    input_format: str | None = None,
    backend: str = "oxigraph",
    allow_service: Iterable[str] = (),
) -> KnowledgeGraph:
    """Load the embedded graph (ontology and data), plus any extra data files or folders.

    Each extra file is one more source, in a named graph of its own named after the file
    (``cptkg:graph-user-<name>``, a counter added when two files share a name); never a package
    graph, whatever the file is called and whatever graphs a TriG or N-Quads file names. A folder
    adds every ``.ttl`` file under it, each in its own graph. With ``data``, the given files replace
    the packaged data (the ontology stays): this is how a user's own graph, or an edited export, is
    validated and checked against the package's ontology. Files of any RDF format are read
    (``input_format`` or the extension). ``backend`` is ``"oxigraph"`` (fast, the default),
    ``"rdflib"`` or ``"remote"`` (a SPARQL store named by ``CPTKG_ENDPOINT`` and ``CPTKG_STORE``).
    ``allow_service`` lists the endpoints a query's ``SERVICE`` clause may reach (none by default:
    a federated query is refused).
    """
    graph = load_graph(*extra, data=data, input_format=input_format, backend=backend, graph_class=KnowledgeGraph)
    assert isinstance(graph, KnowledgeGraph)
    graph.backend.allow_service = frozenset(allow_service)
    return graph


def connect(
    endpoint: str, store: str | None = None, *, timeout: float = 60.0, allow_service: Iterable[str] = ()
) -> KnowledgeGraph:
    """The graph held in a SPARQL store at ``endpoint`` (``store``, its Graph Store URL, only to add data).

    Named queries and reports are answered by the store; reasoning, validation and checks read
    the store's graphs once into an embedded copy and write nothing back. A ``SERVICE`` clause is
    refused unless its endpoint is in ``allow_service``.
    """
    from .core.remote import RemoteBackend

    backend = RemoteBackend(endpoint, store, timeout=timeout)
    backend.allow_service = frozenset(allow_service)
    return KnowledgeGraph([], backend=backend)


class KnowledgeGraph(CoreGraph):
    """The dataset of one or more sources, with its named queries and the package's capabilities.

    Build it with :func:`cptkg.load` (or :func:`cptkg.connect` for a graph in a SPARQL store).
    Each source file is parsed once; the rdflib views needed by validation, reasoning and export
    are built from the backend's quads when first asked for.
    """

    def validate(self, data: Iterable[str | Path] | None = None, inference: str = "none", **options: Any) -> ValidationReport:
        """SHACL-validate the graph's data (or the given data files) against the package shapes.

        See :func:`cptkg.validation.validate` for the options.
        """
        from .validation import validate

        return validate(self.in_memory(), data=data, inference=inference, **options)

    def reason(self, engine: str | Engine = "rules") -> ReasonedGraph:
        """The OWL 2 RL closure of ontology and data, inferred triples kept apart from asserted ones.

        ``engine`` is ``"rules"`` (the rules the ontology uses, fast) or ``"owlrl"`` (the full closure).
        """
        from .reasoning import reason

        return reason(self.in_memory(), engine)

    def check(self, data: Iterable[str | Path] | None = None, **options: Any) -> CheckReport:
        """Consistency findings for the graph's data (or the given data files).

        See :func:`cptkg.checks.check` for the options (engine, rules to run or skip, input format).
        """
        from .checks import check

        return check(self.in_memory(), data=data, **options)

    def variant(self, expression: str, build: str = "GRCh38") -> VariantResult:
        """Whether a variant (HGVS, protein shorthand or genomic) is in the scope of a code, and its names."""
        from .variants import classify

        return classify(self, expression, build=build)

    def check_claims(self, path_or_rows: Any, columns: Any = None, other_codes: str = "auto") -> ClaimFindings:
        """Findings for each order or claim line of a claim file (cptkg CSV/JSON Lines, a column mapping, CMS RIF or
        DE-SynPUF carrier claims, X12 837P), or of an iterable of row dicts. See :func:`cptkg.claims.check_claims`."""
        from .claims import check_claims

        return check_claims(self, path_or_rows, columns=columns, other_codes=other_codes)

    def link(self, path: str | Path, input_format: str | None = None, prefix_map: Any = None) -> LinkReport:
        """Load an outside terminology or mapping file into its own named graph; says what was linked (``.graph``).

        See :func:`cptkg.terminology.link` for the formats and ``prefix_map``.
        """
        from .terminology import link

        return link(self, path, input_format=input_format, prefix_map=prefix_map)
