"""Where the packaged files are, and which named graph each data file fills.

The repository keeps the ontology, shapes, queries and data as top-level folders. The wheel
carries them inside the package as ``cptkg/_data/<folder>`` (see ``pyproject.toml``), read through
:mod:`importlib.resources`; a source checkout or an editable install reads the top-level folders.

Each Turtle file under ``data/`` is one source's statements; its file name (without ``.ttl``)
names its graph: ``data/81311/seed-81311.ttl`` fills ``cptkg:graph-seed-81311``. Files of the same
name in different folders fill the same graph, which is how a new code adds what, say, CMS says
about it without touching the files of other codes.

A user's file never fills a package graph, whatever it is called: it gets a graph of its own,
``cptkg:graph-user-<name>`` (:func:`user_graphs`), so that what it says is never credited to the
seed, CMS or the ontology, and validation always sees it as data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

from .prefixes import CPTKG

FOLDERS = ("ontology", "shapes", "queries", "data")
ONTOLOGY_GRAPH = CPTKG + "graph-ontology"
SHAPES_GRAPH = CPTKG + "graph-shapes"
#: The graphs of users' files are named ``<USER_GRAPH><slug of the file name>``.
USER_GRAPH = CPTKG + "graph-user-"


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


def package_folder() -> Path:
    """The folder of the ``cptkg`` package's own code (the installed package)."""
    return Path(__file__).resolve().parents[1]


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


def slug(text: str) -> str:
    """A name made of letters, digits, ``.``, ``_`` and ``-`` only, for an IRI or a file name.

    >>> slug("my data"), slug("../../etc/passwd"), slug("naïve"), slug("..")
    ('my-data', 'etc-passwd', 'na-ve', '')
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-")


def user_graphs(paths: Iterable[Path], taken: Iterable[str] = ()) -> list[str]:
    """The named graph of each of a user's files: ``cptkg:graph-user-<slug of the file name>``, a
    counter added when two files would share one (or one of ``taken``).

    >>> [name.removeprefix(USER_GRAPH) for name in user_graphs([Path("a/seed.ttl"), Path("b/seed.ttl"), Path("my data.nq")])]
    ['seed', 'seed-2', 'my-data']
    """
    used = set(taken)
    names = []
    for path in paths:
        base = USER_GRAPH + (slug(path.stem) or "file")
        name, number = base, 1
        while name in used:
            number += 1
            name = f"{base}-{number}"
        used.add(name)
        names.append(name)
    return names


def ontology_sources() -> list[Source]:
    """The ontology's Turtle files, each a source of the ontology graph."""
    return [Source(path, ONTOLOGY_GRAPH) for path in sorted(folder("ontology").glob("*.ttl"))]


def shape_sources() -> list[Source]:
    """The SHACL shapes' Turtle files, each a source of the shapes graph (kept out of the query dataset)."""
    return [Source(path, SHAPES_GRAPH) for path in sorted(folder("shapes").glob("*.ttl"))]
