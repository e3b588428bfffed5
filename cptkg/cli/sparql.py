"""``cptkg sparql``: run any SPARQL query, given as text or as a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.rdfio import FORMATS
from ..core.results import Result
from .common import add_allow_service, add_output_options, emit, knowledge_graph
from .query import RESULT_FORMATS, format_result


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``sparql`` command to the parser."""
    sparql = commands.add_parser("sparql", help="run any SPARQL query, given as text or as a file")
    sparql.add_argument("text", metavar="TEXT_OR_FILE", help="the query, or the path of a .rq file")
    sparql.add_argument("--format", choices=RESULT_FORMATS, default="table", help="for SELECT and ASK")
    sparql.add_argument(
        "--rdf-format", choices=list(FORMATS), default="turtle", help="for CONSTRUCT and DESCRIBE (default turtle)"
    )
    add_allow_service(sparql)
    add_output_options(sparql)
    sparql.set_defaults(handler=run_sparql)


def run_sparql(args: argparse.Namespace) -> int:
    """Run a SPARQL query given as text or as a ``.rq`` file; rows as a table, JSON or CSV, graphs as RDF."""
    import re

    from ..core.errors import InputError, QueryError
    from ..core.rdfio import read_text, serialize
    from ..core.screening import screen

    text, path = args.text, None
    if _names_a_file(text):
        path = text
        text = read_text(path)
    try:
        screen(text, allow_service=args.allow_service)  # before the graph is loaded: refused at once
        kg = knowledge_graph(args)
        kg.backend.allow_service = frozenset(args.allow_service)
        answer = kg.sparql(text)
    except QueryError as error:  # engines' messages span lines; the command line prints one, with where
        message = " ".join(error.reason.split())
        at = re.search(r"error at (\d+):\d+|\(line:(\d+), col:\d+\)", message)
        line = error.line or (int(at[1] or at[2]) if at else None)
        raise InputError(message[:400] + ("…" if len(message) > 400 else ""), path=path, line=line) from None
    if isinstance(answer, Result):
        emit(args, format_result(answer, args.format))
    else:
        emit(args, serialize(answer, args.rdf_format))
    return 0


def _names_a_file(text: str) -> bool:
    """Whether the sparql argument is a query file rather than query text (a long query is no file
    name); a pipe or ``/dev/stdin`` is a file too."""
    if text.endswith(".rq"):
        return True
    if "\n" in text or len(text) > 4096:
        return False
    try:
        path = Path(text)
        return path.exists() and not path.is_dir()
    except (OSError, ValueError):  # "File name too long", an embedded NUL: query text
        return False
