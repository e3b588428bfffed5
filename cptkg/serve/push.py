"""Push: the graph written into any SPARQL 1.1 store through its Graph Store HTTP Protocol URL.

Each source graph goes into its own named graph of the store, plus their set union in
:data:`~cptkg.core.remote.UNION_GRAPH`, the default graph of the queries the remote backend sends
(``cptkg --endpoint`` and :func:`cptkg.connect`).
"""

from __future__ import annotations

from ..core.graph import CoreGraph
from ..core.rdfio import read_quads
from ..core.remote import UNION_GRAPH, Http, by_graph, union, write_graph
from ..core.resources import SHAPES_GRAPH, shape_sources


def push(kg: CoreGraph, store: str, *, shapes: bool = True, timeout: float = 300.0) -> dict[str, int]:
    """Write every source graph of ``kg`` (and the package shapes) into a store; triples per graph.

    Each graph is replaced (``PUT``), so pushing twice leaves the same store. The union of the
    source graphs (not the shapes) goes into :data:`UNION_GRAPH`, the default graph of the queries
    :class:`RemoteBackend` sends.
    """
    target = Http(store, timeout)
    graphs = by_graph(kg.backend.quads())
    together = union(graphs)
    if shapes:
        graphs[SHAPES_GRAPH] = [q.triple for source in shape_sources() for q in read_quads(source.path)]
    written = {}
    for name, triples in sorted(graphs.items()):
        write_graph(target, name, triples, replace=True)
        written[name] = len(triples)
    write_graph(target, UNION_GRAPH, together, replace=True)
    written[UNION_GRAPH] = len(together)
    return written


