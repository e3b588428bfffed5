"""Query results: rows of Python values keyed by variable name, and their tabular and JSON forms.

A row holds the terms the engine bound (pyoxigraph's as they come, made rdflib terms only when asked
for: rdflib is not imported to read a row) and hands them out and compares them as rdflib terms, so
the same query gives equal rows on every backend; reading a row gives Python values.
:func:`python_value` is the single place where a term becomes a Python value (IRIs become CURIEs of
the package prefix map, numeric, boolean and date literals numbers, booleans and dates, everything
else a string) and :func:`plain` its JSON-ready form (dates as text), which the JSON and CSV outputs
write.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, overload

import pyoxigraph as ox

from .prefixes import curie_or_iri

if TYPE_CHECKING:
    import pandas
    from rdflib.term import Node


def readable_json(document: Any) -> str:
    """JSON for people and machines: each item of a list on a line of its own, compact within.

    Indented JSON goes through the json module's pure-Python encoder (the 6,500 findings of a
    1,000-code check took 2.2 s); this way each item is written by the C encoder.

    >>> print(readable_json({"consistent": True, "findings": [{"rule": "a"}, {"rule": "b"}], "none": []}))
    {
      "consistent": true,
      "findings": [
        {"rule": "a"},
        {"rule": "b"}
      ],
      "none": []
    }
    """
    from .text import dumps

    def items(values: list, indent: str) -> str:
        if not values:
            return "[]"
        return "[\n" + ",\n".join(indent + "  " + dumps(v) for v in values) + "\n" + indent + "]"

    if isinstance(document, list):
        return items(document, "")
    if not isinstance(document, dict) or not document:
        return dumps(document)
    fields = [
        f"  {dumps(key)}: " + (items(value, "  ") if isinstance(value, list) else dumps(value))
        for key, value in document.items()
    ]
    return "{\n" + ",\n".join(fields) + "\n}"


class Row(Mapping[str, Any]):
    """One solution of a SELECT query: each variable's value as a Python value, None when unbound.

    Values are what :func:`python_value` makes of the terms: ``int``, ``float``, ``bool``, ``str``,
    ``datetime.date``/``datetime.datetime``, and IRIs as CURIE strings. Read them by key or as
    attributes; the rdflib term stays one call away with :meth:`term` (or :meth:`terms` for the whole
    row). A variable named like a method (``items``, ``keys``, ``get``, ``term`` ...) is read by key.

    >>> from rdflib import Literal, URIRef
    >>> row = Row({"codon": 0, "codon_number": 1}, [URIRef("https://w3id.org/cptkg/codon-NRAS-12"), Literal(12)])
    >>> row.codon_number, row["codon"]
    (12, 'cptkg:codon-NRAS-12')
    >>> row.term("codon")
    rdflib.term.URIRef('https://w3id.org/cptkg/codon-NRAS-12')
    >>> dict(row)
    {'codon': 'cptkg:codon-NRAS-12', 'codon_number': 12}
    """

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: Sequence[Node | None]) -> None:
        self._index = index
        self._values = tuple(values)

    def __getitem__(self, name: str) -> Any:
        return python_value(self._values[self._index[name]])

    def __getattr__(self, name: str) -> Any:
        # called only when no attribute or method has the name
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"the row has no variable {name!r}; its variables: {', '.join(self._index)}") from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {name for name in self._index if name.isidentifier()})

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self.terms() == other.terms()
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash(tuple(map(rdflib_term, self._values)))

    def __repr__(self) -> str:
        return "Row(" + ", ".join(f"{k}={v!r}" for k, v in self.items()) + ")"

    def term(self, name: str) -> Node | None:
        """The rdflib term bound to the variable (None when unbound); a KeyError for a name the row lacks."""
        return rdflib_term(self._values[self._index[name]])

    def terms(self) -> dict[str, Node | None]:
        """The row as a dictionary of rdflib terms, the form query bindings take."""
        return dict(zip(self._index, map(rdflib_term, self._values)))

    def plain(self) -> dict[str, Any]:
        """The row as a JSON-ready dictionary (see :func:`plain`: dates as ISO 8601 text)."""
        return {name: plain(value) for name, value in zip(self._index, self._values)}


class Result:
    """The answer to a SELECT or ASK query: a sequence of :class:`Row`.

    ``len(result)`` is the number of rows, ``result[0]`` the first, ``result.variables`` the column
    order; :meth:`first` and :meth:`one` say what they expect. For an ASK query ``result.boolean``
    holds the answer and there are no rows. A result is true when the query found something (an
    ASK answer, or at least one row).

    >>> import cptkg
    >>> result = cptkg.load().query("covered-codons", code="81311")
    >>> len(result), result.variables[:3]
    (3, ['code', 'gene_symbol', 'exon'])
    >>> [(row.exon_number, row.codon_number) for row in result]
    [(2, 12), (2, 13), (3, 61)]
    >>> result.first().codon
    'cptkg:codon-NRAS-12'
    >>> result.one()
    Traceback (most recent call last):
    ...
    cptkg.core.errors.RowCountError: expected exactly one row, the query gave 3 (first() gives the first row)
    """

    def __init__(
        self, variables: Sequence[str], rows: Sequence[Sequence[Node | None]] = (), boolean: bool | None = None
    ) -> None:
        self.variables = list(variables)
        index = {name: position for position, name in enumerate(self.variables)}
        self.rows = [Row(index, values) for values in rows]
        self.boolean = boolean

    @overload
    def __getitem__(self, position: int) -> Row: ...
    @overload
    def __getitem__(self, position: slice) -> list[Row]: ...
    def __getitem__(self, position):
        return self.rows[position]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __bool__(self) -> bool:
        return self.boolean if self.boolean is not None else bool(self.rows)

    def __repr__(self) -> str:
        if self.boolean is not None:
            return f"<Result ASK {self.boolean}>"
        return f"<Result {len(self.rows)} rows: {', '.join(self.variables)}>"

    def first(self) -> Row | None:
        """The first row, or None when there is none."""
        return self.rows[0] if self.rows else None

    def one(self) -> Row:
        """The only row; :class:`~cptkg.RowCountError` when there are none or several.

        >>> import cptkg
        >>> cptkg.load().query("gene", code="81311").one().symbol
        'NRAS'
        """
        from .errors import RowCountError

        if len(self.rows) != 1:
            raise RowCountError(len(self.rows))
        return self.rows[0]

    def terms(self) -> list[dict[str, Node | None]]:
        """The rows as dictionaries of rdflib terms (see :meth:`Row.terms`)."""
        return [row.terms() for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """The rows as JSON-ready dictionaries: like ``dict(row)``, with dates and times as ISO 8601 text."""
        return [row.plain() for row in self.rows]

    def json_value(self) -> list[dict[str, Any]] | bool:
        """What :meth:`to_json` writes: the records, or the answer of an ASK query."""
        return self.boolean if self.boolean is not None else self.records()

    def to_json(self, **dumps: Any) -> str:
        """The rows as a JSON array of objects keyed by variable name (an ASK answer as a boolean);
        control characters a terminal would act on are written escaped."""
        from .text import dumps as json_dumps

        return json_dumps(self.json_value(), **dumps)

    def to_csv(self) -> str:
        """The rows as CSV with a header line; IRIs as CURIEs. A cell a spreadsheet would run as a
        formula (``=``, ``+``, ``-``, ``@``...) starts with an apostrophe; numbers stay numbers."""
        from .text import CsvWriter

        buffer = io.StringIO()
        writer = CsvWriter(buffer)
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if value is None else text(value) for value in row.terms().values()])
        return buffer.getvalue()

    def to_table(self) -> str:
        """The rows as an aligned plain-text table."""
        return table(self.variables, [[text(v) for v in row.terms().values()] for row in self.rows])

    def _repr_html_(self) -> str:
        """The rows as an HTML table, for Jupyter (IRIs as CURIEs)."""
        if self.boolean is not None:
            return f"<p>ASK: <b>{'true' if self.boolean else 'false'}</b></p>"
        return html_table(self.variables, [[text(v) for v in row.terms().values()] for row in self.rows])

    def to_dataframe(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame of their Python values (needs the ``pandas`` extra)."""
        try:
            import pandas
        except ImportError:  # pragma: no cover - depends on the environment
            from .errors import CptkgError

            raise CptkgError("to_dataframe() needs pandas: pip install 'cptkg[pandas]'") from None
        return pandas.DataFrame([dict(row) for row in self.rows], columns=self.variables)


_INTEGER_TYPES = {
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
}  # fmt: skip
_XSD = "http://www.w3.org/2001/XMLSchema#"


def python_value(term: Node | None) -> Any:
    """A term as the Python value a row gives: CURIE (or IRI) string, int, float, bool, date, datetime or str.

    Numbers, booleans, dates and date-times of the XML Schema types become Python's; an IRI of the
    package prefix map becomes its CURIE, any other IRI its text, a blank node ``_:id``; every other
    literal (text, language-tagged, an ill-formed number) its text.

    >>> from rdflib import Literal, URIRef, XSD
    >>> python_value(URIRef("https://w3id.org/cptkg/exon-NRAS-2"))
    'cptkg:exon-NRAS-2'
    >>> python_value(Literal(12)), python_value(Literal("true", datatype=XSD.boolean))
    (12, True)
    >>> python_value(Literal("2024-02-29", datatype=XSD.date))
    datetime.date(2024, 2, 29)
    >>> python_value(Literal("GGT"))
    'GGT'
    """
    if term is None:
        return None
    if isinstance(term, _OXIGRAPH_TERMS):
        return _oxigraph_value(term)
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return curie_or_iri(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype).startswith(_XSD):
        local = str(term.datatype)[len(_XSD) :]
        value = term.toPython()
        if local in _INTEGER_TYPES and isinstance(value, int):
            return value
        if local in ("decimal", "double", "float") and isinstance(value, (float, Decimal)):
            return float(value)
        if local == "boolean" and isinstance(value, bool):
            return value
        if local in ("date", "dateTime", "dateTimeStamp") and isinstance(value, (datetime.date, datetime.datetime)):
            return value
    return str(term)


_OXIGRAPH_TERMS = (ox.NamedNode, ox.BlankNode, ox.Literal)
_PLAIN_FORMS = {  # XML Schema literals read here in their plain lexical form; rdflib reads any other form
    "integer": re.compile(r"-?[0-9]+"),
    "decimal": re.compile(r"-?[0-9]+(?:\.[0-9]+)?"),
    "boolean": re.compile(r"true|false"),
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
}


def _oxigraph_value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Any:
    """:func:`python_value` of a pyoxigraph term: the same value as of the equal rdflib term (the tests
    compare them on every literal of the graph and on forms of each type), without rdflib for IRIs,
    blank nodes, text and the plain forms of integers, decimals, booleans and dates."""
    if isinstance(term, ox.NamedNode):
        return curie_or_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    datatype = term.datatype.value
    if term.language or not datatype.startswith(_XSD) or datatype == _XSD + "string":
        return term.value
    local, text = datatype[len(_XSD) :], term.value
    form = _PLAIN_FORMS.get(local)
    if form is not None and form.fullmatch(text):
        if local == "integer":
            return int(text)
        if local == "decimal":
            return float(text)
        if local == "boolean":
            return text == "true"
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:  # not a day of the calendar: as rdflib says (ill-typed, its text)
            pass
    return python_value(rdflib_term(term))


def rdflib_term(term: Any) -> Any:
    """A row's value as an rdflib term (a pyoxigraph term converted; None, or an rdflib term, as it is)."""
    if isinstance(term, _OXIGRAPH_TERMS):
        from .rdfio import cached_to_rdflib

        return cached_to_rdflib(term)
    return term


def plain(term: Node | None) -> Any:
    """A term as a JSON-ready value: :func:`python_value`, with dates and times as their ISO 8601 text.

    >>> from rdflib import Literal, XSD
    >>> plain(Literal("2024-02-29", datatype=XSD.date)), plain(Literal(12))
    ('2024-02-29', 12)
    """
    value = python_value(term)
    if isinstance(value, datetime.date):  # the date as written
        return term.value if isinstance(term, ox.Literal) else str(term)
    return value


def text(term: Node | None) -> str:
    """A term as the text shown in tables and reports."""
    value = plain(term)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An aligned plain-text table; long cells are not cut, control characters are shown escaped.

    >>> print(table(["label"], [["red" + chr(27) + "[31m"]]), end="")
    label
    -----------
    red\\x1b[31m
    """
    from .text import visible

    headers = [visible(h) for h in headers]
    rows = [[visible(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def html_table(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str | None = None) -> str:
    """A small, escaped HTML table (for ``_repr_html_`` of results, reports and findings).

    >>> html_table(["a"], [["<x>"]])
    '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;x&gt;</td></tr></tbody></table>'
    """
    from .text import html_text as escape

    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
