"""The answer about one variant: in the scope of a code or not, why, and its names.

The answer is frozen, nested mappings included (read-only views), so that it can be shared and
written as JSON as it is: :meth:`VariantResult.to_json` writes from the fields, without copying.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import cached_property
from types import MappingProxyType
from typing import Any

from ..core.text import json_text, visible


def frozen(value: Any) -> Any:
    """Nested dicts as read-only views and lists as tuples (an answer cannot be changed by a caller)."""
    if isinstance(value, dict | MappingProxyType):
        return MappingProxyType({key: frozen(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(item) for item in value)
    return value


def plain(value: Any) -> Any:
    """The JSON form of a field: read-only views as dicts, tuples as lists."""
    if isinstance(value, MappingProxyType):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, MappingProxyType):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


@dataclass(frozen=True)
class VariantResult:
    """Whether one variant is in the scope of a code, and its names. ``to_dict()`` is the JSON form.

    ``names`` holds the other notations (``hgvs_g``, ``spdi`` per assembly, ``clinvar_title``,
    ``report``); ``vrs`` the GA4GH VRS allele identifiers (per assembly and on the transcript);
    ``read_as`` the transcript an expression was read on when it named another version; ``build``
    the assembly genomic coordinates were read on; ``notes`` what could not be computed or checked,
    and what was assumed.
    """

    input: str
    in_scope: bool
    code: str | None = None
    gene: str | None = None
    exon: int | None = None
    codon: int | None = None
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    grch38: str | None = None
    grch37: str | None = None
    hotspot: str | None = None
    identifiers: Any = field(default_factory=dict)
    reason: str = ""
    names: Any = field(default_factory=dict)
    vrs: Any = field(default_factory=dict)
    read_as: str | None = None
    build: str | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("identifiers", "names", "vrs", "notes"):
            object.__setattr__(self, name, frozen(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        """The answer as a plain dictionary with the keys of the JSON form, in order."""
        return {f.name: plain(getattr(self, f.name)) for f in fields(self)}

    def to_json(self, **dumps: Any) -> str:
        """The JSON form, written from the fields as they are (no copy of the answer is made); written once
        per answer when no ``json.dumps`` options are given (a VCF's repeated alleles share their answer).
        Control characters a terminal acts on are written escaped (:func:`cptkg.core.text.json_text`)."""
        if not dumps:
            return self._json
        return json_text(json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, ensure_ascii=False,
                                    default=_json_default, **dumps))  # fmt: skip

    @cached_property
    def _json(self) -> str:
        return json_text(json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, ensure_ascii=False,
                                    default=_json_default))  # fmt: skip

    def to_text(self) -> str:
        """One line: the input, the verdict and the reason (which names the variant), then any notes;
        control characters shown escaped."""
        verdict = f"in scope of {self.code}" if self.in_scope else "out of scope"
        return visible(f"{self.input}\t{verdict}\t{self.explained()}")

    def explained(self) -> str:
        """The reason, then the notes (what the input was read as, what could not be computed)."""
        return "; ".join([self.reason, *[f"note: {note}" for note in self.notes or ()]])

    def _repr_html_(self) -> str:
        from ..core.results import html_table

        rows = [
            [k, "" if v is None else json.dumps(v) if isinstance(v, dict | list) else str(v)]
            for k, v in self.to_dict().items()
        ]
        return html_table(["field", "value"], rows)
