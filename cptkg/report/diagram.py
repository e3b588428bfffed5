"""Pictures of the graph, laid out by Graphviz: a code's part of the graph, and the ontology.

:func:`code_diagram` draws what the report of a code holds (it reads :func:`cptkg.report.build`,
so the picture and the report never disagree): the code, its gene, exons, codons and the hotspot
variants at them when the graph has some, the indications with the identifiers they map to in
other terminologies, sites of service, modifiers, payers with their policies, and the named graphs
the statements come from. :func:`ontology_diagram` draws the ontology's classes, their subclass
links, object properties as arrows from domain to range and datatype properties inside the classes.

Both return a :class:`graphviz.Digraph`, which shows itself as SVG in Jupyter; :func:`render`
turns one into SVG, PNG or DOT bytes. Every text from the graph is drawn as text: plain labels go
through :func:`graphviz.escape` (never read as a Graphviz HTML label, whose ``HREF`` would become a
link in the SVG, nor as DOT escapes), HTML-like labels are made here with their cells escaped. Drawing needs the ``graphviz`` Python package (extra
``docs``) and, for SVG and PNG, Graphviz's ``dot`` program (Debian package ``graphviz``).

>>> import cptkg
>>> source = code_diagram(cptkg.load(), "81311").source
>>> "NRAS" in source and "codon 61" in source and "modifier 26" in source
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..core.errors import CptkgError, one_line
from ..core.text import html_text as escape
from ..core.text import visible

if TYPE_CHECKING:
    import graphviz

    from ..core.graph import CoreGraph

#: The formats :func:`render` writes.
FORMATS = ("svg", "png", "dot")

# One colour per kind of thing, so that a reader can tell kinds apart at a glance.
_STYLE: dict[str, dict[str, str]] = {
    "code": {"shape": "box", "style": "filled,bold", "fillcolor": "#1f4e79", "fontcolor": "white"},
    "gene": {"shape": "box", "style": "filled,rounded", "fillcolor": "#c6e0b4"},
    "exon": {"shape": "box", "style": "filled", "fillcolor": "#e2efda"},
    "codon": {"shape": "box", "style": "filled", "fillcolor": "#f2f8ee"},
    "variant": {"shape": "ellipse", "style": "filled", "fillcolor": "#fff2cc"},
    "indication": {"shape": "plain"},
    "site": {"shape": "box", "style": "filled,rounded", "fillcolor": "#ddebf7"},
    "modifier": {"shape": "box", "style": "filled,rounded", "fillcolor": "#fce4d6"},
    "payer": {"shape": "box", "style": "filled,rounded", "fillcolor": "#ede1f5"},
    "policy": {"shape": "note", "style": "filled", "fillcolor": "#f7f1fb"},
    "sources": {"shape": "plain"},
}

def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError:  # pragma: no cover - depends on the environment
        raise CptkgError("diagrams need the graphviz package: pip install 'cptkg[docs]'") from None
    return graphviz


def node_id(curie: str) -> str:
    """A DOT node name for a CURIE (DOT reads ``a:b`` in an edge as node ``a``, port ``b``).

    >>> node_id("cptkg:codon-NRAS-12")
    'cptkg_codon_NRAS_12'
    """
    return re.sub(r"\W", "_", curie)


def _short_graph(name: str | None) -> str:
    return (name or "").removeprefix("cptkg:graph-")


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(v for v in values if v not in (None, "")))


class _Html(str):
    """An HTML-like label made by :func:`_html_label` (every other label is escaped as plain text)."""


def _html_label(title: str, lines: Iterable[str], colour: str) -> _Html:
    """An HTML-like Graphviz label: a coloured title row over one row per line, each cell escaped."""
    rows = "".join(f'<TR><TD ALIGN="LEFT">{escape(line)}</TD></TR>' for line in lines)
    return _Html(
        f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="#7f7f7f">'
        f'<TR><TD BGCOLOR="{colour}"><B>{escape(title)}</B></TD></TR>{rows}</TABLE>>'
    )


def _plain(text: object) -> str:
    """Text from the graph as a plain Graphviz label: control characters shown, never HTML, no DOT escapes."""
    return _graphviz().escape(visible(str(text)))


def _label(label: str) -> str:
    return label if isinstance(label, _Html) else _plain(label)


def code_diagram(kg: CoreGraph, code: str) -> graphviz.Digraph:
    """The picture of a code's part of the graph (see the module's description).

    Raises :class:`~cptkg.core.errors.UnknownCodeError` for a code the graph does not describe.
    """
    from .sections import build

    graphviz = _graphviz()
    content = build(kg, code)
    sections: dict[str, list[dict[str, Any]]] = content["sections"]
    title = f"CPT {one_line(code)} in the cptkg knowledge graph"
    dot = graphviz.Digraph(name=f"cptkg-{node_id(code)}", comment=title)
    dot.attr(rankdir="LR", fontname="Helvetica", fontsize="11", label=_plain(title),
             labelloc="t", nodesep="0.15", ranksep="0.5")  # fmt: skip
    dot.attr("node", fontname="Helvetica", fontsize="10")
    dot.attr("edge", fontname="Helvetica", fontsize="8", color="#595959")

    def add(curie: str, label: str, kind: str, **attrs: str) -> str:
        name = node_id(curie)
        dot.node(name, _label(label), tooltip=_plain(curie), **{**_STYLE[kind], **attrs})
        return name

    summary = sections["code"][0]
    code_node = add(summary["resource"], f"{code}\n{summary['label']}", "code")

    # code -> gene -> exons -> codons -> variants
    for gene in _unique(r["gene"] for r in sections["gene"]):
        row = next(r for r in sections["gene"] if r["gene"] == gene)
        text = "\n".join(_unique([row["symbol"], row.get("approved_name"), row.get("transcript_refseq")]))
        dot.edge(code_node, add(gene, text, "gene"), label="analyzes gene")
    genes = {r["symbol"]: node_id(r["gene"]) for r in sections["gene"]}
    for exon in _unique(r["exon"] for r in sections["covered-codons"]):
        row = next(r for r in sections["covered-codons"] if r["exon"] == exon)
        parent = genes.get(row.get("gene_symbol"), code_node)
        dot.edge(parent, add(exon, f"exon {row['exon_number']}", "exon"), label="covers exon")
    for row in sections["covered-codons"]:
        text = f"codon {row['codon_number']}\n{row.get('reference_codon') or ''} {row.get('reference_residue') or ''}"
        dot.edge(node_id(row["exon"]), add(row["codon"], text.strip(), "codon"), label="codon")
    for row in kg.query("code-variants", code=code).records():
        text = "\n".join(_unique([row.get("hotspot"), row.get("hgvs") or row.get("label") or row["variant"]]))
        dot.edge(node_id(row["codon"]), add(row["variant"], text, "variant"), label="variant")

    # indications, each with the identifiers it maps to in other terminologies
    for indication in _unique(r["indication"] for r in sections["indications"]):
        rows = [r for r in sections["indications"] if r["indication"] == indication]
        mappings: dict[str, list[str]] = {}
        for r in rows:
            if r.get("identifier"):
                kind = str(r["match"]).removeprefix("skos:")
                mappings.setdefault(kind, []).append(r["identifier"])
        lines = [f"{kind}: {', '.join(_unique(ids))}" for kind, ids in mappings.items()] or ["no identifier held"]
        lines.append("said by: " + ", ".join(_unique(_short_graph(r["graph"]) for r in rows)))
        name = add(indication, _html_label(rows[0]["label"], lines, "#f4b183"), "indication")
        dot.edge(code_node, name, label="indication")

    for site in _unique(r["site"] for r in sections["sites-of-service"]):
        rows = [r for r in sections["sites-of-service"] if r["site"] == site]
        pos = _unique(f"POS {r['pos_code']}" for r in rows if r.get("pos_code"))
        dot.edge(code_node, add(site, "\n".join([rows[0]["label"], *pos]), "site"), label="performed at")

    for modifier in _unique(r["modifier"] for r in sections["modifiers"]):
        row = next(r for r in sections["modifiers"] if r["modifier"] == modifier)
        text = f"modifier {row['notation']}\n{row.get('description') or ''}".strip()
        dot.edge(code_node, add(modifier, text, "modifier"), label="modifier")

    for payer in _unique(r["payer"] for r in sections["payers"]):
        rows = [r for r in sections["payers"] if r["payer"] == payer]
        payer_node = add(payer, rows[0]["payer_label"], "payer")
        dot.edge(code_node, payer_node, label="payer")
        for r in rows:
            if r.get("policy"):
                text = r.get("policy_number") or r["policy_label"]
                attrs = {"penwidth": "2"} if r.get("names_code") else {}
                dot.edge(payer_node, add(r["policy"], text, "policy", **attrs), label="policy")

    graphs = _unique((_short_graph(r["graph"]), r["triples"]) for r in content["sources"])
    lines = [f"{name} ({triples} statements)" for name, triples in graphs]
    sources = add("cptkg:sources", _html_label("Sources (named graphs)", lines, "#d9d9d9"), "sources")
    dot.edge(code_node, sources, label="said by", style="dashed")
    return dot


def ontology_diagram(kg: CoreGraph) -> graphviz.Digraph:
    """The picture of the ontology: classes with their datatype properties, subclass links, and object
    properties as labelled arrows from domain to range."""
    from ..core.prefixes import curie_or_iri

    graphviz = _graphviz()
    dot = graphviz.Digraph(name="cptkg-ontology", comment="The cptkg ontology")
    dot.attr(rankdir="LR", fontname="Helvetica", fontsize="11", label="The cptkg ontology: classes and properties",
             labelloc="t", nodesep="0.2", ranksep="0.6")  # fmt: skip
    dot.attr("node", fontname="Helvetica", fontsize="10", shape="plain")
    dot.attr("edge", fontname="Helvetica", fontsize="8", color="#595959")

    classes: dict[str, str] = {}
    supers: list[tuple[str, str]] = []
    for row in kg.query("ontology-classes").records():
        classes.setdefault(row["class"], row.get("label") or row["class"])
        if row.get("super"):
            supers.append((row["class"], row["super"]))
    attributes: dict[str, list[str]] = {}
    links: list[tuple[str, str, str]] = []
    for row in kg.query("ontology-properties").records():
        label = row.get("label") or row["property"]
        if row["kind"] == "owl:DatatypeProperty":
            attributes.setdefault(row["domain"], []).append(f"{label}: {curie_or_iri(row['range']) or row['range']}")
        else:
            links.append((row["domain"], row["range"], label))
    for curie in sorted({*classes, *(a for a, _ in supers), *(b for _, b in supers),
                         *(d for d, _, _ in links), *(r for _, r, _ in links)}):  # fmt: skip
        title = classes.get(curie, curie)
        lines = [curie, *sorted(_unique(attributes.get(curie, [])))]
        colour = "#c6e0b4" if curie.startswith("cptkg:") else "#e7e6e6"
        dot.node(node_id(curie), _html_label(title, lines, colour), tooltip=_plain(curie))
    for sub, sup in supers:
        dot.edge(node_id(sub), node_id(sup), arrowhead="empty", style="dashed", tooltip="subclass of")
    for domain, range_, label in links:
        dot.edge(node_id(domain), node_id(range_), label=_plain(label))
    return dot


def render(diagram: graphviz.Digraph, fmt: str = "svg") -> bytes:
    """A diagram as ``svg``, ``png`` or ``dot`` (the Graphviz source) bytes.

    >>> import graphviz
    >>> render(graphviz.Digraph(), "dot")
    b'digraph {\\n}\\n'
    """
    if fmt not in FORMATS:
        from ..core.errors import ParameterError

        raise ParameterError(f"unknown diagram format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "dot":
        return diagram.source.encode("utf-8")
    graphviz = _graphviz()
    try:
        return diagram.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise CptkgError(
            f"drawing {fmt} needs Graphviz's dot program (apt install graphviz, brew install graphviz or "
            "conda install -c conda-forge graphviz); --format dot needs nothing"
        ) from None
    except graphviz.CalledProcessError as error:
        said = (error.stderr or b"").decode("utf-8", errors="replace").strip().splitlines()
        raise CptkgError(f"Graphviz could not draw the diagram: {one_line(said[0] if said else str(error))}") from None
