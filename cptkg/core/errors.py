"""The exceptions cptkg raises: one base class, one subclass per kind of user mistake.

Every error message is a single line that names what was wrong (the query, the parameter,
the file and line), so that the command line can print it as is and exit with status 2.
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """The text with the characters that are not printable (a newline, a NUL) written escaped,
    so that a message quoting a user's text stays one line.

    >>> print(one_line("C18.7\\n} UNION {"))
    C18.7\\n} UNION {
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class CptkgError(Exception):
    """Base class of every error cptkg raises on purpose."""


class UnknownQueryError(CptkgError, KeyError):
    """A named query that the catalogue does not hold.

    >>> str(UnknownQueryError("covered-codon", ["covered-codons", "indications"]))
    "unknown query 'covered-codon' (did you mean 'covered-codons'?)"
    """

    def __init__(self, name: str, known: list[str] | None = None) -> None:
        import difflib

        self.name = name
        hint = difflib.get_close_matches(name, known or [], n=1)
        suffix = f" (did you mean {hint[0]!r}?)" if hint else ""
        super().__init__(f"unknown query {name!r}{suffix}")

    def __str__(self) -> str:  # KeyError would quote the message again
        return self.args[0]


class SparqlTextError(UnknownQueryError):
    """SPARQL text given where the name of a named query is expected: ``kg.sparql`` runs text.

    >>> print(SparqlTextError("SELECT ?s WHERE { ?s ?p ?o }"))
    'SELECT ?s WHERE { ?s ?p ?o }' is SPARQL text, not a query name: run it with kg.sparql(text) (cptkg sparql TEXT)
    """

    def __init__(self, text: str) -> None:
        self.name = text
        shown = one_line(text if len(text) <= 60 else text[:57] + "...")
        CptkgError.__init__(self, f"{shown!r} is SPARQL text, not a query name: run it with kg.sparql(text) (cptkg sparql TEXT)")


class ParameterError(CptkgError, ValueError):
    """A query parameter that is missing, unexpected or not of its declared kind."""


class RowCountError(CptkgError, LookupError):
    """:meth:`Result.one() <cptkg.Result.one>` on a result without exactly one row; ``count`` is how many it has.

    >>> print(RowCountError(0))
    expected exactly one row, the query gave none
    >>> print(RowCountError(3))
    expected exactly one row, the query gave 3 (first() gives the first row)
    """

    def __init__(self, count: int) -> None:
        self.count = count
        if count == 0:
            message = "expected exactly one row, the query gave none"
        else:
            message = f"expected exactly one row, the query gave {count} (first() gives the first row)"
        super().__init__(message)


class UnknownCodeError(CptkgError, LookupError):
    """A billing code that the graph does not describe."""

    def __init__(self, code: str, known: list[str] | None = None) -> None:
        self.code = code
        listing = f"; the graph knows {', '.join(known)}" if known else ""
        super().__init__(f"unknown code {code!r}{listing}")


class InputError(CptkgError, ValueError):
    """A file or value given by the user that cannot be used.

    ``path`` and ``line`` say where, when known.

    >>> print(InputError("expected a dot", path="data.ttl", line=3))
    data.ttl, line 3: expected a dot
    """

    def __init__(self, message: str, *, path: object | None = None, line: int | None = None) -> None:
        # a file's name may hold a newline or a terminal escape: the message stays one line
        self.path = one_line(str(path)) if path is not None else None
        self.line = line
        self.reason = message
        where = self.path or ""
        if line is not None:
            where = f"{where}, line {line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)


class QueryError(CptkgError, ValueError):
    """A SPARQL query the engine cannot parse or run, or one refused before it reaches the engine.

    ``line`` is the line of the query text at fault, when known.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


class OutputExistsError(CptkgError, FileExistsError):
    """A command would overwrite a file that already exists."""

    def __init__(self, path: object) -> None:
        self.path = one_line(str(path))
        super().__init__(f"{self.path} already exists; use --force to overwrite it")


class BindingWarning(UserWarning):
    """A value bound to a query variable that may not be what was meant.

    ``kg.sparql(text, g="HGNC:7989")`` binds the *string* ``"HGNC:7989"``; a plain ``str`` is always
    a literal. The warning says how to bind the IRI instead (:func:`cptkg.iri`).
    """
