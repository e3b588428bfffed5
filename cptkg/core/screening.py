"""A query looked at before any engine sees it: its size, how deep it nests, and where its
``SERVICE`` clauses would connect.

Query engines parse recursively (pyoxigraph's parser crashes the process a few thousand levels
down; rdflib's runs out of Python stack far sooner), and a ``SERVICE`` clause makes the engine open
a connection to any address the machine reaches (the cloud metadata service, an admin port on the
LAN). So every query from outside (``kg.sparql``, ``cptkg sparql``, the endpoint) is read once by the
small lexer here, which knows strings, IRIs and comments and nothing else of the grammar: one pass,
linear in the text, no recursion. Federation is refused unless the endpoint is in an allow-list.

>>> screen("SELECT * WHERE { ?s ?p ?o }")
>>> screen("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
cptkg.core.errors.QueryError: line 1: SERVICE <http://example.org/sparql> is refused: a federated query connects to another server; allow that endpoint with --allow-service URL
>>> screen("SELECT * WHERE { SERVICE <http://example.org/sparql> { } }", allow_service=["http://example.org/sparql"])
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .errors import QueryError, one_line

#: Levels of ``{ }``, ``( )`` and ``[ ]`` a query may nest: far more than any query a person writes,
#: far fewer than the depth that exhausts an engine's parser (pyoxigraph's holds past 1,600).
MAX_NESTING = 256
#: Characters of a query given to the Python API or the command line (the endpoint has its own,
#: smaller limit, ``serve --max-query-length``).
MAX_QUERY_LENGTH = 16_000_000

# The tokens that matter; everything between them (punctuation, numbers, white space) is skipped.
# Each pattern always matches where it starts (a string runs to its closing quote, a short one at
# most to the end of its line, a long one to the end of the text), so nothing backtracks over the
# text. An IRI is SPARQL's IRIREF; a '<' that is not one is an operator.
_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\[\s\S]|"(?!""))*(?:\"\"\"|\Z)
               |'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|\Z)
               |"(?:[^"\\\n\r]|\\.)*"?
               |'(?:[^'\\\n\r]|\\.)*'?)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<variable>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]*)
    | (?P<name>[^\W\d][\w.\-]*(?::[^\s{}()\[\],;"'\#<>]*)?|:[^\s{}()\[\],;"'\#<>]*)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    """,
    re.VERBOSE,
)
#: SPARQL's code-point escapes, which some engines (rdflib) expand in the whole text before parsing.
_CODE_POINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Service:
    """A ``SERVICE`` clause: its target as written (an IRI, a prefixed name or a variable) and line."""

    target: str
    kind: str
    line: int


@dataclass(frozen=True)
class Shape:
    """What screening needs to know of a query text."""

    depth: int
    #: the line where the nesting first passes :data:`MAX_NESTING`, if it does
    deep_line: int | None
    services: tuple[Service, ...]
    prefixes: tuple[tuple[str, str], ...]
    base: str | None


def screen(
    text: str,
    *,
    allow_service: Iterable[str] = (),
    max_nesting: int = MAX_NESTING,
    max_length: int = MAX_QUERY_LENGTH,
) -> None:
    """Raise :class:`~cptkg.core.errors.QueryError` (one line, with the line of the query at fault)
    for a query longer than ``max_length``, nested deeper than ``max_nesting``, or with a ``SERVICE``
    clause whose endpoint is not in ``allow_service`` (``SERVICE ?variable`` is always refused)."""
    if len(text) > max_length:
        raise QueryError(f"the query is {len(text):,} characters long; the limit is {max_length:,}")
    # read as written and, when it holds code-point escapes, as an engine that expands them reads it
    shapes = [shape_of(text, max_nesting)]
    if "\\u" in text or "\\U" in text:
        shapes.append(shape_of(_CODE_POINT.sub(_code_point, text), max_nesting))
    for shape in shapes:
        if shape.deep_line is not None:
            raise QueryError(f"the query nests deeper than {max_nesting} levels of brackets", line=shape.deep_line)
    allowed = frozenset(allow_service)
    found = [(service, shape) for shape in shapes for service in shape.services]
    for service, read in found:
        if service.kind == "variable":
            raise QueryError(
                f"SERVICE {one_line(service.target)} is refused: the endpoint of a federated query must be "
                "an IRI listed with --allow-service URL",
                line=service.line,
            )
        endpoint = _resolve(service, read)
        if endpoint not in allowed:
            raise QueryError(
                f"SERVICE {one_line(service.target)} is refused: a federated query connects to another server; "
                "allow that endpoint with --allow-service URL",
                line=service.line,
            )


@lru_cache(maxsize=1024)
def shape_of(text: str, max_nesting: int = MAX_NESTING) -> Shape:
    """The nesting depth, ``SERVICE`` clauses, prefixes and base of a query text (one pass)."""
    depth = deepest = 0
    deep_at: int | None = None
    services: list[Service] = []
    prefixes: list[tuple[str, str]] = []
    base: str | None = None
    expect: str | None = None  # what the previous keyword announces: "service", "prefix", "base"
    declared: str | None = None  # the prefix a PREFIX declaration is naming
    for token in _TOKEN.finditer(text):
        kind = token.lastgroup
        value = token.group()
        if kind in ("comment", "string"):
            continue
        if kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > max_nesting and deep_at is None:
                    deep_at = token.start()
            expect = None
            continue
        if kind == "close":
            depth = max(depth - 1, 0)
            expect = None
            continue
        word = value.lower() if kind == "name" and ":" not in value else None
        if expect == "service":
            if word == "silent":
                continue
            services.append(Service(value, kind if kind in ("iri", "variable") else "name", _line(text, token.start())))
        elif expect == "prefix" and kind == "name" and value.endswith(":"):
            declared = value[:-1]
            expect = "prefix-iri"
            continue
        elif expect == "prefix-iri" and kind == "iri" and declared is not None:
            prefixes.append((declared, value[1:-1]))
        elif expect == "base" and kind == "iri":
            base = value[1:-1]
        expect = word if word in ("service", "prefix", "base") else None
    deep_line = _line(text, deep_at) if deep_at is not None else None
    return Shape(deepest, deep_line, tuple(services), tuple(prefixes), base)


def _code_point(match: re.Match[str]) -> str:
    try:
        return chr(int(match.group(1) or match.group(2), 16))
    except ValueError:  # past U+10FFFF: no character, left as written
        return match.group()


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _resolve(service: Service, shape: Shape) -> str | None:
    """The endpoint IRI a ``SERVICE`` clause names (a prefixed name through the query's prefixes,
    then the package's; a relative IRI against the query's base), or None when it names none."""
    import urllib.parse

    if service.kind == "iri":
        iri = service.target[1:-1]
        return urllib.parse.urljoin(shape.base, iri) if shape.base else iri
    prefix, _, local = service.target.partition(":")
    declared = dict(shape.prefixes)
    if prefix not in declared:
        from .prefixes import NAMESPACES

        declared = {**NAMESPACES, **declared}
    namespace = declared.get(prefix)
    return None if namespace is None else namespace + local
