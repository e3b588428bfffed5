"""Write the references generated from the code: docs/api.md (the docstrings) and docs/cli.md (the parser's help).

    python tools/reference_docs.py           # write both
    python tools/reference_docs.py --check   # exit 1 when a committed file differs from what the code generates

tests/test_docstrings.py runs the check; ``cptkg docs --output DIR`` writes the same two files into its set.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def references() -> dict[Path, str]:
    """Each generated reference file and the text the code gives it."""
    from cptkg.cli import parser
    from cptkg.cli.docs import cli_reference
    from cptkg.report.docs import api_reference

    return {ROOT / "docs" / "api.md": api_reference(), ROOT / "docs" / "cli.md": cli_reference(parser())}


def main(argv: list[str]) -> int:
    """Write the references, or with ``--check`` say which is out of date (exit status 1)."""
    stale = []
    for path, text in references().items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            continue
        if "--check" in argv:
            stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    for path in stale:
        print(f"{path.relative_to(ROOT)} is out of date: run python tools/reference_docs.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
