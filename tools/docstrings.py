"""Which public functions, classes and methods of cptkg have no docstring.

Public means: a module of the package whose path has no part starting with ``_``; in it, each
function and class it defines (not imports) whose name does not start with ``_``; in each such
class, each method, property, classmethod and staticmethod defined in its body under such a name.
A method that overrides a documented one inherits its docstring (``inspect.getdoc``), as help()
and the API reference show it. Modules themselves count too (their docstring).

    python tools/docstrings.py            # the figures, and each undocumented name
    python tools/docstrings.py --quiet    # the figures only

Exit status 1 when a public name has no docstring (tests/test_docstrings.py runs the same check).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def public_modules(package: str = "cptkg") -> list[str]:
    """The dotted names of the package's public modules (the package itself included), sorted."""
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _members(cls: type) -> list[tuple[str, object]]:
    found = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if inspect.isfunction(value) or isinstance(value, property):
            found.append((name, getattr(cls, name) if not isinstance(value, property) else value))
    return found


def public_names(module_name: str) -> dict[str, object]:
    """Qualified name -> object, for the module and every public name it defines."""
    module = importlib.import_module(module_name)
    names: dict[str, object] = {module_name: module}
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module_name:
            continue
        if not (inspect.isfunction(value) or inspect.isclass(value)):
            continue
        names[f"{module_name}.{name}"] = value
        if inspect.isclass(value):
            for member, obj in _members(value):
                names[f"{module_name}.{name}.{member}"] = obj
    return names


def docstrings(package: str = "cptkg") -> dict[str, str]:
    """Qualified name -> docstring ('' when none), for every public name of the package."""
    everything: dict[str, object] = {}
    for module_name in public_modules(package):
        everything.update(public_names(module_name))
    return {name: (inspect.getdoc(obj) or "").strip() for name, obj in everything.items()}


def undocumented(package: str = "cptkg") -> tuple[list[str], int]:
    """The public names without a docstring, and how many public names there are."""
    found = docstrings(package)
    return sorted(name for name, text in found.items() if not text), len(found)


def main(argv: list[str]) -> int:
    """Print the figures (and, unless ``--quiet``, each undocumented name); 1 when a name has no docstring."""
    sys.path.insert(0, str(ROOT))
    found = docstrings()
    missing = sorted(name for name, text in found.items() if not text)
    examples = sum(">>>" in text for text in found.values())
    print(
        f"{len(found) - len(missing)} of {len(found)} public names have a docstring; {len(missing)} have none; "
        f"{examples} have a doctest"
    )
    if "--quiet" not in argv:
        for name in missing:
            print(f"  {name}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
