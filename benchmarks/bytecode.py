"""The package compiled to bytecode before anything is measured, as ``pip install`` leaves an installed
package.

Python reads ``__pycache__`` even where ``PYTHONDONTWRITEBYTECODE`` is set (it is on some machines,
this one included); without it every measured process compiled cptkg's modules from source, 0.27 s
of a claims check's 0.4 s start, a cost no user of an installed package pays.
"""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_package() -> None:
    """Write the bytecode of every module of ``cptkg/`` (what is current is left as it is)."""
    compileall.compile_dir(ROOT / "cptkg", quiet=1)
