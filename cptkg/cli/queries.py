"""``cptkg queries``: the named queries with their titles and parameters."""

from __future__ import annotations

import argparse

from ..core.queries import catalog
from ..core.results import readable_json
from .common import emit


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``queries`` command to the parser."""
    queries = commands.add_parser("queries", help="list the named queries with their titles and parameters")
    queries.add_argument("--format", choices=["text", "json"], default="text")
    queries.set_defaults(handler=run_queries)


def run_queries(args: argparse.Namespace) -> int:
    """List the named queries with their titles, descriptions and parameters."""
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
