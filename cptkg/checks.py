"""Consistency checks: is the graph consistent, and if not, why — as findings a person can act on.

:func:`check` reasons over ontology and data (:mod:`cptkg.reasoning`, inferred triples kept in
their own named graph), then runs every rule of the check catalogue, ``queries/checks/*-violation.rq``,
on the closure. A rule is a SELECT query: zero rows means it passes; each row (rows that differ only
in their collected variables are merged) is one :class:`Finding`. The rule's header says what a
finding means:

.. code-block:: sparql

    # title: Functional property with two distinct values
    # severity: error                      (error | warning | info)
    # why: ...                             why it matters
    # fix: ...                             how to fix it
    # message: {resource} has two values of {property}: {value1} and {value2}
    # collect: value                       variables whose values are gathered, not told apart

In a finding, ``resources`` are the IRIs the row names (with their labels), and ``sources`` are
the ``dcterms:source`` of the resources that are data (not ontology terms), as stated in the
graphs of the conflicting statements when it is stated there, plus those named graphs: the values
of the variables named ``graph…`` or ``source…``. Variables named ``via…`` only explain (the
property through which a type holds) and appear in the message alone.

With the ``owlrl`` engine, each error owlrl reports (its ``err:ErrorMessage`` nodes) is a finding of
the rule ``owlrl``. owlrl is never relied on where it is blind: functional clashes, keys and datatype
ranges are SPARQL rules.

>>> import cptkg
>>> report = cptkg.load().check()
>>> report.consistent, report.exit_status
(True, 0)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, ParameterError
from .prefixes import curie_or_iri
from .queries import NamedQuery
from .queries import checks as check_catalog
from .reasoning import INFERRED_GRAPH, Engine, ReasonedGraph, reason
from .results import html_table, plain

if TYPE_CHECKING:
    import pandas

    from .graph import KnowledgeGraph

SEVERITIES = ("error", "warning", "info")
#: Variables whose values are gathered across the rows of one finding, whatever the header says.
COLLECTED_PREFIXES = ("graph", "source")
#: Variables that only explain (the property through which a type holds): in the message, not in resources.
EXPLANATION_PREFIXES = ("via",)
OWLRL_RULE = "owlrl"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, order=True)
class Term:
    """A resource of a finding: its CURIE (or IRI) and its label, when it has one."""

    id: str
    label: str | None = None

    def __str__(self) -> str:
        return f"{self.id} ({self.label})" if self.label else self.id

    def to_dict(self) -> dict[str, str | None]:
        return {"id": self.id, "label": self.label}


@dataclass(frozen=True)
class Finding:
    """One inconsistency or quality problem: what rule, how serious, about what, said where."""

    severity: str
    rule: str
    message: str
    resources: tuple[Term, ...] = ()
    sources: tuple[Term, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "resources": [term.to_dict() for term in self.resources],
            "sources": [term.to_dict() for term in self.sources],
        }

    def sort_key(self) -> tuple:
        return (SEVERITIES.index(self.severity), self.rule, self.message)


@dataclass(frozen=True)
class Rule:
    """A check rule: a query of the check catalogue and what its header says."""

    query: NamedQuery

    @property
    def name(self) -> str:
        """The file name without ``-violation``: ``functional-property``."""
        return self.query.name.removesuffix("-violation")

    @property
    def severity(self) -> str:
        return self.query.header["severity"]

    @property
    def title(self) -> str:
        return self.query.title

    @property
    def why(self) -> str:
        return self.query.header.get("why", "")

    @property
    def fix(self) -> str:
        return self.query.header.get("fix", "")

    @property
    def message(self) -> str:
        return self.query.header.get("message", self.title)

    @cached_property
    def collected(self) -> frozenset[str]:
        listed = self.query.header.get("collect", "")
        return frozenset(name.strip() for name in listed.split(",") if name.strip())

    def is_collected(self, variable: str) -> bool:
        return variable in self.collected or variable.startswith(COLLECTED_PREFIXES)


@cache
def rules() -> dict[str, Rule]:
    """The check rules by name, from ``queries/checks/*-violation.rq``; a bad header is an InputError."""
    found = {}
    for named in check_catalog().values():
        if not named.name.endswith("-violation"):
            continue
        rule = Rule(named)
        for key in ("severity", "why", "fix"):
            if key not in named.header:
                raise InputError(f"the check header has no {key!r} field", path=named.path, line=1)
        if rule.severity not in SEVERITIES:
            raise InputError(f"severity must be one of {', '.join(SEVERITIES)}, not {rule.severity!r}", path=named.path)
        found[rule.name] = rule
    return found


@dataclass
class CheckReport:
    """The findings of a check, with the size of the graph and of its closure."""

    findings: list[Finding]
    asserted_triples: int
    inferred_triples: int
    engine: str
    rules_run: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        """True when no finding is an error."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def exit_status(self) -> int:
        """The command line's exit status: 0 without an error-level finding, 1 with one."""
        return 0 if self.consistent else 1

    def __iter__(self):
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def of(self, rule: str) -> list[Finding]:
        """The findings of one rule."""
        return [f for f in self.findings if f.rule == rule]

    def counts(self) -> dict[str, int]:
        return {severity: sum(f.severity == severity for f in self.findings) for severity in SEVERITIES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "consistent": self.consistent,
            "asserted_triples": self.asserted_triples,
            "inferred_triples": self.inferred_triples,
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self, **dumps: Any) -> str:
        """``{"consistent", "asserted_triples", "inferred_triples", "findings": [...]}``."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **dumps)

    def to_dataframe(self) -> pandas.DataFrame:
        """One row per finding; resources and sources as ``; ``-joined text (needs pandas)."""
        try:
            import pandas
        except ImportError:  # pragma: no cover - depends on the environment
            from .errors import CptkgError

            raise CptkgError("to_dataframe() needs pandas: pip install 'cptkg[pandas]'") from None
        columns = ["severity", "rule", "message", "resources", "sources"]
        return pandas.DataFrame([self._row(f) for f in self.findings], columns=columns)

    @staticmethod
    def _row(finding: Finding) -> list[str]:
        return [
            finding.severity,
            finding.rule,
            finding.message,
            "; ".join(map(str, finding.resources)),
            "; ".join(map(str, finding.sources)),
        ]

    def summary(self) -> str:
        counts = self.counts()
        verdict = "consistent" if self.consistent else "INCONSISTENT"
        return (
            f"{verdict}: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes; "
            f"{self.asserted_triples} asserted and {self.inferred_triples} inferred triples ({self.engine} engine)"
        )

    def text(self) -> str:
        """The findings as readable text, errors first, each with its resources, sources and fix."""
        known = rules()
        lines = [self.summary()]
        for finding in self.findings:
            lines += ["", f"{finding.severity.upper()} [{finding.rule}] {finding.message}"]
            if finding.resources:
                lines.append("  resources: " + "; ".join(map(str, finding.resources)))
            if finding.sources:
                lines.append("  sources:   " + "; ".join(map(str, finding.sources)))
            if finding.rule in known:
                lines.append("  fix:       " + known[finding.rule].fix)
        return "\n".join(lines) + "\n"

    __str__ = text

    def _repr_html_(self) -> str:
        rows = [self._row(f) for f in self.findings]
        return html_table(["severity", "rule", "message", "resources", "sources"], rows, caption=self.summary())


def check(
    kg: KnowledgeGraph,
    data: Iterable[str | Path] | None = None,
    *,
    input_format: str | None = None,
    engine: str | Engine = "rules",
    only: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    in_place: bool = False,
) -> CheckReport:
    """Check ``kg`` (or, with ``data``, the given files against the package ontology).

    ``engine`` is the reasoning engine (``rules``, fast, or ``owlrl``, which adds owlrl's own error
    reports); ``only`` and ``skip`` choose rules by name (see :func:`rules`). ``in_place`` reasons
    in ``kg``'s own store rather than a copy (see :func:`cptkg.reasoning.reason`): for a graph
    loaded only to be checked, as the command line does.
    """
    if data is not None:
        from .graph import load

        kg = load(data=list(data), input_format=input_format, backend=kg.backend.name)
        in_place = True  # loaded here, for this check alone
    selected = _select(only, skip)
    # The rules run on pyoxigraph whatever the graph's backend: rdflib's SPARQL engine takes minutes
    # on their list paths and nested NOT EXISTS (measured: over 300 s against 0.15 s).
    reusable = isinstance(kg, ReasonedGraph) and kg.engine == _engine_name(engine) and kg.backend.name == "oxigraph"
    closure = kg if reusable else reason(kg, engine, backend="oxigraph", in_place=in_place)
    raw: list[tuple[Rule, dict[str, Any], dict[str, set]]] = []
    for rule in selected:
        raw += _findings_of(rule, closure)
    terms = _describe(closure, {value for _, key, extra in raw for value in _iris(key, extra)})
    findings = [_finding(rule, key, extra, terms) for rule, key, extra in raw]
    if OWLRL_RULE in (only or [OWLRL_RULE]) and OWLRL_RULE not in skip:
        findings += [Finding("error", OWLRL_RULE, f"owlrl: {message}") for message in closure.errors]
    findings.sort(key=Finding.sort_key)
    return CheckReport(
        findings, closure.asserted_triples, closure.inferred_triples, closure.engine, [r.name for r in selected]
    )


def _engine_name(engine: str | Engine) -> str:
    return engine if isinstance(engine, str) else engine.name


def _select(only: Iterable[str] | None, skip: Iterable[str]) -> list[Rule]:
    known = rules()
    wanted = list(only) if only is not None else list(known)
    unknown = sorted((set(wanted) | set(skip)) - set(known) - {OWLRL_RULE})
    if unknown:
        raise ParameterError(f"unknown check rule {unknown[0]!r}; the rules are {', '.join(known)}")
    return [known[name] for name in wanted if name in known and name not in set(skip)]


def _rows_of(rule: Rule, kg: KnowledgeGraph) -> Iterable:
    """The rule's rows; for a rule with ``# candidates: QUERY``, its rows for each candidate only.

    A candidates query (in the check catalogue) selects, cheaply, the variables that identify a
    violation; the rule then runs once per candidate row with those variables bound, so its costly
    explaining parts (why each type holds, in which graph) touch only the violations. Same rows,
    in another order (findings are sorted anyway). benchmarks/: ``disjoint-classes`` at 100 codes,
    0.8 s and 358 MiB for the whole rule against 0.23 s and no growth this way.
    """
    candidates = rule.query.header.get("candidates")
    if not candidates:
        yield from kg.backend.execute(rule.query.text, {})
        return
    for candidate in kg.backend.execute(check_catalog()[candidates].text, {}):
        bindings = {name: value for name, value in candidate.items() if value is not None}
        yield from kg.backend.execute(rule.query.text, bindings)


def _findings_of(rule: Rule, kg: KnowledgeGraph) -> list[tuple[Rule, dict[str, Any], dict[str, set]]]:
    """The rule's rows merged into findings: (rule, key values, collected values)."""
    merged: dict[tuple, tuple[dict[str, Any], dict[str, set]]] = {}
    for row in _rows_of(rule, kg):
        key = {name: value for name, value in row.items() if not rule.is_collected(name)}
        identity = tuple(key.items())
        if identity not in merged:
            merged[identity] = (key, {name: set() for name in row if rule.is_collected(name)})
        for name, values in merged[identity][1].items():
            if row[name] is not None and str(row[name]) != INFERRED_GRAPH:
                values.add(row[name])
    return [(rule, key, extra) for key, extra in merged.values()]


def _iris(key: dict[str, Any], extra: dict[str, set]) -> list:
    from rdflib import URIRef

    values = [v for v in key.values() if isinstance(v, URIRef)]
    return values + [v for vs in extra.values() for v in vs if isinstance(v, URIRef)]


def _describe(kg: KnowledgeGraph, iris: set) -> dict:
    """Label, sources and whether it is an ontology term, for each IRI and each source cited (three queries)."""
    info: dict = {}
    if not iris:
        return info
    cited: dict = {iri: [] for iri in iris}
    for row in kg.backend.execute(
        f"SELECT ?r ?source ?g WHERE {{ VALUES ?r {{ {_values(iris)} }} GRAPH ?g {{ ?r dcterms:source ?source }} }} "
        "ORDER BY ?r ?source ?g",
        {},
    ):
        cited[row["r"]].append((row["source"], row["g"]))
    everything = set(iris) | {source for sources in cited.values() for source, _ in sources}
    for row in kg.backend.execute(
        f"""SELECT ?r (MIN(?l) AS ?label) (MAX(?t) AS ?term) WHERE {{
          VALUES ?r {{ {_values(everything)} }}
          OPTIONAL {{ ?r rdfs:label ?rl }} OPTIONAL {{ ?r skos:prefLabel ?pl }} OPTIONAL {{ ?r skos:notation ?nl }}
          BIND(STR(COALESCE(?rl, ?pl, ?nl)) AS ?l)
          BIND(EXISTS {{ ?r a ?kind . VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty
            owl:AnnotationProperty owl:Ontology rdfs:Class rdf:Property }} }} AS ?t)
        }} GROUP BY ?r""",
        {},
    ):
        info[row["r"]] = {
            "label": str(row["label"]) if row["label"] is not None else None,
            "term": bool(row["term"] is not None and row["term"].toPython()),
            "sources": cited.get(row["r"], []),
        }
    return info


def _values(iris: Iterable) -> str:
    """IRIs as the body of a VALUES clause (IRIs read from RDF hold no characters to escape)."""
    return " ".join(f"<{iri}>" for iri in sorted(iris))


def _term(value, terms: dict) -> Term:
    from rdflib import URIRef

    if isinstance(value, URIRef):
        return Term(curie_or_iri(value), terms.get(value, {}).get("label"))
    return Term(str(plain(value)))


def _render(value, terms: dict) -> str:
    from rdflib import URIRef

    if isinstance(value, URIRef):
        return str(_term(value, terms))
    shown = plain(value)
    return "" if shown is None else str(shown)


def _finding(rule: Rule, key: dict[str, Any], extra: dict[str, set], terms: dict) -> Finding:
    from rdflib import URIRef

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name in key:
            return _render(key[name], terms)
        if name in extra:
            return ", ".join(sorted(_render(v, terms) for v in extra[name]))
        return match.group(0)

    message = " ".join(_PLACEHOLDER.sub(fill, rule.message).split())
    resources: list = []
    for name, value in key.items():
        if isinstance(value, URIRef) and not name.startswith(COLLECTED_PREFIXES) and value not in resources:
            resources.append(value)
    for name, values in extra.items():
        if not name.startswith(COLLECTED_PREFIXES + EXPLANATION_PREFIXES):
            resources += sorted(v for v in values if isinstance(v, URIRef) and v not in resources)
    graphs = {v for name, v in key.items() if name.startswith(COLLECTED_PREFIXES) and v is not None}
    graphs |= {v for name, vs in extra.items() if name.startswith(COLLECTED_PREFIXES) for v in vs}
    graphs = {g for g in graphs if isinstance(g, URIRef) and str(g) != INFERRED_GRAPH}
    cited: list = []
    for value in resources:
        entry = terms.get(value, {})
        if entry.get("term"):
            continue
        # a resource's sources as said in the graphs of the conflicting statements, else all of them
        said = entry.get("sources", [])
        chosen = [source for source, graph in said if graph in graphs] or [source for source, _ in said]
        for source in chosen:
            if source not in cited:
                cited.append(source)
    cited += sorted(graphs - set(cited))
    return Finding(
        rule.severity,
        rule.name,
        message,
        tuple(_term(v, terms) for v in resources),
        tuple(_term(v, terms) for v in cited),
    )
