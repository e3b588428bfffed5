"""The answer about one variant: in the scope of a code or not, why, and its names."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class VariantResult:
    """Whether one variant is in the scope of a code, and its names. ``to_dict()`` is the JSON form."""

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
    identifiers: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The answer as a plain dictionary with the keys of the JSON form, in order."""
        answer = {f.name: getattr(self, f.name) for f in fields(self)}
        answer["identifiers"] = _copied(self.identifiers)
        return answer

    def to_json(self, **dumps: Any) -> str:
        """The result as one line of JSON (see :meth:`to_dict`), control characters escaped."""
        from ..core.text import dumps as json_dumps

        return json_dumps(self.to_dict(), **dumps)

    def to_text(self) -> str:
        """One line: the input, the verdict and the reason (which names the variant)."""
        from ..core.text import visible

        verdict = f"in scope of {self.code}" if self.in_scope else "out of scope"
        return visible(f"{self.input}\t{verdict}\t{self.reason}")

    def _repr_html_(self) -> str:
        from ..core.results import html_table

        rows = [
            [k, "" if v is None else json.dumps(v) if isinstance(v, dict) else str(v)]
            for k, v in self.to_dict().items()
        ]
        return html_table(["field", "value"], rows)


def _copied(value: Any) -> Any:
    """A copy of nested dicts and lists (the answer's own identifiers stay unchanged by a caller's edits)."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value
