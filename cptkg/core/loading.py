"""Which files a graph is made of: the packaged sources, a user's data instead, extra files and folders.

The packaged files fill the package's graphs; each of a user's files (an extra file, every file of
an extra folder, a data file) fills a graph of its own, ``cptkg:graph-user-<name>``, never a package
graph, whatever it is called and whatever graphs a TriG or N-Quads file names.

>>> [source.graph.rsplit("/", 1)[1] for source in sources_for()][:2]
['graph-ontology', 'graph-ontology']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .graph import CoreGraph
from .resources import Source, data_sources, ontology_sources, user_graphs


def sources_for(
    *extra: str | Path, data: Iterable[str | Path] | None = None, input_format: str | None = None
) -> list[Source]:
    """The sources of a graph: the ontology, the packaged data (or the ``data`` files instead), the extras.

    Each extra file is one more source, in a graph of its own named after the file
    (``cptkg:graph-user-<name>``). A folder adds every ``.ttl`` file under it, each in its own graph.
    A user's file (of ``data`` or ``extra``) must hold statements: an empty one is an error, not an
    empty source.
    """
    sources = ontology_sources()
    given: list[tuple[Path, str | None]] = []  # (file, format)
    if data is None:
        sources += data_sources()
    else:
        given = [(Path(path), input_format) for path in data]
        if not given:
            raise InputError("no data file given")
    for item in extra:
        path = Path(item)
        if not path.exists():
            raise InputError("no such file or folder", path=path)
        if path.is_dir():
            found = sorted(path.rglob("*.ttl"))
            if not found:
                raise InputError("the folder holds no .ttl data files", path=path)
            given += [(file, None) for file in found]
        else:
            given.append((path, input_format))
    graphs = user_graphs([path for path, _ in given], taken={source.graph for source in sources})
    return sources + [Source(path, graph, fmt, True) for (path, fmt), graph in zip(given, graphs)]


def load_graph(
    *extra: str | Path,
    data: Iterable[str | Path] | None = None,
    input_format: str | None = None,
    backend: str = "oxigraph",
    graph_class: type[CoreGraph] = CoreGraph,
) -> CoreGraph:
    """A core graph of :func:`sources_for` in the named backend (``graph_class`` for a subclass)."""
    return graph_class(sources_for(*extra, data=data, input_format=input_format), backend=backend)
