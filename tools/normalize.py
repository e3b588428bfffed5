"""Keep the ontology and shape files in their one canonical Turtle form.

    python tools/normalize.py          # rewrite files that are not canonical
    python tools/normalize.py --check  # list them and exit 1 instead

The canonical form is :func:`cptkg.core.rdfio.canonical_turtle` (rdflib's sorted ``longturtle`` with the
package prefixes), so that a diff shows what changed in the graph and nothing else. Comments do
not survive it: say what a term means in its definition or ``rdfs:comment``, where it stays.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cptkg.core.rdfio import canonical_turtle, read_quads, to_graph

FOLDERS = ("ontology", "shapes")


def canonical_files() -> list[Path]:
    return sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.ttl"))


def canonical_text(path: Path) -> str:
    return canonical_turtle(to_graph(read_quads(path)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are not canonical")
    args = parser.parse_args(argv)
    stale = []
    for path in canonical_files():
        text = canonical_text(path)
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'not canonical' if args.check else 'rewrote'}: {path.relative_to(ROOT)}")
    return 1 if (stale and args.check) else 0


if __name__ == "__main__":
    raise SystemExit(main())
