"""The report of a code as one self-contained HTML page (``cptkg report CODE --format html``).

The page shows the content :func:`cptkg.report.build` gathers, each item written by its section's
own line renderer (:data:`cptkg.report.SECTIONS`), so the HTML, text and Markdown reports never
say different things. What the page adds is for the reader who must act on it (a revenue-cycle or
laboratory leader): a summary at the top, the places where the sources disagree, side by side
(each source's billing advice for the same service; the indications a source lists against the
ones the coverage policies cover), and under every item the named graph and the cited source
(seed section or reference record, with its verification status) it comes from, looked up with
the ``provenance`` named query: the statements that carry a source of their own (a link's mapping
record, a statement source) are listed one by one with it, the others under the sources the graph
cites for the resource. The page has no external assets: its style sheet is inline and it
links nowhere, so it can be mailed or archived as one file.

In a notebook, :class:`ReportPage` shows itself as the same content (``_repr_html_``).

>>> import cptkg
>>> page = report_page(cptkg.load(), "81311")
>>> "G0452" in page.html() and "<script" not in page.html()
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.text import html_text as escape
from ..core.version import __version__
from .sections import SECTIONS, Record, _groups, advice_of

if TYPE_CHECKING:
    from pathlib import Path

    from ..core.graph import CoreGraph

#: Provenance of one resource: the distinct (graph, property, value, level, source, source label, status) rows of
#: its statements, ``level`` ``statement`` where a statement carries its own source, else ``resource``.
Provenance = dict[str, list[dict[str, Any]]]
_PROVENANCE_COLUMNS = ("graph", "property", "value", "level", "source", "source_label", "status")

_STYLE = """
.cptkg-report { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: #1b1b1b; line-height: 1.45; max-width: 64rem; margin: 0 auto; padding: 1rem 1.5rem; }
.cptkg-report h1 { font-size: 1.6rem; margin: 0 0 .25rem; color: #1f4e79; }
.cptkg-report h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; padding-bottom: .2rem; border-bottom: 2px solid #1f4e79; }
.cptkg-report h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
.cptkg-report .subtitle { color: #444; margin: 0 0 1rem; }
.cptkg-report .cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; }
.cptkg-report .card { border: 1px solid #c9d6e3; border-radius: 6px; padding: .5rem .8rem; background: #f5f9fc; min-width: 9rem; }
.cptkg-report .card b { display: block; font-size: 1.3rem; color: #1f4e79; }
.cptkg-report nav ol { columns: 2; margin: .5rem 0; }
.cptkg-report ul.items { padding-left: 1.2rem; }
.cptkg-report ul.items > li { margin: .35rem 0; }
.cptkg-report .detail { color: #333; display: block; }
.cptkg-report .said { font-size: .8rem; color: #555; display: block; }
.cptkg-report details.statements { font-size: .8rem; color: #555; margin: .1rem 0 0; }
.cptkg-report details.statements ul { margin: .2rem 0; padding-left: 1.2rem; }
.cptkg-report .statement { font-family: ui-monospace, Menlo, Consolas, monospace; }
.cptkg-report .graph { font-family: ui-monospace, Menlo, Consolas, monospace; background: #eef1f4; border-radius: 3px; padding: 0 .25rem; }
.cptkg-report .status { font-size: .7rem; font-weight: 600; border-radius: 3px; padding: 0 .3rem; text-transform: uppercase; }
.cptkg-report .status-verified { background: #d9f0d9; color: #1d5e1d; }
.cptkg-report .status-unverified { background: #fff1c2; color: #6b5300; }
.cptkg-report .status-conflict { background: #fbd5d5; color: #8a1c1c; }
.cptkg-report .conflict { border-left: 4px solid #c0392b; background: #fdf3f2; padding: .5rem .9rem; margin: .8rem 0; }
.cptkg-report table { border-collapse: collapse; margin: .4rem 0; font-size: .9rem; }
.cptkg-report th, .cptkg-report td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.cptkg-report th { background: #eef3f8; }
.cptkg-report tr.disagree td { background: #f8c9c4; font-weight: 600; }
.cptkg-report .conflict td { background: #fff; }
.cptkg-report footer { margin-top: 2rem; font-size: .8rem; color: #555; }
"""


def _graph(name: str | None) -> str:
    return (name or "").removeprefix("cptkg:graph-")


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(v for v in values if v not in (None, "")))


def _anchor(key: str) -> str:
    return f"section-{key}"


def statement_sources(kg: CoreGraph, content: dict[str, Any]) -> Provenance:
    """For each item of the report (the resource a section groups its rows by), which source backs which
    statement: the ``provenance`` rows of the resource (graph, property, value, level, source, its label
    and status); statements backed only by the resource's citations come once per graph and source."""
    items = _unique(
        _item_resource(row, section.group_by) for section in SECTIONS for row in content["sections"][section.key]
    )
    provenance: Provenance = {}
    for item in items:
        said = []
        for r in kg.query("provenance", resource=item).records():
            if r["level"] == "statement":
                said.append(tuple(r.get(column) for column in _PROVENANCE_COLUMNS))
            else:  # the resource's citations back all its other statements alike
                said.append((r["graph"], None, None, r["level"], r.get("source"), r.get("source_label"), r.get("status")))
        provenance[item] = [dict(zip(_PROVENANCE_COLUMNS, s)) for s in _unique(said)]
    return provenance


def _item_resource(row: Record, group_by: str) -> str | None:
    """The resource an item of a section is about: its grouping value, or the row's ``resource``."""
    for value in (row.get(group_by), row.get("resource")):
        if str(value or "").startswith("cptkg:"):
            return str(value)
    return None


@dataclass(frozen=True)
class Disagreement:
    """Sources that say different things about the same matter, as a small table."""

    title: str
    explanation: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    #: which rows show the disagreement (highlighted)
    flagged: Sequence[bool] = field(default_factory=tuple)


def _advice(row: Record) -> str:
    return "; ".join(advice_of(row)) or "no structured advice"


def disagreements(content: dict[str, Any]) -> list[Disagreement]:
    """Where the report's sources disagree: billing advice for the same service component that
    differs between named graphs, and indications a source lists that the coverage policies naming
    the code do not cover."""
    found: list[Disagreement] = []
    sections = content["sections"]
    for component, rows in _grouped(sections["billing-guidance"], "component").items():
        advice = {_advice(r) for r in rows}
        if len(advice) > 1 and len({r["graph"] for r in rows}) > 1:
            found.append(
                Disagreement(
                    f"Billing the {component or 'service'}",
                    "The sources give different advice for the same part of the service.",
                    ("source (named graph)", "payer", "advice", "what it says"),
                    [[_graph(r["graph"]), r.get("payer") or "any", _advice(r), r["label"]] for r in rows],
                    [r["graph"].startswith("cptkg:graph-seed") for r in rows],
                )
            )
    policies = [r for r in sections["coverage-policies"] if r.get("decision") and r.get("indication")]
    if policies:
        listed: dict[str, dict[str, Any]] = {}
        for r in sections["indications"]:
            entry = listed.setdefault(r["indication"], {"label": r["label"], "graphs": []})
            entry["graphs"].append(_graph(r["graph"]))
        for r in policies:
            listed.setdefault(r["indication"], {"label": r["indication_label"], "graphs": []})
        rows, flagged = [], []
        for indication, entry in listed.items():
            decided = [r for r in policies if r["indication"] == indication]
            covered = _unique(f"{r['payer']} {r['number']}" for r in decided if r["decision"] == "covered")
            refused = _unique(f"{r['payer']} {r['number']}" for r in decided if r["decision"] != "covered")
            rows.append([entry["label"], ", ".join(_unique(entry["graphs"])) or "(policy only)",
                         ", ".join(covered) or "none", ", ".join(refused) or "none"])  # fmt: skip
            flagged.append(bool(entry["graphs"]) and not covered)
        numbers = ", ".join(_unique(f"{r['payer']} {r['number']}" for r in policies))
        found.append(
            Disagreement(
                "Indications against coverage",
                f"The coverage policies that name the code ({numbers}) cover only some of the indications "
                "the sources list; highlighted rows are listed as indications but covered by none of them.",
                ("indication", "listed by", "covered by", "not covered by"),
                rows,
                flagged,
            )
        )
    return found


def _grouped(rows: list[Record], key: str) -> dict[Any, list[Record]]:
    groups: dict[Any, list[Record]] = {}
    for row in rows:
        groups.setdefault(row.get(key), []).append(row)
    return groups


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], flagged: Sequence[bool] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        f"<tr{' class=disagree' if i < len(flagged) and flagged[i] else ''}>"
        + "".join(f"<td>{escape(str(cell))}</td>" for cell in row)
        + "</tr>"
        for i, row in enumerate(rows)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _source_text(said: dict[str, Any]) -> str:
    text = escape(said.get("source_label") or said.get("source") or "")
    if text and said.get("status"):
        status = str(said["status"])  # one spelling (VERIFIED); the CSS class is its slug
        text += f' <span class="status status-{escape(status.lower().replace(" ", "-"))}">{escape(status)}</span>'
    return text


def _said(rows: list[Record], sources: list[dict[str, Any]]) -> str:
    """The lines under an item: each graph that says it with the sources it cites for the resource, then
    each statement that carries a source of its own, with that source and its status."""
    parts: list[str] = []
    graphs = _unique(r.get("graph") or r.get("source_graph") for r in rows)
    for graph, cited in _grouped(sources, "graph").items():
        listing = ", ".join(t for t in _unique(_source_text(s) for s in cited if s["level"] == "resource") if t)
        parts.append(f'<span class="graph">{escape(_graph(graph))}</span>' + (f" ({listing})" if listing else ""))
    shown = {s["graph"] for s in sources}
    parts += [f'<span class="graph">{escape(_graph(g))}</span>' for g in graphs if g not in shown]
    said = f'<span class="said">Source: {"; ".join(_unique(parts))}</span>' if parts else ""
    own = [s for s in sources if s["level"] == "statement"]
    if not own:
        return said
    lines = "".join(
        f'<li><span class="statement">{escape(str(s["property"]))} {escape(str(s["value"]))}</span>: '
        f"{_source_text(s)}</li>"
        for s in own
    )
    return said + f'<details class="statements"><summary>Source of each statement ({len(own)})</summary><ul>{lines}</ul></details>'


def _item(section_key: str, render: Any, rows: list[Record], provenance: Provenance, group_by: str) -> str:
    first, *rest = render(rows).split("\n")
    detail = "".join(f'<span class="detail">{escape(line.strip())}</span>' for line in rest)
    sources = provenance.get(_item_resource(rows[0], group_by) or "", [])
    return f"<li>{escape(first)}{detail}{_said(rows, sources)}</li>"


def _cards(content: dict[str, Any], found: list[Disagreement]) -> str:
    sections = content["sections"]
    gene = sections["gene"][0]["symbol"] if sections["gene"] else "none"
    codons = ", ".join(f"{r['exon_number']}/{r['codon_number']}" for r in sections["covered-codons"]) or "none"
    figures = [
        ("gene", gene),
        ("exon/codon covered", codons),
        ("indications", len(_unique(r["indication"] for r in sections["indications"]))),
        ("sites of service", len(_unique(r["site"] for r in sections["sites-of-service"]))),
        ("payers", len(_unique(r["payer"] for r in sections["payers"]))),
        ("policies naming the code", len(_unique(r["policy"] for r in sections["payers"] if r.get("names_code")))),
        ("source disagreements", len(found)),
        ("data gaps", len(_unique(r["gap"] for r in sections["data-gaps"]))),
    ]
    return (
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{escape(str(value))}</b>{escape(name)}</div>' for name, value in figures)
        + "</div>"
    )


def fragment(content: dict[str, Any], provenance: Provenance | None = None) -> str:
    """The report as an HTML fragment (a ``<div>`` with its own ``<style>``), for a page or a notebook."""
    provenance = provenance or {}
    sections = content["sections"]
    code = content["code"]
    summary = sections["code"][0] if sections["code"] else {}
    found = disagreements(content)
    parts = [
        f'<div class="cptkg-report"><style>{_STYLE}</style>',
        f"<h1>CPT {escape(code)}: {escape(str(summary.get('label', '')))}</h1>",
        f'<p class="subtitle">{escape(str(summary.get("definition") or ""))}</p>',
        _cards(content, found),
        "<nav><b>Contents</b><ol>",
        f'<li><a href="#{_anchor("disagreements")}">Where the sources disagree</a></li>',
        *(f'<li><a href="#{_anchor(s.key)}">{escape(s.title)}</a></li>' for s in SECTIONS),
        f'<li><a href="#{_anchor("sources")}">Sources (named graphs)</a></li></ol></nav>',
        f'<section id="{_anchor("disagreements")}"><h2>Where the sources disagree</h2>',
    ]
    if not found:
        parts.append("<p>No disagreement between the sources of this code.</p>")
    for d in found:
        parts.append(
            f'<div class="conflict"><h3>{escape(d.title)}</h3><p>{escape(d.explanation)}</p>'
            f"{_table(d.headers, d.rows, d.flagged)}</div>"
        )
    parts.append("</section>")
    for section in SECTIONS:
        groups = _groups(sections[section.key], section.group_by)
        items = (
            "".join(_item(section.key, section.render, group, provenance, section.group_by) for group in groups)
            or "<li>(none in the graph)</li>"
        )
        parts.append(
            f'<section id="{_anchor(section.key)}"><h2>{escape(section.title)}</h2><ul class="items">{items}</ul></section>'
        )
    sources = [
        [_graph(g[0]["graph"]), g[0].get("label") or "", "; ".join(_unique(r.get("document_label") for r in g)), str(g[0]["triples"])]
        for g in _groups(content["sources"], "graph")
    ]  # fmt: skip
    parts.append(
        f'<section id="{_anchor("sources")}"><h2>Sources (named graphs)</h2>'
        "<p>Each statement above names the graph it is in: one graph per kind of source.</p>"
        f"{_table(('graph', 'what it holds', 'source documents', 'statements'), sources)}</section>"
    )
    parts.append(
        f"<footer>Generated by cptkg {escape(__version__)} from the cptkg knowledge graph. CPT is a registered "
        "trademark of the American Medical Association; code labels are cptkg's own wording.</footer></div>"
    )
    return "\n".join(parts)


def page(content: dict[str, Any], provenance: Provenance | None = None) -> str:
    """The report as a complete, self-contained HTML document."""
    title = f"CPT {content['code']} in the cptkg knowledge graph"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head><body>\n{fragment(content, provenance)}\n</body></html>\n"
    )


@dataclass
class ReportPage:
    """The HTML report of a code: shows itself in Jupyter, and saves as a page."""

    content: dict[str, Any]
    provenance: Provenance = field(default_factory=dict)

    def html(self) -> str:
        """The complete page."""
        return page(self.content, self.provenance)

    def save(self, path: str | Path, force: bool = False) -> Path:
        """Write the page to a file (refusing to overwrite one without ``force``)."""
        from ..core.output import write_output

        return write_output(path, self.html(), force=force)

    def _repr_html_(self) -> str:
        return fragment(self.content, self.provenance)


def report_page(kg: CoreGraph, code: str) -> ReportPage:
    """The HTML report of a code, with the source of each item."""
    from .sections import build

    content = build(kg, code)
    return ReportPage(content, statement_sources(kg, content))
