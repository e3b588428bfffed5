"""The check rules: the queries of ``queries/checks/*-violation.rq`` and what their headers say."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from ..core.errors import InputError, ParameterError
from ..core.findings import Severity
from ..core.queries import NamedQuery
from ..core.queries import checks as check_catalog

#: Variables whose values are gathered across the rows of one finding, whatever the header says.
COLLECTED_PREFIXES = ("graph", "source")
#: Variables that only explain (the property through which a type holds): in the message, not in resources.
EXPLANATION_PREFIXES = ("via",)


@dataclass(frozen=True)
class Rule:
    """A check rule: a query of the check catalogue and what its header says."""

    query: NamedQuery

    @property
    def name(self) -> str:
        """The file name without ``-violation``: ``functional-property``."""
        return self.query.name.removesuffix("-violation")

    @property
    def severity(self) -> Severity:
        """How bad a violation is (its query's ``severity`` header)."""
        return Severity.parse(self.query.header["severity"])

    @property
    def title(self) -> str:
        """What the rule finds, in a line (its query's title)."""
        return self.query.title

    @property
    def why(self) -> str:
        """Why a violation matters (its query's ``why`` header)."""
        return self.query.header.get("why", "")

    @property
    def fix(self) -> str:
        """How to remove a violation of the rule (its query's ``fix`` header)."""
        return self.query.header.get("fix", "")

    @property
    def message(self) -> str:
        """The template of a finding's message (its query's ``message`` header, else the title); ``{variable}`` names a value of the row."""
        return self.query.header.get("message", self.title)

    @cached_property
    def collected(self) -> frozenset[str]:
        listed = self.query.header.get("collect", "")
        return frozenset(name.strip() for name in listed.split(",") if name.strip())

    def is_collected(self, variable: str) -> bool:
        """Whether the variable's values are gathered into one finding (the ``collect`` header, or a collected prefix) rather than telling findings apart."""
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
        try:
            if rule.severity is Severity.OK:
                raise ParameterError("a check rule reports a problem")
        except ParameterError as error:
            raise InputError(f"bad severity: {error}", path=named.path) from None
        found[rule.name] = rule
    return found
