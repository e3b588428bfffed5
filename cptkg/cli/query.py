"""``cptkg query``: run a named query, its parameters bound as RDF terms."""

from __future__ import annotations

import argparse

from ..core.errors import ParameterError
from ..core.results import Result, readable_json
from .common import add_output_options, emit, knowledge_graph

RESULT_FORMATS = ("table", "json", "csv")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``query`` command to the parser."""
    query = commands.add_parser("query", help="run a named query")
    query.add_argument("name", help="the query's name (see: cptkg queries)")
    query.add_argument(
        "--param", "-p", metavar="KEY=VALUE", action="append", default=[], help="bind a parameter (repeatable)"
    )
    query.add_argument("--format", choices=RESULT_FORMATS, default="table")
    add_output_options(query)
    query.set_defaults(handler=run_query)


def run_query(args: argparse.Namespace) -> int:
    """Run a named query with the ``--param`` values and write its rows."""
    kg = knowledge_graph(args)
    emit(args, format_result(kg.query(args.name, **parse_params(args.param)), args.format))
    return 0


def parse_params(pairs: list[str]) -> dict[str, str]:
    """The ``--param KEY=VALUE`` pairs as a dictionary; a malformed or repeated pair is a :class:`~cptkg.ParameterError`.

    >>> parse_params(["code=81311", "resource=cptkg:gene-NRAS"])
    {'code': '81311', 'resource': 'cptkg:gene-NRAS'}
    """
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--param takes KEY=VALUE, not {pair!r}")
        if key.strip() in params:
            raise ParameterError(f"parameter {key.strip()!r} is given twice")
        params[key.strip()] = value
    return params


def format_result(result: Result, fmt: str) -> str:
    """A result as the text of one of :data:`RESULT_FORMATS` (table, json, csv)."""
    if fmt == "json":
        return readable_json(result.json_value()) + "\n"
    if fmt == "csv":
        return result.to_csv()
    if result.boolean is not None:
        return ("true" if result.boolean else "false") + "\n"
    return result.to_table()
