"""What every report of the package shares: one order of severities, one way to be shown.

A report (of validation, checks, claims, variants) is a list of entries with a severity. The
:class:`Report` base class gives each the same forms from two things it defines: ``columns`` with
``cells`` (one row per entry, for tables, HTML and DataFrames) and ``to_dict`` (the JSON form).

>>> Severity.parse("Violation") is Severity.ERROR
True
>>> sorted([Severity.INFO, Severity.ERROR, Severity.OK, Severity.WARNING])
[<Severity.ERROR: 'error'>, <Severity.WARNING: 'warning'>, <Severity.INFO: 'info'>, <Severity.OK: 'ok'>]
>>> Severity.ERROR == "error"
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from functools import total_ordering
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import CptkgError, ParameterError

if TYPE_CHECKING:
    import pandas


@total_ordering
class Severity(str, Enum):
    """How serious an entry is, most serious first; it compares equal to its word (``"error"``).

    ``ok`` is the severity of an entry that says there is nothing to report (a claim line without
    findings). SHACL names the first three Violation, Warning and Info (:attr:`shacl`).
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OK = "ok"

    @property
    def rank(self) -> int:
        """0 for the most serious."""
        return _ORDER.index(self)

    @property
    def shacl(self) -> str:
        """The SHACL word for the severity (``Violation`` for an error)."""
        return _SHACL[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, word: str) -> Severity:
        """The severity a word names: the package's own, SHACL's (``Violation``, ``sh:Warning``, IRIs) or ``note``."""
        key = str(word).rsplit("#", 1)[-1].removeprefix("sh:").strip().lower()
        found = _WORDS.get(key)
        if found is None:
            raise ParameterError(f"unknown severity {word!r}; expected one of {', '.join(s.value for s in cls)}")
        return found


_ORDER = tuple(Severity)
_SHACL = {Severity.ERROR: "Violation", Severity.WARNING: "Warning", Severity.INFO: "Info", Severity.OK: "Ok"}
_WORDS = {severity.value: severity for severity in Severity} | {"violation": Severity.ERROR, "note": Severity.INFO}


def counts(severities: Iterable[Severity | str], present: Sequence[Severity] = tuple(Severity)[:3]) -> dict[str, int]:
    """How many of each severity, every one of ``present`` a key even when none.

    >>> counts(["error", Severity.INFO, "error"])
    {'error': 2, 'warning': 0, 'info': 1}
    """
    found = {severity.value: 0 for severity in present}
    for severity in severities:
        word = Severity.parse(severity).value
        found[word] = found.get(word, 0) + 1
    return found


class Report:
    """The one protocol of the package's reports.

    A subclass sets :attr:`columns` and defines :meth:`entries`, :meth:`cells`, :meth:`to_dict`,
    :meth:`summary` and :attr:`exit_status`; the JSON, text, table, HTML and DataFrame forms follow.
    """

    #: The columns of the table, HTML and DataFrame forms.
    columns: ClassVar[tuple[str, ...]] = ()

    def entries(self) -> Sequence[Any]:
        """The report's entries (findings, results), in order."""
        raise NotImplementedError

    def cells(self, entry: Any) -> list[str]:
        """One entry as the text cells of :attr:`columns`."""
        raise NotImplementedError

    def record(self, entry: Any) -> dict[str, Any]:
        """One entry as a plain dictionary of :attr:`columns` (the DataFrame row)."""
        return dict(zip(self.columns, self.cells(entry)))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as plain Python values."""
        raise NotImplementedError

    def summary(self) -> str:
        """One line that says what the report found."""
        raise NotImplementedError

    @property
    def exit_status(self) -> int:
        """The command line's exit status: 0 when nothing is an error, 1 when something is."""
        raise NotImplementedError

    def __iter__(self):
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self.entries())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.summary()}>"

    def __str__(self) -> str:
        return self.to_text()

    def to_json(self, **dumps: Any) -> str:
        """The JSON form (:meth:`to_dict`) as text (control characters escaped)."""
        from .text import dumps as json_dumps

        return json_dumps(self.to_dict(), **dumps)

    def to_table(self) -> str:
        """The entries as an aligned plain-text table."""
        from .results import table

        return table(list(self.columns), [self.cells(entry) for entry in self.entries()])

    def to_text(self) -> str:
        """The summary line, then the table of entries."""
        text = self.summary() + "\n"
        return text + ("\n" + self.to_table() if len(self) else "")

    def _repr_html_(self) -> str:
        from .results import html_table

        return html_table(list(self.columns), [self.cells(entry) for entry in self.entries()], caption=self.summary())

    def records(self) -> list[dict[str, Any]]:
        """The entries as plain dictionaries."""
        return [self.record(entry) for entry in self.entries()]

    def to_dataframe(self) -> pandas.DataFrame:
        """The entries as a pandas DataFrame, one row each (needs the ``pandas`` extra)."""
        return dataframe(self.records(), self.columns)


def dataframe(records: list[dict[str, Any]], columns: Sequence[str]) -> pandas.DataFrame:
    """A pandas DataFrame of plain records, or a clear error when pandas is not installed."""
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise CptkgError("to_dataframe() needs pandas: pip install 'cptkg[pandas]'") from None
    return pandas.DataFrame(records, columns=list(columns))
