"""The rule families: one function per family of ``queries/claims/rules.tsv``, registered with
:func:`cptkg.claims.rules.family`. Importing this package registers them all."""

from . import basics, coverage, dates, diagnoses, modifiers, units

__all__ = ["basics", "coverage", "dates", "diagnoses", "modifiers", "units"]
