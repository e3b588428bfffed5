"""Commands over the graph itself: report, queries, query, sparql, export."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import ParameterError
from ..core.graph import EXPORT_PARTS
from ..core.queries import catalog
from ..core.rdfio import FORMATS
from ..core.results import Result, readable_json
from .common import add_output_options, emit, knowledge_graph

RESULT_FORMATS = ("table", "json", "csv")


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="a readable summary of everything the graph holds about a code")
    report.add_argument("code", help="the code's notation, such as 81311")
    report.add_argument("--format", choices=["text", "markdown", "json", "html"], default="text")
    add_output_options(report)
    report.set_defaults(handler=run_report)

    queries = commands.add_parser("queries", help="list the named queries with their titles and parameters")
    queries.add_argument("--format", choices=["text", "json"], default="text")
    queries.set_defaults(handler=run_queries)

    query = commands.add_parser("query", help="run a named query")
    query.add_argument("name", help="the query's name (see: cptkg queries)")
    query.add_argument(
        "--param", "-p", metavar="KEY=VALUE", action="append", default=[], help="bind a parameter (repeatable)"
    )
    query.add_argument("--format", choices=RESULT_FORMATS, default="table")
    add_output_options(query)
    query.set_defaults(handler=run_query)

    sparql = commands.add_parser("sparql", help="run any SPARQL query, given as text or as a file")
    sparql.add_argument("text", metavar="TEXT_OR_FILE", help="the query, or the path of a .rq file")
    sparql.add_argument("--format", choices=RESULT_FORMATS, default="table", help="for SELECT and ASK")
    sparql.add_argument(
        "--rdf-format", choices=list(FORMATS), default="turtle", help="for CONSTRUCT and DESCRIBE (default turtle)"
    )
    add_output_options(sparql)
    sparql.set_defaults(handler=run_sparql)

    export = commands.add_parser("export", help="serialise the graph")
    export.add_argument("--format", choices=list(FORMATS), default="turtle")
    export.add_argument(
        "--include",
        default="data",
        help=f"comma-separated parts to include: {', '.join(EXPORT_PARTS)} (default: data)",
    )
    add_output_options(export)
    export.set_defaults(handler=run_export)


def run_report(args: argparse.Namespace) -> int:
    from ..report import build, render

    kg = knowledge_graph(args)
    content = build(kg, args.code)
    if args.format == "html":  # a self-contained page, with the source of each item (cptkg.report.html)
        from ..report.html import page, statement_sources

        emit(args, page(content, statement_sources(kg, content)))
        return 0
    emit(args, render(content, args.format))
    return 0


def run_queries(args: argparse.Namespace) -> int:
    entries = [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "parameters": [
                {"name": p.name, "kind": p.kind, "required": p.required, "description": p.description}
                for p in q.parameters
            ],
        }
        for q in catalog().values()
    ]
    if args.format == "json":
        emit(args, readable_json(entries) + "\n")
        return 0
    lines = []
    for entry in entries:
        params = " ".join(
            f"{p['name']}=<{p['kind']}>" if p["required"] else f"[{p['name']}=<{p['kind']}>]"
            for p in entry["parameters"]
        )
        lines.append(f"{entry['name']:<20} {entry['title']}" + (f"  {params}" if params else ""))
    emit(args, "\n".join(lines) + "\n")
    return 0


def parse_params(pairs: list[str]) -> dict[str, str]:
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
    if fmt == "json":
        return readable_json(result.json_value()) + "\n"
    if fmt == "csv":
        return result.to_csv()
    if result.boolean is not None:
        return ("true" if result.boolean else "false") + "\n"
    return result.to_table()


def run_query(args: argparse.Namespace) -> int:
    kg = knowledge_graph(args)
    emit(args, format_result(kg.query(args.name, **parse_params(args.param)), args.format))
    return 0


def run_sparql(args: argparse.Namespace) -> int:
    import re

    from ..core.backends import QueryError
    from ..core.errors import InputError
    from ..core.rdfio import read_text, serialize

    text, path = args.text, None
    if _names_a_file(text):
        path = text
        text = read_text(path)
    try:
        answer = knowledge_graph(args).sparql(text)
    except QueryError as error:  # engines' messages span lines; the command line prints one, with where
        message = " ".join(str(error).split())
        at = re.search(r"error at (\d+):\d+|\(line:(\d+), col:\d+\)", message)
        line = int(at[1] or at[2]) if at else None
        raise InputError(message[:400] + ("…" if len(message) > 400 else ""), path=path, line=line) from None
    if isinstance(answer, Result):
        emit(args, format_result(answer, args.format))
    else:
        emit(args, serialize(answer, args.rdf_format))
    return 0


def _names_a_file(text: str) -> bool:
    """Whether the sparql argument is a query file rather than query text (a long query is no file name)."""
    if text.endswith(".rq"):
        return True
    if "\n" in text or len(text) > 4096:
        return False
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # "File name too long", an embedded NUL: query text
        return False


def run_export(args: argparse.Namespace) -> int:
    parts = [part.strip() for part in args.include.split(",") if part.strip()]
    emit(args, knowledge_graph(args).export(args.format, include=parts))
    return 0
