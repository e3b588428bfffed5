"""The diagnoses of a claim line read against the ICD-10-CM codes the graph holds.

Everything here comes from named queries of ``queries/claims/`` (``diagnosis-codes``,
``billable-codes``, ``indication-groups``, ``review-points``, ``icd10cm-indications``,
``indication-ancestors``): which codes are billable, which diagnosis group each belongs to (through
the categories above it), which groups an indication needs on a claim, and which codes count for an
indication only after a coder's review. A list of diagnoses is read once (:meth:`DiagnosisTables.read`)
and what it shows is worked out for the line alone and for its whole claim (:func:`show`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.errors import InputError
from ..terminology import icd10cm_lineage, icd10cm_with_point

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

CACHE_LIMIT = 100_000  # distinct diagnosis lists remembered; beyond that the cache restarts (flat memory)


@dataclass(frozen=True)
class Review:
    """A written code that counts for an indication only after a coder's review (a data gap says why)."""

    code: str
    indication: str
    group: str | None  # the diagnosis group the code may stand for, when it is not already in one
    gap: str
    label: str
    reason: str


@dataclass(frozen=True)
class Contribution:
    """What one valid code gives towards the indications: its groups, and the reviews it needs."""

    code: str
    groups: frozenset[str]
    reviews: tuple[Review, ...]


@dataclass
class DiagnosisReading:
    """What the diagnosis list of a line says, read once per distinct list."""

    notes: list[tuple[str, str]] = field(default_factory=list)  # (rule, message), in the order written
    codes: tuple[str, ...] = ()  # the well-formed codes, with their point
    contributions: tuple[Contribution, ...] = ()
    mapped: frozenset[str] = frozenset()  # indications mapped (SKOS) to a code or a category above it
    shown: Shown | None = None  # what the line alone shows (filled on first use)
    found: dict = field(default_factory=dict)  # findings remembered for lines with these diagnoses


@dataclass(frozen=True)
class Shown:
    """The indications a set of codes shows, and those it would show after review."""

    shown: frozenset[str]
    reviewed: dict[str, tuple[Review, ...]]  # indication -> the reviews it hangs on
    reached: frozenset[str]  # shown or mapped, with every broader indication
    groups: frozenset[str] = frozenset()  # the diagnosis groups the codes belong to


class DiagnosisTables:
    """The ICD-10-CM codes, diagnosis groups and indications of one graph."""

    def __init__(self, kg: CoreGraph) -> None:
        self.billable: dict[str, bool | None] = {}
        self.titles: dict[str, str] = {}
        self.groups: dict[str, set[str]] = {}
        self.systems: set[str] = set()
        self.labels: dict[str, str] = {}
        for row in kg.query("diagnosis-codes").records():
            notation = row["notation"]
            self.billable[notation] = row["billable"]
            self.groups.setdefault(notation, set())
            if row["group"]:
                self.groups[notation].add(row["group"])
                self.labels[row["group"]] = row["group_label"]
            if row["title"]:
                self.titles[notation] = row["title"]
            if row["system"]:
                self.systems.add(row["system"])
        self.leaves: dict[str, list[str]] = {}
        for row in kg.query("billable-codes").records():
            self.leaves.setdefault(row["category"], []).append(row["billable_code"])
        self.required: dict[str, frozenset[str]] = {}
        required: dict[str, set[str]] = {}
        for row in kg.query("indication-groups").records():
            required.setdefault(row["indication"], set()).add(row["group"])
            self.labels[row["indication"]] = row["label"]
            self.labels[row["group"]] = row["group_label"]
        self.required = {indication: frozenset(groups) for indication, groups in required.items()}
        self._compile_reviews(kg)
        self._compile_mappings(kg)
        self._cache: dict[tuple[str, ...], DiagnosisReading] = {}

    def _compile_reviews(self, kg: CoreGraph) -> None:
        self.reviews: dict[str, list[tuple[str, str | None, str, str, str]]] = {}  # code -> reviews
        self.claim_gaps: dict[str, tuple[str, str, str]] = {}  # indication -> (gap, label, reason)
        for row in kg.query("review-points").records():
            if row["notation"]:
                entry = (row["indication"], row["review_group"], row["gap"], row["label"], row["reason"])
                self.reviews.setdefault(row["notation"], []).append(entry)
            else:
                self.claim_gaps[row["indication"]] = (row["gap"], row["label"], row["reason"])

    def _compile_mappings(self, kg: CoreGraph) -> None:
        self.mapped: dict[str, set[str]] = {}  # ICD-10-CM code or category -> indications (SKOS)
        for row in kg.query("icd10cm-indications").records():
            code = row["icd10cm"].split(":", 1)[1] if ":" in row["icd10cm"] else row["icd10cm"]
            self.mapped.setdefault(code.upper(), set()).add(row["indication"])
            self.labels[row["indication"]] = row["label"]
        self.ancestors: dict[str, frozenset[str]] = {}
        ancestors: dict[str, set[str]] = {}
        for row in kg.query("indication-ancestors").records():
            ancestors.setdefault(row["indication"], set()).add(row["ancestor"])
            self.labels[row["ancestor"]] = row["ancestor_label"]
        self.ancestors = {indication: frozenset(found) for indication, found in ancestors.items()}

    # ------------------------------------------------------------------ one list of diagnoses

    def read(self, diagnoses: tuple[str, ...]) -> DiagnosisReading:
        """The reading of a line's diagnoses (cached per distinct list)."""
        found = self._cache.get(diagnoses)
        if found is None:
            found = self._read(diagnoses)
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[diagnoses] = found
        return found

    def _read(self, diagnoses: tuple[str, ...]) -> DiagnosisReading:
        reading = DiagnosisReading()
        codes, contributions, mapped = [], [], set()
        for written in diagnoses:
            try:
                lineage = icd10cm_lineage(written)
            except InputError as error:
                pointed = icd10cm_with_point(written)
                if pointed is None:
                    reading.notes.append(("diagnosis-invalid", f"{error.reason}."))
                    continue
                reading.notes.append(("diagnosis-decimal-free", _decimal_free(written, pointed)))
                lineage = icd10cm_lineage(pointed)
            code = lineage[0]
            codes.append(code)
            listed = next((c for c in lineage if c in self.billable), None)
            note = self._billing_note(code, listed)
            if note:
                reading.notes.append(note)
            groups = frozenset(self.groups.get(listed, ())) if listed else frozenset()
            reviews = tuple(
                Review(code, indication, group, gap, label, reason)
                for category in lineage
                for indication, group, gap, label, reason in self.reviews.get(category, ())
            )
            contributions.append(Contribution(code, groups, reviews))
            for category in lineage:
                mapped |= self.mapped.get(category, set())
        reading.codes = tuple(codes)
        reading.contributions = tuple(contributions)
        reading.mapped = frozenset(mapped)
        return reading

    def _billing_note(self, code: str, listed: str | None) -> tuple[str, str] | None:
        """A non-billable category, or a code judged by the category above it."""
        if listed == code:
            if self.billable[code] is not False:
                return None
            leaves = self.leaves.get(code)
            named = (
                f"bill one of its codes: {', '.join(leaves)}"
                if leaves
                else "the graph does not list the billable codes under it (a data gap): bill the full code"
            )
            return ("diagnosis-non-billable", f"{code}{self._title(code)} is a category, not a billable code; {named}.")
        if listed is None:
            return (
                "diagnosis-not-listed",
                (
                    f"{code} is not a code the graph lists, nor is any category above it: it shows no indication "
                    "here, and whether it is billable was not checked (UNVERIFIED)."
                ),
            )
        return (
            "diagnosis-not-listed",
            (
                f"{code} is not a code the graph lists; it is judged by its category {listed}{self._title(listed)}. "
                "Whether it is billable was not checked (UNVERIFIED)."
            ),
        )

    def _title(self, code: str) -> str:
        title = self.titles.get(code)
        return f" ({title})" if title else ""

    # ------------------------------------------------------------------ what codes show

    def show(self, contributions: Sequence[Contribution], mapped: Iterable[str]) -> Shown:
        """The indications the codes show (each needs a code of every group it requires), those that
        hang on a review, and all they reach (with the SKOS-mapped ones and every broader indication)."""
        shown, reviewed = set(), {}
        plain = frozenset().union(*(c.groups for c in contributions))
        for indication, required in self.required.items():
            definite: set[str] = set()
            pending: set[str] = set()
            hanging: list[Review] = []
            for contribution in contributions:
                reviews = [r for r in contribution.reviews if r.indication == indication]
                if not reviews:
                    definite |= contribution.groups
                    continue
                pending |= contribution.groups | {r.group for r in reviews if r.group}
                hanging += reviews
            if required <= definite:
                shown.add(indication)
            elif required <= definite | pending:
                used = [r for r in hanging if (self._groups_of(r, contributions) - definite) & required]
                reviewed[indication] = tuple(used or hanging)
        reached = set(shown) | set(mapped)
        for indication in list(reached):
            reached |= self.ancestors.get(indication, frozenset())
        return Shown(frozenset(shown), reviewed, frozenset(reached), plain)

    def _groups_of(self, review: Review, contributions: Sequence[Contribution]) -> set[str]:
        groups = {review.group} if review.group else set()
        for contribution in contributions:
            if contribution.code == review.code:
                groups |= contribution.groups
        return groups

    def broader(self, indication: str) -> frozenset[str]:
        """The indication and every indication it is a kind of."""
        return self.ancestors.get(indication, frozenset()) | {indication}

    def label(self, resource: str) -> str:
        """The label of an indication or diagnosis group (the resource itself when it has none)."""
        return self.labels.get(resource, resource)


def _decimal_free(written: str, pointed: str) -> str:
    return (
        f"{written.strip().upper()} is read as {pointed}: the code is written without its decimal point, as "
        "electronic claims carry it. No source for this form was read (UNVERIFIED); the reading changes nothing else."
    )
