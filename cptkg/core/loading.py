"""Which files a graph is made of: the packaged sources, a user's data instead, extra files and folders.

>>> [source.graph.rsplit("/", 1)[1] for source in sources_for()][:2]
['graph-ontology', 'graph-ontology']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .graph import CoreGraph
from .resources import Source, data_sources, graph_for, ontology_sources


def sources_for(
    *extra: str | Path, data: Iterable[str | Path] | None = None, input_format: str | None = None
) -> list[Source]:
    """The sources of a graph: the ontology, the packaged data (or the ``data`` files instead), the extras.

    Each extra Turtle file is one more source: its statements go into the named graph its file
    name gives (``cptkg:graph-<name>``), like the packaged data files. A folder adds every ``.ttl``
    file under it. A user's file (of ``data`` or ``extra``) must hold statements: an empty one is
    an error, not an empty source.
    """
    sources = ontology_sources()
    if data is None:
        sources += data_sources()
    else:
        given = [Source(Path(path), graph_for(Path(path)), input_format, True) for path in data]
        if not given:
            raise InputError("no data file given")
        sources += given
    for item in extra:
        path = Path(item)
        if not path.exists():
            raise InputError("no such file or folder", path=path)
        if path.is_dir():
            found = data_sources(path)
            if not found:
                raise InputError("the folder holds no .ttl data files", path=path)
            sources += found
        else:
            sources.append(Source(path, graph_for(path), input_format, True))
    return sources


def load_graph(
    *extra: str | Path,
    data: Iterable[str | Path] | None = None,
    input_format: str | None = None,
    backend: str = "oxigraph",
    graph_class: type[CoreGraph] = CoreGraph,
) -> CoreGraph:
    """A core graph of :func:`sources_for` in the named backend (``graph_class`` for a subclass)."""
    return graph_class(sources_for(*extra, data=data, input_format=input_format), backend=backend)
