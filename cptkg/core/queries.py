"""Named SPARQL queries: the ``.rq`` files of ``queries/``, their headers and their parameters.

A query file starts with a header of ``# key: value`` comment lines, then the query. The query
declares no prefixes: it is parsed with the package prefix map (:mod:`cptkg.core.prefixes`).

.. code-block:: sparql

    # title: Covered codons
    # description: The exons and codons a billing code covers.
    # param: code (code, optional) The code's notation, such as 81311.
    SELECT ?code ?exon ... WHERE { ?c skos:notation ?code ... }

A parameter has the name of the query variable it binds and one of the kinds of
:data:`PARAMETER_KINDS`. Its value is bound as an RDF term by the query engine; it is never
pasted into the query text, so no value can change what a query does. An optional parameter
left out leaves its variable free: ``covered-codons`` without ``code`` lists every code.

Check queries (``queries/checks/*-violation.rq``) use the same header with other keys: title,
severity, why, fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .errors import InputError, ParameterError, UnknownQueryError
from .prefixes import expand

#: kind -> what a value of that kind is
PARAMETER_KINDS = {
    "code": "the notation of a billing code the graph describes, such as 81311",
    "string": "any text, bound as a plain literal",
    "resource": "a CURIE of the package prefix map or a full IRI",
    "integer": "a whole number",
}

_HEADER = re.compile(r"^#\s*(?P<key>[a-z][a-z-]*)\s*:\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(?P<value>\S.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s+\((?P<kind>\w+)(?P<optional>,\s*optional)?\)\s*(?P<description>.*)$")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a named query."""

    name: str
    kind: str
    description: str
    required: bool

    def to_term(self, value: object):
        """The RDF term a user's value binds to, or a :class:`ParameterError`.

        >>> Parameter("code", "code", "", True).to_term("81311")
        rdflib.term.Literal('81311')
        >>> Parameter("n", "integer", "", True).to_term("x")
        Traceback (most recent call last):
        ...
        cptkg.core.errors.ParameterError: parameter 'n' must be a whole number, not 'x'
        """
        from rdflib import Literal, URIRef
        from rdflib.term import Node

        if isinstance(value, Node):
            return value
        text = str(value)
        if self.kind in ("code", "string"):
            return Literal(text.strip() if self.kind == "code" else text)
        if self.kind == "integer":
            # ASCII digits only: int() would also take "1_000" and other scripts' digits
            if not re.fullmatch(r"\s*[+-]?[0-9]{1,30}\s*", text):
                raise ParameterError(f"parameter {self.name!r} must be a whole number, not {text!r}")
            return Literal(int(text))
        try:
            return URIRef(expand(text))
        except InputError as error:
            raise ParameterError(f"parameter {self.name!r}: {error}") from None


@dataclass(frozen=True)
class NamedQuery:
    """A query of the catalogue: its name, header fields, parameters and text."""

    name: str
    text: str
    path: Path
    header: Mapping[str, str] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()

    @property
    def title(self) -> str:
        """The query's title (its ``title`` header, else its name)."""
        return self.header.get("title", self.name)

    @property
    def description(self) -> str:
        """What the query answers (its ``description`` header; empty when it has none)."""
        return self.header.get("description", "")

    def with_values(self, variable: str, terms: Iterable[object]) -> str:
        """The query text with ``VALUES ?variable { ... }`` (one row per term) opening its ``WHERE`` group.

        For binding a set of terms at once where a trailing VALUES clause would come too late (after
        an aggregate). The terms are written by :func:`sparql_term`, never taken as text.

        >>> from rdflib import URIRef
        >>> query = NamedQuery("q", "SELECT ?r (COUNT(*) AS ?n) WHERE { ?r ?p ?o } GROUP BY ?r", Path("q.rq"))
        >>> query.with_values("r", [URIRef("https://w3id.org/cptkg/a")])
        'SELECT ?r (COUNT(*) AS ?n) WHERE { VALUES ?r { <https://w3id.org/cptkg/a> } ?r ?p ?o } GROUP BY ?r'
        """
        if not re.fullmatch(r"[A-Za-z_]\w*", variable):
            raise ParameterError(f"query {self.name!r}: {variable!r} is not a variable name")
        return open_with_values(self.text, {variable: list(terms)}, self.name)

    @property
    def body(self) -> str:
        """The query without its header lines."""
        return "\n".join(line for line in self.text.splitlines() if not line.startswith("#"))

    def bind(self, values: Mapping[str, object]) -> dict[str, object]:
        """Check user values against the parameters and turn them into RDF terms."""
        known = {parameter.name: parameter for parameter in self.parameters}
        unexpected = sorted(set(values) - set(known))
        if unexpected:
            accepted = ", ".join(known) or "none"
            raise ParameterError(
                f"query {self.name!r} has no parameter {unexpected[0]!r} (it accepts: {accepted})"
            )
        missing = [p.name for p in self.parameters if p.required and values.get(p.name) in (None, "")]
        if missing:
            raise ParameterError(f"query {self.name!r} needs the parameter {missing[0]!r}")
        return {
            name: known[name].to_term(value) for name, value in values.items() if value is not None
        }


def parse_header(text: str, path: Path) -> tuple[dict[str, str], list[str], int]:
    """The header fields, the raw ``param`` entries and the number of header lines."""
    header: dict[str, str] = {}
    params: list[str] = []
    last: str | None = None
    lines = text.splitlines()
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.startswith("#"):
            break
        count = number
        continuation = _CONTINUATION.match(line)
        if continuation and last is not None:
            if last == "param":
                params[-1] += " " + continuation["value"].strip()
            else:
                header[last] += " " + continuation["value"].strip()
            continue
        match = _HEADER.match(line)
        if not match:
            raise InputError("header lines must read '# key: value'", path=path, line=number)
        key, value = match["key"], match["value"].strip()
        if key == "param":
            params.append(value)
        elif key in header:
            raise InputError(f"header field {key!r} is given twice", path=path, line=number)
        else:
            header[key] = value
        last = key
    return header, params, count


def read_query(path: Path, name: str | None = None) -> NamedQuery:
    """Read one ``.rq`` file into a :class:`NamedQuery`."""
    from .rdfio import read_text

    text = read_text(path)
    header, raw_params, _ = parse_header(text, path)
    parameters = []
    for raw in raw_params:
        match = _PARAM.match(raw)
        if not match or match["kind"] not in PARAMETER_KINDS:
            raise InputError(
                f"bad parameter declaration {raw!r}: write 'name (kind[, optional]) description' "
                f"with kind one of {', '.join(PARAMETER_KINDS)}",
                path=path,
            )
        if not re.search(rf"[?$]{match['name']}\b", text):
            raise InputError(f"parameter {match['name']!r} names no variable of the query", path=path)
        parameters.append(
            Parameter(match["name"], match["kind"], match["description"].strip(), not match["optional"])
        )
    if "title" not in header:
        raise InputError("the header has no 'title' field", path=path, line=1)
    return NamedQuery(name or path.stem, text, path, header, tuple(parameters))


class Catalog(Mapping[str, NamedQuery]):
    """The queries of a folder and its sub-folders (but those in ``exclude``), by file name.

    Two files of one name in different sub-folders are an error: a query's name is its identity.
    """

    def __init__(self, directory: Path, exclude: tuple[str, ...] = (), suffix: str = ".rq") -> None:
        self.directory = directory
        self._queries: dict[str, NamedQuery] = {}
        for path in sorted(directory.rglob(f"*{suffix}")):
            if path.relative_to(directory).parts[0] in exclude:
                continue
            if path.stem in self._queries:
                raise InputError(f"a second query named {path.stem!r} (the first is {self._queries[path.stem].path})", path=path)
            self._queries[path.stem] = read_query(path)

    def __getitem__(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQueryError(name, list(self._queries)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)


#: Sub-folders of ``queries/`` that are not named queries a user runs: the check rules, the
#: reasoning rules and the plumbing of the backends.
_NOT_NAMED = ("checks", "rules", "core")


@cache
def catalog() -> Catalog:
    """The package's named queries: every ``queries/<area>/*.rq`` of the areas users query."""
    from .resources import folder

    return Catalog(folder("queries"), exclude=_NOT_NAMED)


@cache
def checks() -> Catalog:
    """The package's check queries (``queries/checks/*-violation.rq`` and their candidate queries)."""
    from .resources import folder

    return Catalog(folder("queries") / "checks")


@cache
def rules() -> Catalog:
    """The reasoning rules (``queries/rules/*.ru``): SPARQL updates with a header."""
    from .resources import folder

    return Catalog(folder("queries") / "rules", suffix=".ru")


@cache
def internal_query(name: str, area: str = "core") -> NamedQuery:
    """A query (``.rq``) or update (``.ru``) that the package runs itself: ``queries/<area>/<name>``.

    ``core`` holds the plumbing of the backends; the capabilities keep theirs in their own area.
    """
    from .resources import folder

    directory = folder("queries") / area
    for suffix in (".rq", ".ru"):
        if (directory / f"{name}{suffix}").is_file():
            return read_query(directory / f"{name}{suffix}")
    raise UnknownQueryError(name, sorted(path.stem for path in directory.iterdir()))


def values_clause(bindings: Mapping[str, object]) -> str:
    """A trailing SPARQL ``VALUES`` clause binding variables to RDF terms, written from the terms.

    A single term per variable gives one row; a list (for one variable alone) gives a row per term.

    >>> from rdflib import Literal, URIRef
    >>> values_clause({"code": Literal("81311"), "n": Literal(61)})
    '\\nVALUES (?code ?n) { ("81311" "61"^^<http://www.w3.org/2001/XMLSchema#integer>) }\\n'
    >>> values_clause({"r": [URIRef("https://w3id.org/cptkg/b"), URIRef("https://w3id.org/cptkg/a")]})
    '\\nVALUES ?r { <https://w3id.org/cptkg/a> <https://w3id.org/cptkg/b> }\\n'
    >>> values_clause({"r": URIRef("https://example.org/a> } DROP ALL #")})
    Traceback (most recent call last):
    ...
    cptkg.core.errors.ParameterError: the IRI 'https://example.org/a> } DROP ALL #' holds characters SPARQL does not allow in an IRI
    """
    if not bindings:
        return ""
    lists = [name for name, value in bindings.items() if isinstance(value, (list, tuple, set, frozenset))]
    if lists:
        if len(bindings) != 1:
            raise ParameterError("a list of values binds one variable alone")
        terms = sorted(sparql_term(term) for term in bindings[lists[0]])  # type: ignore[union-attr]
        return f"\nVALUES ?{lists[0]} {{ {' '.join(terms)} }}\n"
    names = " ".join(f"?{name}" for name in bindings)
    return f"\nVALUES ({names}) {{ ({' '.join(sparql_term(term) for term in bindings.values())}) }}\n"


_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def sparql_term(term: object) -> str:
    """An rdflib IRI or literal written as SPARQL; an IRI that SPARQL cannot hold is a ParameterError."""
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        if _BAD_IRI.search(str(term)):
            raise ParameterError(f"the IRI {str(term)!r} holds characters SPARQL does not allow in an IRI")
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise ParameterError(f"a query can bind IRIs and literals, not {term!r}")


#: What the scanner of :func:`where_group` skips: comments, strings (long ones first) and IRIs, none of
#: which may open the WHERE group even when they hold a brace.
_SKIPPED = re.compile(
    r"""#[^\n]*|'{3}(?:[^\\]|\\.)*?'{3}|"{3}(?:[^\\]|\\.)*?"{3}|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>""",
    re.DOTALL,
)
_KEYWORD = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|WHERE)\b", re.IGNORECASE)


def where_group(text: str) -> int | None:
    """The position just after the ``{`` that opens a query's WHERE group, or None when it has none.

    The group of a SELECT, ASK or DESCRIBE query is its first top-level group; a CONSTRUCT query's is
    the one after the keyword ``WHERE`` (its template comes first). Braces in comments, strings and
    IRIs are skipped.

    >>> text = 'SELECT ?s WHERE { ?s rdfs:label "}{" }'
    >>> text[where_group(text):]
    ' ?s rdfs:label "}{" }'
    >>> text = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }"
    >>> text[where_group(text):]
    ' ?s a ?t }'
    >>> where_group("DESCRIBE cptkg:gene-NRAS") is None
    True
    """
    form = None
    after_where = False
    position = 0
    while position < len(text):
        skipped = _SKIPPED.match(text, position)
        if skipped:
            position = skipped.end()
            continue
        keyword = _KEYWORD.match(text, position)
        if keyword and (position == 0 or not (text[position - 1].isalnum() or text[position - 1] in "_?$:")):
            word = keyword[1].upper()
            form = form or (word if word != "WHERE" else None)
            after_where = after_where or word == "WHERE"
            position = keyword.end()
            continue
        if text[position] == "{" and form is not None and (form != "CONSTRUCT" or after_where):
            return position + 1
        if text[position] == "{":  # a CONSTRUCT template: go past its closing brace
            position = _closing_brace(text, position)
            continue
        position += 1
    return None


def _closing_brace(text: str, opening: int) -> int:
    """The position after the brace that closes the one at ``opening`` (the end of the text if none)."""
    depth, position = 0, opening
    while position < len(text):
        skipped = _SKIPPED.match(text, position)
        if skipped:
            position = skipped.end()
            continue
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        position += 1
        if depth == 0:
            return position
    return position


def open_with_values(text: str, bindings: Mapping[str, object], name: str = "the query") -> str:
    """The query text with a ``VALUES`` block of the bindings (RDF terms) opening its WHERE group.

    Inside the group, the block joins the pattern before any aggregate, projection or ``LIMIT``, so
    it binds a variable the query does not project as well as one it does. A list binds its
    variable to each of its terms in turn (one variable alone). The block is written from the
    terms (:func:`values_clause`), never from text.

    >>> from rdflib import URIRef
    >>> open_with_values("ASK { ?s a ?t }", {"t": URIRef("https://w3id.org/cptkg/Codon")})
    'ASK { VALUES (?t) { (<https://w3id.org/cptkg/Codon>) } ?s a ?t }'
    """
    opening = where_group(text)
    if opening is None:
        raise ParameterError(f"{name} has no WHERE group to bind {', '.join('?' + v for v in bindings)} in")
    if _short_construct(text, opening):
        raise ParameterError(f"{name}: bind values in a CONSTRUCT query's long form (its template, then its pattern)")
    block = values_clause(bindings).strip()
    return f"{text[:opening]} {block}{text[opening:]}"


def _short_construct(text: str, opening: int) -> bool:
    """Whether the group at ``opening`` is a short-form ``CONSTRUCT WHERE { }`` (its pattern is its template)."""
    head = _SKIPPED.sub(" ", text[: opening - 1])
    return re.search(r"\bCONSTRUCT\s+WHERE\s*$", head, re.IGNORECASE) is not None


def term_of(value: object, variable: str = "") -> object:
    """The RDF term a Python value binds to in :meth:`~cptkg.core.graph.CoreGraph.sparql`; a list gives a list.

    The rule has no exception: an rdflib term binds as it is; ``bool``, ``int``, ``float``,
    ``Decimal``, ``datetime.date`` and ``datetime.datetime`` bind as typed literals; a ``str``
    binds as a plain string literal, *never* as an IRI, even when it reads like a CURIE (then a
    :class:`~cptkg.core.errors.BindingWarning` says so): an IRI is bound with :func:`cptkg.iri`.

    >>> term_of(61)
    rdflib.term.Literal('61', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> term_of("81311")
    rdflib.term.Literal('81311')
    """
    import datetime
    import warnings
    from decimal import Decimal

    from rdflib import Literal
    from rdflib.term import Node

    if isinstance(value, Node):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [term_of(item, variable) for item in value]
    if isinstance(value, str):
        if _reads_as_iri(value):
            from .errors import BindingWarning

            warnings.warn(
                f"?{variable} is bound to the string {value!r}, not to an IRI; for the IRI bind cptkg.iri({value!r})",
                BindingWarning,
                stacklevel=4,
            )
        return Literal(value)
    if isinstance(value, (bool, int, float, Decimal, datetime.date)):
        return Literal(value)
    raise ParameterError(f"?{variable}: cannot bind a {type(value).__name__}; give an rdflib term, text or a number")


def _reads_as_iri(text: str) -> bool:
    """Whether a string looks like an IRI or a CURIE of the package prefix map."""
    from .prefixes import NAMESPACES

    if text.startswith(("http://", "https://", "urn:")):
        return True
    prefix, colon, local = text.partition(":")
    return bool(colon) and prefix in NAMESPACES and bool(local) and not any(c.isspace() for c in local)
