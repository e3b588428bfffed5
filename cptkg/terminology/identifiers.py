"""CURIEs of outside terminologies: split, expanded and checked against the registry patterns."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..core.errors import InputError
from ..core.prefixes import PREFIXES

if TYPE_CHECKING:
    import curies


#: Local-identifier patterns by prefix: the Bioregistry patterns kept in the package prefix map.
IDENTIFIER_PATTERNS: dict[str, str] = {row.prefix: row.pattern for row in PREFIXES if row.pattern}
_NO_SPACE = re.compile(r"^\S+$")


def parse_curie(text: str, converter: curies.Converter | None = None) -> tuple[str, str, str]:
    """Check a CURIE against a prefix map; returns (prefix, local identifier, IRI).

    The prefix must be in the map (the package's by default) and the local identifier must match
    the prefix's registered pattern where cptkg knows it, and hold no white space otherwise.

    >>> parse_curie("MONDO:0005575")
    ('MONDO', '0005575', 'http://purl.obolibrary.org/obo/MONDO_0005575')
    >>> parse_curie("MONDO:5575")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: malformed identifier 'MONDO:5575': the local part '5575' does not match the MONDO pattern ^\\d{7}$
    >>> parse_curie("NOPE:1")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: unknown prefix 'NOPE' in 'NOPE:1'
    """
    from ..core.prefixes import converter as package_converter

    convert = converter or package_converter()
    value = str(text).strip()
    prefix, sep, local = value.partition(":")
    if not sep or not prefix or not local:
        raise InputError(f"malformed CURIE {text!r}: expected PREFIX:IDENTIFIER, such as MONDO:0005575")
    if not convert.has_prefix(prefix):
        raise InputError(f"unknown prefix {prefix!r} in {text!r}")
    prefix = convert.standardize_prefix(prefix) or prefix
    pattern = IDENTIFIER_PATTERNS.get(prefix)
    if pattern and not re.match(pattern, local):
        raise InputError(
            f"malformed identifier {text!r}: the local part {local!r} does not match the {prefix} pattern {pattern}"
        )
    if not _NO_SPACE.match(local) or any(c in local for c in '<>"{}|\\^`'):
        raise InputError(f"malformed identifier {text!r}: the local part holds a space or a character IRIs forbid")
    return prefix, local, convert.expand_pair(prefix, local)
