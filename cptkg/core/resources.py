"""Where the packaged files are, and which named graph each data file fills.

The repository keeps the ontology, shapes, queries and data as top-level folders. The wheel
carries them inside the package as ``cptkg/_data/<folder>`` (see ``pyproject.toml``), read through
:mod:`importlib.resources`; a source checkout or an editable install reads the top-level folders.

Each Turtle file under ``data/`` is one source's statements; its file name (without ``.ttl``)
names its graph: ``data/81311/seed-81311.ttl`` fills ``cptkg:graph-seed-81311``. Files of the same
name in different folders fill the same graph, which is how a new code adds what, say, CMS says
about it without touching the files of other codes.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

from .prefixes import CPTKG

FOLDERS = ("ontology", "shapes", "queries", "data")
ONTOLOGY_GRAPH = CPTKG + "graph-ontology"
SHAPES_GRAPH = CPTKG + "graph-shapes"


class Source(NamedTuple):
    """A file and the named graph its statements go into (TriG and N-Quads files keep their own)."""

    path: Path
    graph: str
    #: the RDF format name, or None to tell it from the extension
    format: str | None = None
    #: a user's file: an empty one is an error rather than an empty source
    user_data: bool = False


@cache
def root() -> Path:
    """The folder that holds ``ontology/``, ``shapes/``, ``queries/`` and ``data/``."""
    packaged = Path(str(files("cptkg"))) / "_data"
    if (packaged / "ontology").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "ontology").is_dir():
        return checkout
    raise RuntimeError(f"cptkg's data files are missing: looked in {packaged} and {checkout}")


def folder(name: str) -> Path:
    """The packaged folder of that name (one of :data:`FOLDERS`): in the checkout, or ``cptkg/_data`` in a wheel."""
    if name not in FOLDERS:
        raise ValueError(f"no packaged folder {name!r}")
    return root() / name


def graph_for(path: Path) -> str:
    """The named graph a data file fills.

    >>> graph_for(Path("data/81311/seed-81311.ttl"))
    'https://w3id.org/cptkg/graph-seed-81311'
    """
    return f"{CPTKG}graph-{path.stem}"


def data_sources(directory: Path | None = None) -> list[Source]:
    """The data files under ``directory`` (the packaged ``data/`` by default), in a stable order."""
    base = directory or folder("data")
    return [Source(path, graph_for(path)) for path in sorted(base.rglob("*.ttl"))]


def ontology_sources() -> list[Source]:
    """The ontology's Turtle files, each a source of the ontology graph."""
    return [Source(path, ONTOLOGY_GRAPH) for path in sorted(folder("ontology").glob("*.ttl"))]


def shape_sources() -> list[Source]:
    """The SHACL shapes' Turtle files, each a source of the shapes graph (kept out of the query dataset)."""
    return [Source(path, SHAPES_GRAPH) for path in sorted(folder("shapes").glob("*.ttl"))]
