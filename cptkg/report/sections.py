"""The report of a code: every section is one named query, rendered as text, Markdown or JSON.

The sections are data (:data:`SECTIONS`): a title, the named query that fills it, and how one
group of rows reads as a line. Adding a section means adding a query file and a line here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

Record = dict[str, Any]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    query: str
    #: rows with the same value of this column form one item of the section
    group_by: str
    #: the item's text, from its rows
    render: Callable[[list[Record]], str]


def _graph(name: str | None) -> str:
    return (name or "").removeprefix("cptkg:graph-")


def _join(values: Sequence[Any], sep: str = ", ") -> str:
    seen: list[str] = []
    for value in values:
        if value not in (None, "") and str(value) not in seen:
            seen.append(str(value))
    return sep.join(seen)


def _code(rows: list[Record]) -> str:
    r = rows[0]
    lines = [f"{r['code']}: {r['label']} ({r['system']})"]
    if r.get("category_label"):
        lines.append(f"Category: {_join([x['category_label'] for x in rows], '; ')}")
    if r.get("service_type"):
        lines.append(f"Service type: {r['service_type']}")
    if r.get("component_label"):
        lines.append(f"Represents: {_join([x['component_label'] for x in rows])}")
    if r.get("definition"):
        lines.append(f"What it is: {r['definition']}")
    lines += [f"Note: {note}" for note in _join([x.get("note") for x in rows], "\n").split("\n") if note]
    return "\n".join(lines)


def _gene(rows: list[Record]) -> str:
    r = rows[0]
    parts = [f"{r['symbol']} ({r['approved_name']})" if r.get("approved_name") else r["symbol"]]
    if r.get("chromosome"):
        strand = {"-": "minus", "+": "plus"}.get(r.get("strand") or "", r.get("strand"))
        parts.append(f"chromosome {r['chromosome']} ({r.get('cytoband')}), {strand} strand")
    if r.get("transcript_refseq"):
        parts.append(
            f"{r.get('mane_status') or 'reference'} transcript {r['transcript_refseq']} / {r.get('transcript_ensembl')}"
            f" ({r.get('exon_count')} exons); protein {r.get('protein_refseq')} of {r.get('protein_length')} residues"
        )
    return "; ".join(parts)


def _names(rows: list[Record]) -> str:
    return f"{rows[0]['kind']}: {_join([r['name'] for r in rows], '; ')}"


def _codon(rows: list[Record]) -> str:
    r = rows[0]
    return (
        f"exon {r['exon_number']}, codon {r['codon_number']} "
        f"(c.{r.get('cds_start')}-{r.get('cds_end')}, reference {r.get('reference_codon')} {r.get('reference_residue')})"
    )


def _indication(rows: list[Record]) -> str:
    label = rows[0]["label"]
    matches: dict[str, list[str]] = {}
    for r in rows:
        if r.get("identifier"):
            kind = str(r["match"]).removeprefix("skos:").removesuffix("Match")
            matches.setdefault(kind, []).append(r["identifier"])
    ids = "; ".join(f"{kind}: {_join(values)}" for kind, values in matches.items())
    said_by = _join([_graph(r["graph"]) for r in rows])
    line = f"{label}" + (f" [{ids}]" if ids else " [no identifier held]") + f" (said by: {said_by})"
    read_in: dict[str, list[str]] = {}
    for r in rows:
        if r.get("identifier_source"):
            read_in.setdefault(r["identifier_source"], []).append(r["identifier"])
    if read_in:  # which reference record backs which identifier (each link's mapping record)
        line += "\nIdentifiers read in: " + "; ".join(f"{source} ({_join(ids)})" for source, ids in read_in.items())
    return line


def _label(rows: list[Record]) -> str:
    return str(rows[0]["label"])


def _scenario(rows: list[Record]) -> str:
    r = rows[0]
    return f"{r['label']}: {r.get('description') or ''}".strip()


def _step(rows: list[Record]) -> str:
    r = rows[0]
    roles = _join([x.get("role_label") for x in rows], " or ")
    return f"{r['step_number']}. {r['label']} ({roles}): {r.get('description') or ''}".strip()


def _site(rows: list[Record]) -> str:
    pos = _join([f"POS {r['pos_code']} {r['pos_label']}" for r in rows if r.get("pos_code")])
    return rows[0]["label"] + (f" ({pos})" if pos else "")


def _modifier(rows: list[Record]) -> str:
    r = rows[0]
    when = _join([x.get("when_to_use") for x in rows], " / ")
    return f"{r['notation']} {r['description']}" + (f": {when}" if when else "") + f" (said by: {_join([_graph(x['source_graph']) for x in rows])})"


def advice_of(row: Record) -> list[str]:
    """What a billing-guidance row advises, in words: ``["use modifier 26"]``, ``["bill G0452"]``."""
    advice = []
    if row.get("recommended_modifier"):
        advice.append(f"use modifier {row['recommended_modifier']}")
    if row.get("recommended_code"):
        advice.append(f"bill {row['recommended_code']}")
    if row.get("not_separately_billable"):
        advice.append("not billed separately")
    return advice


def _guidance(rows: list[Record]) -> str:
    r = rows[0]
    payer = r.get("payer") or "any payer"
    return f"{r['label']} [{payer}; {', '.join(advice_of(r)) or 'no structured advice'}] (said by: {_graph(r['graph'])})\n  {r.get('text') or ''}".rstrip()


def _related(rows: list[Record]) -> str:
    r = rows[0]
    relation = {
        "cptkg:siblingCode": "sibling single-gene code",
        "cptkg:panelAlternative": "panel that can cover the gene",
        "cptkg:unlistedAlternative": "unlisted code",
        "cptkg:interpretationCode": "code for the physician's interpretation",
    }.get(r["relation"], r["relation"])
    return f"{r['related_code']} {r['label']} ({r['system']}): {relation}"


def _payer(rows: list[Record]) -> str:
    policies = [r for r in rows if r.get("policy")]
    text = rows[0]["payer_label"]
    if not policies:
        return f"{text}: no policy held"
    items = [
        f"{p['policy_label']}" + (" (names this code)" if p.get("names_code") else "") for p in policies
    ]
    return f"{text}: " + "; ".join(items)


def _policy(rows: list[Record]) -> str:
    r = rows[0]
    decisions: dict[str, list[str]] = {}
    for x in rows:
        if x.get("decision"):
            decisions.setdefault(x["decision"], []).append(x["indication_label"])
    parts = [f"{k}: {_join(v)}" for k, v in decisions.items()]
    if r.get("max_units") is not None:
        parts.append(f"at most {r['max_units']} unit(s)")
    if r.get("requires_test_identifier"):
        parts.append("test identifier required")
    return f"{r['label']} ({r['payer']}, {r.get('kind')})" + (f": {'; '.join(parts)}" if parts else "")


def _gap(rows: list[Record]) -> str:
    r = rows[0]
    return f"{r['label']}: {r.get('reason') or ''} (said by: {_graph(r['graph'])})".strip()


def _source(rows: list[Record]) -> str:
    r = rows[0]
    return f"{_graph(r['graph'])}: {r.get('label') or ''} ({r['triples']} statements)"


SECTIONS: tuple[Section, ...] = (
    Section("code", "Code", "code-summary", "code", _code),
    Section("gene", "Gene", "gene", "gene", _gene),
    Section("gene-names", "Gene names", "gene-names", "kind", _names),
    Section("covered-codons", "Covered regions", "covered-codons", "codon", _codon),
    Section("clinical-purposes", "Clinical purposes", "clinical-purposes", "purpose", _label),
    Section("indications", "Indications", "indications", "indication", _indication),
    Section("scenario", "Typical scenario", "scenario", "scenario", _scenario),
    Section("specimens", "Specimens", "specimens", "specimen", _label),
    Section("methods", "Methods", "methods", "method", _label),
    Section("workflow", "Workflow", "workflow", "step", _step),
    Section("sites-of-service", "Sites of service", "sites-of-service", "site", _site),
    Section("modifiers", "Modifiers", "modifiers", "modifier", _modifier),
    Section("billing-guidance", "Billing guidance (each source's advice)", "billing-guidance", "guidance", _guidance),
    Section("related-codes", "Related codes", "related-codes", "related", _related),
    Section("payers", "Payers", "payers", "payer", _payer),
    Section("coverage-policies", "Coverage policies that name the code", "coverage-policies", "policy", _policy),
    Section("data-gaps", "Not available (data gaps)", "data-gaps", "gap", _gap),
)


def _groups(records: list[Record], key: str) -> list[list[Record]]:
    groups: dict[Any, list[Record]] = {}
    for record in records:
        groups.setdefault(record.get(key), []).append(record)
    return list(groups.values())


def build(kg: CoreGraph, code: str) -> dict[str, Any]:
    """The report's content: for each section, the rows of its query for the code."""
    kg.require_code(code)
    sections = {section.key: kg.query(section.query, code=code).records() for section in SECTIONS}
    sources = kg.query("sources").records()
    return {"code": code, "sections": sections, "sources": sources}


def render(content: dict[str, Any], fmt: str = "text") -> str:
    """The report as ``text``, ``markdown`` or ``json``.

    What the data says is carried as text in each: Markdown escapes markup and link syntax (a
    viewer renders raw HTML), text and Markdown show control characters escaped, JSON escapes those
    it may otherwise carry raw.
    """
    from ..core.text import dumps, markdown_text, visible

    if fmt == "json":
        return dumps(content, indent=2) + "\n"
    markdown = fmt == "markdown"
    data = markdown_text if markdown else visible
    lines: list[str] = []
    title = f"CPT {data(content['code'])} in the cptkg knowledge graph"
    lines += [f"# {title}", ""] if markdown else [title, "=" * len(title), ""]
    for section in SECTIONS:
        rows = content["sections"][section.key]
        lines += [f"## {section.title}", ""] if markdown else [section.title, "-" * len(section.title)]
        items = [section.render(group) for group in _groups(rows, section.group_by)] or ["(none in the graph)"]
        for item in items:
            first, *rest = item.split("\n")
            lines.append(f"- {data(first)}")
            lines += [f"  {data(line.strip())}" for line in rest]
        lines.append("")
    heading = "Sources (named graphs)"
    lines += [f"## {heading}", ""] if markdown else [heading, "-" * len(heading)]
    lines += [f"- {data(_source(group))}" for group in _groups(content["sources"], "graph")]
    return "\n".join(lines).rstrip() + "\n"
