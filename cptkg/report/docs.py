"""The documentation set ``cptkg docs --output DIR`` writes.

* ``index.html``: the user guide (``docs/guide.md``, shipped with the package) and links to the rest;
* ``ontology.html``: the ontology's documentation, generated from the ontology files by pyLODE;
* ``images/cptkg-ontology.svg``: the picture of the ontology's classes and properties;
* ``<code>.html`` and ``images/cptkg-<code>.svg``: the report page and the picture of each code the
  graph describes (the guide's pictures have the same paths in the repository's ``docs/``);
* ``cli.md`` and ``api.md``: the command-line reference (from the argument parser) and the API
  reference (from the docstrings), also rendered as ``cli.html`` and ``api.html``.

Every page is self-contained (inline style, no external assets). Needs the ``docs`` extra (pyLODE,
graphviz, Markdown) and Graphviz's ``dot`` program.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import CptkgError, InputError, OutputExistsError

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

#: The API reference, in reading order: (heading, module, names). Names None: the module's
#: ``__all__`` (its functions and classes), so a capability's reference follows its public face.
API: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("`cptkg`", "cptkg", ("load", "connect", "iri", "KnowledgeGraph", "Result", "Row")),
    ("Validation: `cptkg.validation`", "cptkg.validation", None),
    ("Reasoning: `cptkg.reasoning`", "cptkg.reasoning", None),
    ("Consistency checks: `cptkg.checks`", "cptkg.checks", None),
    ("Terminology: `cptkg.terminology`", "cptkg.terminology", None),
    ("Variant scope: `cptkg.variants`", "cptkg.variants", None),
    ("Claim checks: `cptkg.claims`", "cptkg.claims", None),
    ("The report: `cptkg.report`", "cptkg.report", None),
    ("The report page: `cptkg.report.html`", "cptkg.report.html",
     ("report_page", "ReportPage", "statement_sources", "disagreements", "page", "fragment")),
    ("Pictures: `cptkg.report.diagram`", "cptkg.report.diagram", ("code_diagram", "ontology_diagram", "render")),
    ("Over HTTP: `cptkg.serve`", "cptkg.serve", None),
    ("Errors and warnings: `cptkg`", "cptkg", ("CptkgError", "UnknownQueryError", "SparqlTextError", "UnknownCodeError",
                                                "ParameterError", "RowCountError", "InputError", "OutputExistsError",
                                                "BindingWarning")),
)  # fmt: skip

_PAGE_STYLE = """body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem; line-height: 1.5; color: #1b1b1b; }
h1, h2 { color: #1f4e79; } pre, code { font-family: ui-monospace, Menlo, Consolas, monospace; background: #f3f5f7; }
pre { padding: .6rem; overflow-x: auto; } table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; } nav { margin-bottom: 1rem; }"""

_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):`(~?)([^`<]+?)(?:\s*<([^>]+)>)?`")


def guide_path() -> Path:
    """The user guide's Markdown source (``docs/guide.md``; ``cptkg/_data/docs/`` in the wheel)."""
    from ..core.resources import root

    return root() / "docs" / "guide.md"


def _signature(obj: Any) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"


def markdown_of(docstring: str) -> str:
    r"""A docstring as Markdown: Sphinx roles and double backquotes as code, doctest examples as code blocks.

    >>> markdown_of("Run :meth:`~cptkg.KnowledgeGraph.query`, ``kg.sparql``.\n\n>>> 1 + 1\n2").splitlines()
    ['Run `query`, `kg.sparql`.', '', '```pycon', '>>> 1 + 1', '2', '```']
    """

    def role(match: re.Match) -> str:
        name = match[3] or match[2]
        return f"`{name.rsplit('.', 1)[-1] if match[1] else name}`"

    lines: list[str] = []
    in_example = False
    for line in docstring.splitlines():
        if line.startswith(">>>") and not in_example:
            lines.append("```pycon")
            in_example = True
        elif in_example and not line.strip():
            lines.append("```")
            in_example = False
        lines.append(line if in_example else _ROLE.sub(role, line).replace("``", "`"))
    if in_example:
        lines.append("```")
    return "\n".join(lines)


def _documented(module: Any, names: tuple[str, ...] | None) -> list[str]:
    """The names a module's part of the reference documents: those given, else its public functions and classes."""
    if names is not None:
        return list(names)
    public = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    return [n for n in public if inspect.isclass(getattr(module, n)) or inspect.isfunction(getattr(module, n))]


def _members(cls: type) -> list[tuple[str, Any]]:
    """A class's public methods and properties, its own and those it inherits from the package's classes."""
    found = []
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next((klass for klass in cls.__mro__ if name in vars(klass)), None)
        if owner is None or not owner.__module__.startswith("cptkg"):
            continue  # inherited from Mapping and friends
        value = vars(owner)[name]
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if inspect.isfunction(value) or isinstance(value, property):
            found.append((name, value))
    return found


def api_reference() -> str:
    """The API reference, as Markdown, from the docstrings of the public functions and classes (:data:`API`)."""
    import importlib

    lines = ["# API reference", "", "Generated from the docstrings by `python tools/reference_docs.py`.", ""]
    for heading, module_name, names in API:
        module = importlib.import_module(module_name)
        lines += [f"## {heading}", ""]
        if heading != "Errors and warnings: `cptkg`":
            lines += [markdown_of(inspect.getdoc(module) or ""), ""]
        for name in _documented(module, names):
            obj = getattr(module, name)
            kind = "class" if inspect.isclass(obj) else "def"
            lines += [f"### `{kind} {name}{_signature(obj)}`", "", markdown_of(inspect.getdoc(obj) or ""), ""]
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for member, value in _members(obj):
                    doc = markdown_of(inspect.getdoc(value) or "")
                    signature = "" if isinstance(value, property) else _signature(value)
                    lines += [f"- **`{member}{signature}`**: {doc.splitlines()[0] if doc else ''}"]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def markdown_page(title: str, text: str, nav: str = "") -> str:
    """A Markdown text as a self-contained HTML page."""
    import markdown

    from ..core.text import html_text

    body = markdown.markdown(text, extensions=["tables", "fenced_code"])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html_text(title)}</title><style>{_PAGE_STYLE}</style></head>"
        f"<body>{nav}\n{body}\n</body></html>\n"
    )


def ontology_page(kg: CoreGraph) -> str:
    """The ontology's documentation, generated by pyLODE from the ontology files."""
    import logging

    try:
        from pylode import OntPub
    except ImportError:  # pragma: no cover - depends on the environment
        raise CptkgError("cptkg docs needs pyLODE: pip install 'cptkg[docs]'") from None
    # pyLODE reports every background ontology it loads at INFO level.
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    return OntPub(ontology=kg.ontology).make_html()


#: File names of the documentation set that a code's page may not take.
RESERVED = frozenset({"index", "cli", "api", "ontology"})


def page_names(codes: list[str]) -> dict[str, str]:
    """The file name (without extension) of each code's page and picture: the code itself when it is
    a plain name, else ``code-<slug>``; never a name of the set's own pages, never two alike. A name
    made from data never climbs out of the folder (``../``), starts at the root, or holds a control.

    >>> page_names(["81311", "../../x", "index", "a/b", "a-b"])
    {'81311': '81311', '../../x': 'code-x', 'index': 'code-index', 'a/b': 'code-a-b', 'a-b': 'a-b'}
    """
    from ..core.resources import slug

    names: dict[str, str] = {}
    plain = [code for code in codes if slug(code) == code and code not in RESERVED]
    taken = set(plain)
    for code in codes:
        if code in plain:
            names[code] = code
            continue
        base = f"code-{slug(code) or 'x'}"
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        names[code] = name
    return names


def build(kg: CoreGraph, directory: str | Path, cli_reference: str, force: bool = False) -> list[Path]:
    """Write the documentation set into ``directory``; returns the files written.

    ``cli_reference`` is the command-line reference as Markdown (the command line writes its own).

    Refuses a directory that exists and is not empty unless ``force`` (then files of the same
    name are replaced, other files are left alone), and any folder inside the installed package.
    The file names made from codes (:func:`page_names`) stay inside ``directory``.
    """
    from ..core.output import refuse_package_path, write_output
    from .diagram import code_diagram, ontology_diagram, render
    from .html import report_page

    target = Path(directory)
    refuse_package_path(target)
    if target.exists() and not target.is_dir():
        raise InputError("is a file, not a directory", path=target)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise OutputExistsError(target)
    names = page_names(kg.codes)
    files: dict[str, str | bytes] = {
        "ontology.html": ontology_page(kg),
        "images/cptkg-ontology.svg": render(ontology_diagram(kg), "svg"),
        "cli.md": cli_reference,
        "api.md": api_reference(),
    }
    nav = _navigation(names)
    files["cli.html"] = markdown_page("cptkg command line", str(files["cli.md"]), nav)
    files["api.html"] = markdown_page("cptkg API", str(files["api.md"]), nav)
    files["index.html"] = markdown_page("cptkg user guide", guide_path().read_text(encoding="utf-8"), nav)
    for code, name in names.items():
        files[f"{name}.html"] = report_page(kg, code).html()
        files[f"images/cptkg-{name}.svg"] = render(code_diagram(kg, code), "svg")
    # everything is made before the folder is touched; it was checked as a whole above, so each
    # file may replace its namesake (a regular file only), once it is sure to be inside the folder
    (target / "images").mkdir(parents=True, exist_ok=True)
    inside = target.resolve()
    for name in files:
        if not (target / name).resolve().is_relative_to(inside):
            raise InputError(f"the documentation file {name!r} would be written outside the folder", path=target)
    return [write_output(target / name, content, force=True) for name, content in files.items()]


def _navigation(names: dict[str, str]) -> str:
    """The links at the top of every page: the set's pages, then each code's page and picture."""
    from ..core.text import html_text

    return (
        '<nav><a href="index.html">Guide</a> · <a href="cli.html">Command line</a> · <a href="api.html">API</a>'
        ' · <a href="ontology.html">Ontology</a> · <a href="images/cptkg-ontology.svg">Ontology picture</a>'
        + "".join(
            f' · <a href="{html_text(name)}.html">CPT {html_text(code)}</a>'
            f' (<a href="images/cptkg-{html_text(name)}.svg">picture</a>)'
            for code, name in names.items()
        )
        + "</nav>"
    )
