"""The claim rules: a table a coder can read (``queries/claims/rules.tsv``) and the registry of the Python
that evaluates it.

Each row of the table is one rule: its id, its family, its severity (a rule with two levels lists
both, the usual one first, and its description says when the other applies), what it checks in a
coder's words, the one source behind it, that source's status, and the data it reads: the named
queries of ``queries/claims/`` and, for a rule about particular modifiers, ``modifiers A, B`` (and,
for a rule about a pair, ``with C, D``). Each family is one small function of
:mod:`cptkg.claims.families`, registered with :func:`family` and the ids it may report;
:func:`cptkg.claims.engine.check_registry` (run by the tests) holds the table and the registry to
each other.

>>> table()["modifier-combination"].levels
(<Severity.ERROR: 'error'>,)
>>> table()["modifier-59-with-x"].modifiers, table()["modifier-59-with-x"].with_modifiers
(('59',), ('XE', 'XP', 'XS', 'XU'))
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError
from ..core.findings import Severity
from ..core.resources import folder

if TYPE_CHECKING:
    from .tables import ClaimTables

TABLE_COLUMNS = ("id", "family", "severity", "description", "source", "status", "data")
#: Rules the engine reports itself, outside any family.
ENGINE_RULES = ("unreadable-line", "claim-checked-in-parts", "no-findings")


@dataclass(frozen=True)
class RuleRow:
    """One row of the rule table."""

    id: str
    family: str
    levels: tuple[Severity, ...]
    description: str
    source: str
    status: str
    data: str
    modifiers: tuple[str, ...] = ()
    with_modifiers: tuple[str, ...] = ()
    level: str = ""  # the usual severity, as findings write it

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", self.levels[0].value)

    @property
    def severity(self) -> tuple[Severity, ...]:
        """The levels of the rule (the same as :attr:`levels`)."""
        return self.levels


@cache
def table() -> dict[str, RuleRow]:
    """The rule table by rule id; a malformed row is an :class:`~cptkg.InputError` naming its line."""
    path = folder("queries") / "claims" / "rules.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None)
        if tuple(header or ()) != TABLE_COLUMNS:
            raise InputError(f"the header must be {', '.join(TABLE_COLUMNS)}", path=path, line=1)
        rows: dict[str, RuleRow] = {}
        for number, cells in enumerate(reader, start=2):
            if len(cells) != len(TABLE_COLUMNS) or not all(cell.strip() for cell in cells[:3]):
                raise InputError(f"expected {len(TABLE_COLUMNS)} tab-separated cells", path=path, line=number)
            rule, family_name, levels, description, source, status, data = (cell.strip() for cell in cells)
            try:
                severity = tuple(Severity.parse(level) for level in levels.split(","))
            except ValueError as error:
                raise InputError(str(error), path=path, line=number) from None
            if rule in rows:
                raise InputError(f"rule {rule!r} is given twice", path=path, line=number)
            modifiers, with_modifiers = _selectors(data)
            rows[rule] = RuleRow(rule, family_name, severity, description, source, status, data, modifiers, with_modifiers)
    return rows


def _selectors(data: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``modifiers ...`` and ``with ...`` items of a data cell.

    >>> _selectors("claim-vocabulary; modifiers 59, XS; with XE, XP")
    (('59', 'XS'), ('XE', 'XP'))
    """
    found: dict[str, tuple[str, ...]] = {"modifiers": (), "with": ()}
    for item in data.split(";"):
        head, _, rest = item.strip().partition(" ")
        if head in ("modifier", "modifiers", "with"):
            found["with" if head == "with" else "modifiers"] = tuple(m.strip() for m in rest.split(",") if m.strip())
    return found["modifiers"], found["with"]


#: A family: ``(tables, context, report)``, the context a :class:`~cptkg.claims.context.LineContext` and
#: the report a :class:`~cptkg.claims.context.LineReport`; it reports with ``report(rule, message,
#: source=..., severity=...)``. (Named by shape: the context module reads this one's rule rows.)
Family = Callable[["ClaimTables", Any, Any], None]
#: family name -> (function, the rule ids it may report), in the order they were registered.
FAMILIES: dict[str, tuple[Family, tuple[str, ...]]] = {}
#: What a line gives the rules: its values, as :mod:`cptkg.claims.columnar` keys them, and its date.
LINE_VALUES = ("code", "modifiers", "diagnoses", "payer", "place", "units", "units_written", "variant", "contractor",
               "dex", "date")  # fmt: skip


@dataclass(frozen=True)
class Part:
    """A family, or a piece of one, with the line values it reads (of :data:`LINE_VALUES`): on a line
    that is its own claim, what it reports depends on those values alone, so an engine that has
    checked one line may reuse the part's findings on every line that agrees with it there
    (``tests/test_claims_engines.py`` holds each part to what it says it reads). ``modifiers``, when
    given, narrows what it reads of the line's modifiers to those of them, in the line's order."""

    check: Family
    reads: tuple[str, ...]
    modifiers: tuple[str, ...] = ()


#: family function -> its parts, in the order they report (a family without them is one part that reads all).
PARTS: dict[Family, tuple[Part, ...]] = {}


def family(
    name: str,
    *rules: str,
    reads: tuple[str, ...] = LINE_VALUES,
    modifiers: tuple[str, ...] = (),
    parts: tuple[Part, ...] = (),
) -> Callable[[Family], Family]:
    """Register a function as the family ``name``, which reports the given rule ids, reading the line
    values ``reads`` (of the modifiers, only ``modifiers`` if given), or made of ``parts``, run in order."""

    def register(function: Family) -> Family:
        FAMILIES[name] = (function, rules)
        PARTS[function] = parts or (_checked(Part(function, reads, modifiers)),)
        return function

    return register


def part(*reads: str, modifiers: tuple[str, ...] = ()) -> Callable[[Family], Part]:
    """A piece of a family that reads only the line values ``reads`` (of the modifiers, only ``modifiers``)."""
    return lambda function: _checked(Part(function, reads, modifiers))


def _checked(piece: Part) -> Part:
    unknown = set(piece.reads) - set(LINE_VALUES)
    if unknown or (piece.modifiers and "modifiers" not in piece.reads):
        raise ValueError(f"{piece.check.__name__} reads {sorted(unknown) or 'some modifiers'}, which a line does not give")
    return piece


def parts_of(function: Family) -> tuple[Part, ...]:
    """The parts of a family function (one that reads everything for a function not registered)."""
    return PARTS.get(function) or (Part(function, LINE_VALUES),)


def join(items: list[str] | tuple[str, ...]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    >>> join(["GA", "GY", "GZ"])
    'GA, GY and GZ'
    """
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def either(items: list[str] | tuple[str, ...]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1] if items else ""
