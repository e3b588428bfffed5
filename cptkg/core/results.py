"""Query results: rows keyed by variable name, and their plain, tabular and JSON forms.

Rows hold rdflib terms, whatever backend answered, so the same query gives equal rows on every
backend. :func:`plain` is the single place where a term becomes a plain value: IRIs become CURIEs
of the package prefix map, numeric and boolean literals become numbers and booleans, everything
else a string.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

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


class Row(Mapping[str, "Node | None"]):
    """One solution: a read-only mapping from variable name to term (None when unbound)."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: Sequence[Node | None]) -> None:
        self._index = index
        self._values = tuple(values)

    def __getitem__(self, name: str) -> Node | None:
        return self._values[self._index[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return dict(self) == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return "Row(" + ", ".join(f"{k}={plain(v)!r}" for k, v in self.items()) + ")"

    def plain(self) -> dict[str, Any]:
        """The row with every term as a plain value (see :func:`plain`)."""
        return {name: plain(value) for name, value in self.items()}


class Result(Sequence[Row]):
    """The answer to a SELECT or ASK query.

    Iterate it for :class:`Row` objects; ``result.variables`` gives the column order. For an ASK
    query, ``result.boolean`` holds the answer and there are no rows.
    """

    def __init__(
        self, variables: Sequence[str], rows: Sequence[Sequence[Node | None]] = (), boolean: bool | None = None
    ) -> None:
        self.variables = list(variables)
        index = {name: position for position, name in enumerate(self.variables)}
        self.rows = [Row(index, values) for values in rows]
        self.boolean = boolean

    def __getitem__(self, position):  # type: ignore[override]
        return self.rows[position]

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        if self.boolean is not None:
            return f"<Result ASK {self.boolean}>"
        return f"<Result {len(self.rows)} rows: {', '.join(self.variables)}>"

    def records(self) -> list[dict[str, Any]]:
        """The rows as plain dictionaries, ready for JSON."""
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
            writer.writerow(["" if value is None else text(value) for value in row.values()])
        return buffer.getvalue()

    def to_table(self) -> str:
        """The rows as an aligned plain-text table."""
        return table(self.variables, [[text(v) for v in row.values()] for row in self.rows])

    def _repr_html_(self) -> str:
        """The rows as an HTML table, for Jupyter (IRIs as CURIEs)."""
        if self.boolean is not None:
            return f"<p>ASK: <b>{'true' if self.boolean else 'false'}</b></p>"
        return html_table(self.variables, [[text(v) for v in row.values()] for row in self.rows])

    def to_dataframe(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame of plain values (needs the ``pandas`` extra)."""
        try:
            import pandas
        except ImportError:  # pragma: no cover - depends on the environment
            from .errors import CptkgError

            raise CptkgError("to_dataframe() needs pandas: pip install 'cptkg[pandas]'") from None
        return pandas.DataFrame(self.records(), columns=self.variables)


_INTEGER_TYPES = {
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
}  # fmt: skip
_XSD = "http://www.w3.org/2001/XMLSchema#"


def plain(term: Node | None) -> Any:
    """A term as a plain Python value: CURIE or IRI string, int, float, bool or str.

    >>> from rdflib import Literal, URIRef
    >>> plain(URIRef("https://w3id.org/cptkg/exon-NRAS-2"))
    'cptkg:exon-NRAS-2'
    >>> plain(Literal(12))
    12
    >>> plain(Literal("GGT"))
    'GGT'
    """
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
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
    return str(term)


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
