"""What the graph knows that a claim line is checked against, compiled once into lookup tables.

Every table comes from a named query of ``queries/claims/`` (``claim-vocabulary``, ``first-dates``,
``modifier-rules``, ``modifier-guidance-conflicts``, ``claim-policies``, ``indications``, and those of
:mod:`~cptkg.claims.diagnoses` and :mod:`~cptkg.claims.policies`), so the checks follow the data: a
new code folder, payer alias, ICD-10-CM code or policy date changes them without code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..core.errors import CptkgError
from .diagnoses import DiagnosisTables
from .policies import PolicyTables

if TYPE_CHECKING:
    from ..core.graph import CoreGraph
    from ..variants.classify import Classifier

_CACHE_LIMIT = 20_000  # distinct keys remembered per store; beyond that the store restarts (flat memory)
_MISSING = object()


@dataclass(frozen=True)
class FirstDate:
    """The first date of service on which a code, modifier, place or code system may be reported."""

    day: date
    status: str  # VERIFIED, or UNVERIFIED when only a data gap believes it
    resource: str


@dataclass(frozen=True)
class ModifierRule:
    """Guidance that disallows a modifier on a code, or a data gap that leaves such a rule unconfirmed."""

    resource: str
    payer: str | None
    text: str


class ClaimTables:
    """The lookup tables of one graph (see the module docstring)."""

    def __init__(self, kg: CoreGraph) -> None:
        self._compile_vocabulary(kg)
        self._compile_dates(kg)
        self._compile_modifier_rules(kg)
        self._compile_guidance(kg)
        self._compile_payer_policies(kg)
        self.diagnoses = DiagnosisTables(kg)
        self.policies = PolicyTables(kg)
        starts = [self.system_dates[s] for s in self.diagnoses.systems if s in self.system_dates]
        #: the first date of use of the diagnosis codes' code system (ICD-10-CM)
        self.diagnosis_start = min(starts, key=lambda first: first.day) if starts else None
        self.code_indications: dict[str, set[str]] = {}
        for row in kg.query("indications").records():
            self.code_indications.setdefault(row["code"], set()).add(row["indication"])
            self.diagnoses.labels.setdefault(row["indication"], row["label"])
        self.scope_sources: dict[str, str] = {}  # code -> the reference record that says what it analyses
        for row in kg.query("code-scope-sources").records():
            cited = f"{row['label']}, {row['citation']}" if row["citation"] else row["label"]
            if row["fact"] == row["code"] or row["code"] not in self.scope_sources:
                self.scope_sources[row["code"]] = cited
        self._memo: dict[str, dict[tuple, Any]] = {}
        self._kg = kg
        self._classifier: Classifier | str | None = None
        self._variant_cache: dict[tuple[str, str], tuple[str, str] | None] = {}

    def _compile_vocabulary(self, kg: CoreGraph) -> None:
        self.codes: dict[str, str] = {}  # notation -> resource
        self.described: set[str] = set()
        self.genes: dict[str, str] = {}  # code -> the symbol of the gene it analyses
        self.modifiers: dict[str, tuple[str, str, str]] = {}  # notation -> (resource, label, scope note)
        self.places: dict[str, str] = {}  # notation -> label
        for row in kg.query("claim-vocabulary").records():
            kind, notation, resource = row["kind"], row["notation"], row["resource"]
            if kind == "billing code":
                self.codes[notation] = resource
                if row["described"]:
                    self.described.add(notation)
                if row["gene"]:
                    self.genes[notation] = row["gene"]
            elif kind == "modifier":
                self.modifiers[notation] = (resource, row["label"] or notation, row["note"] or "")
            else:
                self.places[notation] = row["label"] or notation

    def _compile_dates(self, kg: CoreGraph) -> None:
        self.first_dates: dict[tuple[str, str], FirstDate] = {}  # (kind, notation) -> first date
        self.first_of: dict[str, dict[str, FirstDate]] = {}  # kind -> notation -> first date
        self.system_dates: dict[str, FirstDate] = {}  # code system resource -> first date
        for row in kg.query("first-dates").records():
            day = row["valid_from"]
            first = FirstDate(day if isinstance(day, date) else date.fromisoformat(str(day)), row["status"], row["resource"])
            self.first_dates[(row["kind"], row["notation"])] = first
            self.first_of.setdefault(row["kind"], {})[row["notation"]] = first
            if row["kind"] == "code system":
                self.system_dates[row["resource"]] = first

    def _compile_modifier_rules(self, kg: CoreGraph) -> None:
        self.never_with: dict[str, set[str]] = {}  # modifier -> those never on its line
        self.returned_with: dict[str, set[str]] = {}  # modifier -> those that make Medicare return the claim
        self.disallowed: dict[tuple[str, str], list[ModifierRule]] = {}  # (code, modifier) -> guidance
        self.unconfirmed: dict[tuple[str, str], ModifierRule] = {}  # (code, modifier) -> the data gap
        for row in kg.query("modifier-rules").records():
            rule, modifier = row["rule"], row["modifier"]
            if rule == "not combinable":
                self.never_with.setdefault(modifier, set()).add(row["other"])
            elif rule == "claim returned":
                self.returned_with.setdefault(modifier, set()).add(row["other"])
            elif rule == "disallowed" and row["code"]:
                found = ModifierRule(row["resource"], row["payer"], row["text"] or "")
                self.disallowed.setdefault((row["code"], modifier), []).append(found)
            elif rule == "unconfirmed for the code":
                self.unconfirmed[(row["code"], modifier)] = ModifierRule(row["resource"], None, row["text"] or "")
        # a pair that makes Medicare return the claim is its own rule, not also "never together"
        for modifier, others in self.returned_with.items():
            self.never_with[modifier] = self.never_with.get(modifier, set()) - others

    def _compile_guidance(self, kg: CoreGraph) -> None:
        """Where a source recommends a modifier and the payer bills the same component another way."""
        statements: dict[tuple[str, str, str], dict[str, Any]] = {}
        for row in kg.query("modifier-guidance-conflicts").records():
            key = (row["code"], row["modifier"], row["payer"])
            entry = statements.setdefault(key, {"said": row["modifier_text"], "payer": [], "codes": [], "gap": False})
            if row["payer_text"] and row["payer_text"] not in entry["payer"]:
                entry["payer"].append(row["payer_text"])
            if row["recommended_code"] and row["recommended_code"] not in entry["codes"]:
                entry["codes"].append(row["recommended_code"])
            entry["gap"] = entry["gap"] or bool(row["gap"])
        self.conflicts: dict[tuple[str, str, str], str] = {}
        for (code, modifier, payer), entry in statements.items():
            theirs = " ".join(f"\u201c{text}\u201d" for text in entry["payer"])
            advice = f" Bill the interpretation as {' or '.join(entry['codes'])}." if entry["codes"] else ""
            gap = " Whether this is payable is not stated for the code itself (a data gap: UNVERIFIED)." if entry["gap"] else ""
            self.conflicts[(code, modifier, payer)] = (
                f"the sources disagree. One recommends it: \u201c{entry['said']}\u201d; the payer's guidance says: "
                f"{theirs}.{advice}{gap}"
            )

    def _compile_payer_policies(self, kg: CoreGraph) -> None:
        """Per code and payer: the policies whose criteria are a data gap (a commercial payer's)."""
        self.payer_policies: dict[tuple[str, str], list[tuple[str, bool]]] = {}  # -> [(label, criteria gap)]
        for row in kg.query("claim-policies").records():
            entries = self.payer_policies.setdefault((row["code"], row["payer"]), [])
            entry = (row["policy_label"], bool(row["gap"]) and not row["applies"])
            if entry not in entries:
                entries.append(entry)

    def remember(self, name: str, key: tuple, work: Callable[[], Any]) -> Any:
        """``work()``, remembered under ``name`` and ``key`` (each store bounded: it restarts when full)."""
        store = self.memo(name)
        found = store.get(key, _MISSING)
        if found is _MISSING:
            found = store[key] = work()
        return found

    def memo(self, name: str) -> dict:
        """The store of remembered answers called ``name``, emptied when it holds too many."""
        store = self._memo.get(name)
        if store is None:
            store = self._memo[name] = {}
        elif len(store) >= _CACHE_LIMIT:
            store.clear()
        return store

    # ------------------------------------------------------------------ variants

    def variant_finding(self, code: str, expression: str) -> tuple[str, str] | None:
        """``(rule, message)`` about a variant reported on a line for ``code``, or None (cached). The
        finding cites :attr:`scope_sources` of the code (what it analyses)."""
        key = (code, expression)
        if key not in self._variant_cache:
            if len(self._variant_cache) >= _CACHE_LIMIT:
                self._variant_cache.clear()
            self._variant_cache[key] = self._judge_variant(code, expression)
        return self._variant_cache[key]

    def _judge_variant(self, code: str, expression: str) -> tuple[str, str] | None:
        judge = self.classifier()
        if isinstance(judge, str):
            return ("variant-check-unavailable", f"The variant {expression!r} was not checked: {judge}.")
        try:
            result = judge.classify(expression)
        except CptkgError as error:
            return ("variant-unclassified", f"The variant {expression!r} could not be classified: {error}.")
        gene = self.genes.get(code)
        if gene and result.gene and result.gene != gene:
            return (
                "variant-other-gene",
                (
                    f"The variant {expression!r} is a change of {result.gene}, but {code} analyses {gene}: bill the "
                    f"code of {result.gene}{f' ({result.code})' if result.code else ''}, not {code}."
                ),
            )
        if not result.in_scope:
            return ("variant-out-of-scope", f"The variant {expression!r} is outside the scope of {code}: {result.reason}.")
        if result.code != code:
            return (
                "variant-out-of-scope",
                f"The variant {expression!r} is in the scope of {result.code}, not of {code}: {result.reason}.",
            )
        if not result.hotspot:
            return (
                "variant-in-scope-not-hotspot",
                (
                    f"The variant {expression!r} is in the scope of {code} but not a hotspot the graph lists (no "
                    f"error: the code analyses the whole exon): {result.reason}."
                ),
            )
        return None

    def classifier(self) -> Classifier | str:
        """The variant classifier of the graph (built on first use), or why there is none."""
        if self._classifier is None:
            from ..variants import classifier

            try:
                self._classifier = classifier(self._kg)
            except CptkgError as error:
                self._classifier = f"the graph's variant tables could not be built ({error})"
        return self._classifier
