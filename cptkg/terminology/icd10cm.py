"""ICD-10-CM codes: their shape and the categories above them (shared by mapping look-ups and claim checks)."""

from __future__ import annotations

import re

from ..core.errors import InputError

_ICD10CM = re.compile(r"^[A-Z][0-9][0-9AB](\.[0-9A-KXZ]{1,4})?$")


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
