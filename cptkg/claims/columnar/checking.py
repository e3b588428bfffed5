"""One distinct claim checked by the row engine's rule families, in this process or in worker processes.

A claim comes as the values of its lines' keys and their dates; it is rebuilt as
:class:`~cptkg.claims.lines.ClaimLine` values with a sentinel claim id and sentinel line numbers and
checked by :meth:`cptkg.claims.engine.ClaimRules.check_claim`. Its findings are kept as the parts that
do not depend on the claim id and line numbers (written once, in the output's form); a claim whose
messages write its claim id or a line number is *positional*, one whose messages write its date,
when the date was only a representative of its class, is *dated* (:mod:`.evaluate` says what
follows from each).

The claims are checked in this process: the rule families are Python, one claim at a time (worker
processes were tried: on two shared cores, with each worker's own caches of the rule families to
fill, they were slower than one process).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Any

from ..engine import _in_parts
from ..findings import Finding
from .normalise import line_of
from .writing import SENTINEL_CLAIM, SENTINEL_LINE, Form

if TYPE_CHECKING:
    from ..engine import ClaimRules

#: What a claim stands for when it has no findings of its own.
DATED, POSITIONAL = -1, -2
#: A task: the values of each line's key (with its date part), their dates, whether to tell a dated claim.
Task = tuple[list[list[str]], list["date | None"], bool]
#: A finding as kept: severity, rule, whether it says there are none, then the tail (a text form) or
#: the message and source (tables).
Kept = tuple[Any, ...]
_SENTINEL_STEM = str(SENTINEL_LINE)[:-3]  # the sentinel line numbers of a claim's lines all start so


def thresholds(tables: object) -> list[date]:
    """Every date the compiled rule tables hold, in order: the borders of the classes of dates."""
    found: set[date] = set()
    seen: set[int] = set()
    stack = [tables]
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, date):
            found.add(value)
        elif isinstance(value, dict):
            stack += [*value.keys(), *value.values()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack += list(value)
        elif type(value).__module__.startswith("cptkg.claims"):  # the tables' own objects; not the graph
            if dataclasses.is_dataclass(value):
                stack += [getattr(value, f.name) for f in dataclasses.fields(value)]
            stack += list(getattr(value, "__dict__", {}).values())
            stack += [getattr(value, name) for name in getattr(type(value), "__slots__", ()) if hasattr(value, name)]
    return sorted(found)


def check(rules: ClaimRules, form: Form | None, task: Task, tails: dict) -> int | list[list[Kept]]:
    """The findings of one claim, line by line, as kept; or DATED or POSITIONAL."""
    values, days, check_dated = task
    lines = [line_of(v[:10], SENTINEL_LINE + i, SENTINEL_CLAIM, day) for i, (v, day) in enumerate(zip(values, days))]
    found = rules.check_claim(lines)
    messages = [finding.message for findings in found for finding in findings]
    if positional(messages):
        return POSITIONAL
    if check_dated and any(str(days[0]) in m for m in messages):
        return DATED
    return [[kept(finding, form, tails) for finding in findings] for findings in found]


def positional(messages: list[str]) -> bool:
    """Whether a message writes the claim id or a line number (of the sentinel claim checked)."""
    return any(SENTINEL_CLAIM in m or _SENTINEL_STEM in m for m in messages)


def kept(finding: Finding, form: Form | None, tails: dict) -> Kept:
    """A finding as kept (its written tail remembered per distinct finding)."""
    head = (finding.severity, finding.rule, finding.rule == "no-findings")
    if form is None:
        return (*head, finding.message, finding.source)
    facts = finding[2:]
    tail = tails.get(facts)
    if tail is None:
        tail = tails[facts] = form.tail(*facts)
    return (*head, tail)


def in_parts(rules: ClaimRules, form: Form | None) -> Kept:
    """The in-parts finding of a line of claim :data:`SENTINEL_CLAIM` (its claim id is filled in later)."""
    probe = line_of(["X", "", "", "", "", "1", "", "", "", ""], SENTINEL_LINE, SENTINEL_CLAIM, None)
    return kept(_in_parts(rules, probe), form, {})
