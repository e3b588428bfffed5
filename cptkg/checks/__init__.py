"""Consistency checks: is the graph consistent, and if not, why — as findings a person can act on.

:func:`check` reasons over ontology and data (:mod:`cptkg.reasoning`, inferred triples kept in
their own named graph), then runs every rule of the check catalogue, ``queries/checks/*-violation.rq``,
on the closure. A rule is a SELECT query: zero rows means it passes; each row (rows that differ only
in their collected variables are merged) is one :class:`Finding`. The rule's header says what a
finding means:

.. code-block:: sparql

    # title: Functional property with two distinct values
    # severity: error                      (error | warning | info)
    # why: ...                             why it matters
    # fix: ...                             how to fix it
    # message: {resource} has two values of {property}: {value1} and {value2}
    # collect: value                       variables whose values are gathered, not told apart

In a finding, ``resources`` are the IRIs the row names (with their labels), and ``sources`` are
the ``dcterms:source`` of the resources that are data (not ontology terms), as stated in the
graphs of the conflicting statements when it is stated there, plus those named graphs: the values
of the variables named ``graph…`` or ``source…``. Variables named ``via…`` only explain (the
property through which a type holds) and appear in the message alone.

With the ``owlrl`` engine, each error owlrl reports (its ``err:ErrorMessage`` nodes) is a finding of
the rule ``owlrl``. owlrl is never relied on where it is blind: functional clashes, keys and datatype
ranges are SPARQL rules.

>>> import cptkg
>>> report = cptkg.load().check()
>>> report.consistent, report.exit_status
(True, 0)
"""

from .report import CheckReport, Finding, Term
from .rules import Rule, rules
from .run import OWLRL_RULE, check

__all__ = ["OWLRL_RULE", "CheckReport", "Finding", "Rule", "Term", "check", "rules"]
