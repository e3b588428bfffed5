"""ICD-10-CM codes: their shape and the categories above them (shared by mapping look-ups and claim checks)."""

from __future__ import annotations

import re

from ..core.errors import InputError

_ICD10CM = re.compile(r"^[A-Z][0-9][0-9AB](\.[0-9A-KXZ]{1,4})?$")
#: The form electronic claims carry: the same characters without the point (C9200 for C92.00).
_DECIMAL_FREE = re.compile(r"^([A-Z][0-9][0-9AB])([0-9A-KXZ]{1,4})$")


def icd10cm_with_point(code: str) -> str | None:
    """The code with its point when it is written without one (``C9200``), else None.

    >>> icd10cm_with_point("C9200"), icd10cm_with_point("c187"), icd10cm_with_point("C92.00"), icd10cm_with_point("C20")
    ('C92.00', 'C18.7', None, None)
    """
    found = _DECIMAL_FREE.match(code.strip().upper())
    return f"{found[1]}.{found[2]}" if found else None


def icd10cm_lineage(code: str) -> list[str]:
    """An ICD-10-CM code and the categories above it, most specific first.

    >>> icd10cm_lineage("C92.00")
    ['C92.00', 'C92.0', 'C92']
    >>> icd10cm_lineage("c18.7")
    ['C18.7', 'C18']
    >>> icd10cm_lineage("C20")
    ['C20']
    >>> icd10cm_lineage("18.7")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: '18.7' is not an ICD-10-CM code (a letter, two characters, then optionally a dot and up to four)
    """
    value = code.strip().upper().removeprefix("ICD10CM:")
    if not _ICD10CM.match(value):
        raise InputError(
            f"{code!r} is not an ICD-10-CM code (a letter, two characters, then optionally a dot and up to four)"
        )
    category, _, rest = value.partition(".")
    return [f"{category}.{rest[:n]}" for n in range(len(rest), 0, -1)] + [category]
