"""What the graph knows that a claim line is checked against, compiled once into lookup tables.

Every table comes from a named query of ``queries/claims/`` (``claim-vocabulary``,
``modifier-exclusions``, ``icd10cm-indications``, ``indication-ancestors``, ``indications``,
``payer-names``, ``claim-policies``, ``modifier-guidance-conflicts``, ``resource-sources``,
``subtype-graphs``), so the checks follow the data: a new code folder, payer alias or ICD-10-CM
mapping changes them without code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import CptkgError, InputError
from ..terminology import icd10cm_lineage
from ..variants import classifier

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

_CACHE_LIMIT = 100_000  # distinct diagnoses remembered; beyond that the cache restarts (flat memory)


@dataclass
class _Coverage:
    """What one payer's policies say about one code."""

    payer_label: str
    covering: list[tuple[str, str, str]] = field(default_factory=list)  # (policy, number, kind)
    covered: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)
    units: list[tuple[int, str, str, str]] = field(default_factory=list)  # (max, policy, number, kind)
    gap_policies: list[tuple[str, str, str]] = field(default_factory=list)  # (policy, label, number)
    policies: set[str] = field(default_factory=set)


NO_COVERAGE = _Coverage("")


class ClaimTables:
    """The lookup tables of one graph (see the module docstring)."""

    def __init__(self, kg: CoreGraph) -> None:
        self._sources: dict[str, set[str]] = {}
        for row in kg.query("resource-sources").records():
            self._sources.setdefault(row["resource"], set()).update((row["graph"], row["source"]))
        self._compile_vocabulary(kg)
        self._compile_indications(kg)
        self._compile_payers(kg)
        self._compile_guidance(kg)
        self._reach_cache: dict[str, tuple[frozenset[str], frozenset[str]] | str] = {}
        self._variant_cache: dict[tuple[str, str], tuple | None] = {}
        self._classifier = classifier(kg)

    def sources(self, *resources: str, graphs: Iterable[str] = ()) -> tuple[str, ...]:
        """The named graphs and cited sources of some resources, sorted, each once."""
        found = set(graphs)
        for resource in resources:
            found |= self._sources.get(resource, {resource})
        return tuple(sorted(found))

    def _compile_vocabulary(self, kg: CoreGraph) -> None:
        self.codes: dict[str, str] = {}  # notation -> resource
        self.described: set[str] = set()
        self.modifiers: dict[str, tuple[str, str]] = {}  # notation -> (resource, label)
        self.modifier_notes: dict[str, str] = {}
        self.places: dict[str, str] = {}  # notation -> label
        graphs: dict[str, set[str]] = {}
        for row in kg.query("claim-vocabulary").records():
            kind, notation, resource = row["kind"], row["notation"], row["resource"]
            graphs.setdefault(kind, set()).add(row["graph"])
            if kind == "billing code":
                self.codes[notation] = resource
                if row["described"]:
                    self.described.add(notation)
            elif kind == "modifier":
                self.modifiers[notation] = (resource, row["label"] or notation)
                if row["note"]:
                    self.modifier_notes[notation] = row["note"]
            else:
                self.places[notation] = row["label"] or notation
        self.code_graphs = tuple(sorted(graphs.get("billing code", ())))
        self.modifier_graphs = tuple(sorted(graphs.get("modifier", ())))
        self.place_graphs = tuple(sorted(graphs.get("place of service", ())))
        self.exclusions: dict[str, set[str]] = {}
        for row in kg.query("modifier-exclusions").records():
            self.exclusions.setdefault(row["modifier"], set()).add(row["excluded"])
        # a note that restates a combination rule is said by modifier-combination, not repeated
        for notation in self.exclusions:
            self.modifier_notes.pop(notation, None)

    def _compile_indications(self, kg: CoreGraph) -> None:
        self.icd10cm: dict[str, set[str]] = {}  # ICD-10-CM code or category -> indications
        self.labels: dict[str, str] = {}
        mapping_graphs: set[str] = set()
        for row in kg.query("icd10cm-indications").records():
            code = row["icd10cm"].split(":", 1)[1] if ":" in row["icd10cm"] else row["icd10cm"]
            self.icd10cm.setdefault(code.upper(), set()).add(row["indication"])
            self.labels[row["indication"]] = row["label"]
            mapping_graphs.add(row["graph"])
        self.ancestors: dict[str, set[str]] = {}
        for row in kg.query("indication-ancestors").records():
            self.ancestors.setdefault(row["indication"], set()).add(row["ancestor"])
            self.labels[row["ancestor"]] = row["ancestor_label"]
        self.code_indications: dict[str, set[str]] = {}
        indication_graphs: dict[str, set[str]] = {}
        for row in kg.query("indications").records():
            self.code_indications.setdefault(row["code"], set()).add(row["indication"])
            self.labels[row["indication"]] = row["label"]
            indication_graphs.setdefault(row["code"], set()).add(row["graph"])
        self.diagnosis_sources = {
            code: tuple(sorted(mapping_graphs | indication_graphs.get(code, set()) | self._hierarchy_graphs(kg)))
            for code in self.code_indications
        }
        # which ICD-10-CM categories reach each code's indications, for the message that says what would
        # per code, the ICD-10-CM categories that reach its indications (for the message that says
        # what would): the broadest mapped ones, grouped by indication
        self.reaching: dict[str, str] = {}
        for code, indications in self.code_indications.items():
            groups: dict[str, list[str]] = {}
            for icd, mapped in sorted(self.icd10cm.items()):
                if any(category in self.icd10cm for category in icd10cm_lineage(icd)[1:]):
                    continue  # a subcode of a mapped category says nothing more
                for indication in sorted(mapped):
                    if ({indication} | self.ancestors.get(indication, set())) & indications:
                        groups.setdefault(self.labels[indication], []).append(icd)
            described = "; ".join(f"{label} {', '.join(codes)}" for label, codes in groups.items())
            self.reaching[code] = described or "none: the graph maps no ICD-10-CM code to them"

    @staticmethod
    def _hierarchy_graphs(kg: CoreGraph) -> set[str]:
        return {row["graph"] for row in kg.query("subtype-graphs").records()}

    def _compile_payers(self, kg: CoreGraph) -> None:
        self.payer_names: dict[str, str] = {}  # casefolded name -> payer
        self.payer_labels: dict[str, str] = {}
        for row in kg.query("payer-names").records():
            self.payer_names[" ".join(row["name"].split()).casefold()] = row["payer"]
            if row["name_kind"] == "label":
                self.payer_labels.setdefault(row["payer"], row["name"])
        self.payer_graphs = self.sources(*sorted(set(self.payer_names.values())))
        self.coverage: dict[tuple[str, str], _Coverage] = {}
        for row in kg.query("claim-policies").records():
            key = (row["code"], row["payer"])
            rule = self.coverage.setdefault(key, _Coverage(self.payer_labels.get(row["payer"], row["payer"])))
            policy, number, kind = (
                row["policy"],
                row["policy_number"] or row["policy_label"],
                row["policy_kind"] or "policy",
            )
            rule.policies.add(policy)
            if row["indication"]:
                self.labels[row["indication"]] = row["indication_label"]
            if row["decision"] == "covered":
                rule.covered.add(row["indication"])
            elif row["decision"] == "not covered":
                rule.excluded.add(row["indication"])
            if row["decision"] and (policy, number, kind) not in rule.covering:
                rule.covering.append((policy, number, kind))
            if row["max_units"] is not None and row["applies"]:
                entry = (int(row["max_units"]), policy, number, kind)
                if entry not in rule.units:
                    rule.units.append(entry)
            if row["gap"] and not row["applies"]:
                entry = (policy, row["policy_label"], row["policy_number"] or "")
                if entry not in rule.gap_policies:
                    rule.gap_policies.append(entry)

    def _compile_guidance(self, kg: CoreGraph) -> None:
        statements: dict[tuple[str, str, str], dict[str, Any]] = {}
        for row in kg.query("modifier-guidance-conflicts").records():
            key = (row["code"], row["modifier"], row["payer"])
            entry = statements.setdefault(
                key,
                {
                    "modifier": (row["modifier_graph"], row["modifier_text"]),
                    "payer": [],
                    "codes": [],
                    "resources": set(),
                },
            )
            said = (row["payer_graph"], row["payer_text"])
            if said not in entry["payer"]:
                entry["payer"].append(said)
            if row["recommended_code"] and row["recommended_code"] not in entry["codes"]:
                entry["codes"].append(row["recommended_code"])
            entry["resources"] |= {r for r in (row["modifier_guidance"], row["payer_guidance"], row["gap"]) if r}
            if row["gap"]:
                entry["gap"] = row["gap"]
        self.conflicts: dict[tuple[str, str, str], tuple[str, tuple[str, ...]]] = {}
        for (code, modifier, payer), entry in statements.items():
            graph, text = entry["modifier"]
            by_graph: dict[str, list[str]] = {}
            for said_in, said in entry["payer"]:
                by_graph.setdefault(said_in, []).append(f"\u201c{said}\u201d")
            theirs = "; ".join(f"{g} says: {' and '.join(texts)}" for g, texts in by_graph.items())
            advice = f" Bill the interpretation as {' or '.join(entry['codes'])}." if entry["codes"] else ""
            gap = " Whether this is payable is not stated for the code itself (a data gap)." if "gap" in entry else ""
            message = (
                f"Modifier {modifier} on {code} for {self.payer_labels.get(payer, payer)}: the sources disagree. "
                f"{graph} says: \u201c{text}\u201d; {theirs}.{advice}{gap}"
            )
            self.conflicts[(code, modifier, payer)] = (message, self.sources(*sorted(entry["resources"])))

    def payer(self, name: str) -> str | None:
        """The payer a name or alias matches (case and spacing ignored), or None.

        >>> import cptkg
        >>> ClaimTables(cptkg.load()).payer("  CIGNA ")
        'cptkg:payer-cigna'
        """
        return self.payer_names.get(" ".join(name.split()).casefold())

    def reach(self, diagnosis: str) -> tuple[frozenset[str], frozenset[str]] | str:
        """(indications mapped to the diagnosis or its categories, those and their ancestors), or an error text."""
        found = self._reach_cache.get(diagnosis)
        if found is None:
            try:
                lineage = icd10cm_lineage(diagnosis)
            except InputError as error:
                found = str(error)
            else:
                mapped = frozenset(i for category in lineage for i in self.icd10cm.get(category, ()))
                reached = set(mapped)
                for indication in mapped:
                    reached |= self.ancestors.get(indication, set())
                found = (mapped, frozenset(reached))
            if len(self._reach_cache) >= _CACHE_LIMIT:
                self._reach_cache.clear()
            self._reach_cache[diagnosis] = found
        return found

    def variant_finding(self, code: str, expression: str) -> tuple | None:
        """``(rule, message, sources)`` when the variant is not one the code covers (or cannot be read); else None."""
        key = (code, expression)
        if key not in self._variant_cache:
            if len(self._variant_cache) >= _CACHE_LIMIT:
                self._variant_cache.clear()
            self._variant_cache[key] = self._judge_variant(code, expression)
        return self._variant_cache[key]

    def _judge_variant(self, code: str, expression: str) -> tuple | None:
        cited = self.sources(self.codes[code])
        try:
            result = self._classifier.classify(expression)
        except CptkgError as error:
            return ("variant-unclassified", f"The variant {expression!r} could not be classified: {error}", cited)
        if not result.in_scope:
            return ("variant-out-of-scope", f"The variant {expression!r} is outside the scope of {code}: {result.reason}.", cited)
        if result.code != code:
            return (
                "variant-out-of-scope",
                f"The variant {expression!r} is in the scope of {result.code}, not of {code}: {result.reason}.",
                cited,
            )
        return None
