"""SHACL validation of the graph's instance data against the package shapes (``shapes/*.ttl``).

The shapes run on the *asserted* data. The ontology is never mixed into the data graph: a user
must never read a result about the ontology's own classes, properties or individuals. What the
shapes need from the TBox is only the class hierarchy (``sh:targetClass`` and ``sh:class`` follow
``rdfs:subClassOf`` in the data graph), so the validated graph is the data plus the ontology's
``rdfs:subClassOf`` triples between named classes, and nothing else of the ontology. Triples a
user's file repeats from the ontology (an export that included it) are left out of the data.

A result's severity says what to do about it: ``Violation`` breaks use of the data (the graph
does not conform), ``Warning`` is doubtful and worth a look, ``Info`` is a gap the sources admit.

>>> import cptkg
>>> report = cptkg.load().validate()
>>> report.conforms, report.counts()["Violation"], report.counts()["Warning"]
(True, 0, 0)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..core.errors import ParameterError
from ..core.graph import CoreGraph
from ..core.loading import load_graph
from .data import data_graph
from .report import COLUMNS, SEVERITIES, ValidationReport, ValidationResult, readable_results
from .shapes import flat_shapes, identifier_pattern

#: ``inference`` values: none (asserted data, the default) or an OWL-RL/RDFS closure first (slow).
INFERENCE = ("none", "rdfs", "owlrl")

__all__ = [
    "COLUMNS",
    "INFERENCE",
    "SEVERITIES",
    "ValidationReport",
    "ValidationResult",
    "identifier_pattern",
    "validate",
]


def validate(
    kg: CoreGraph,
    data: Iterable[str | Path] | None = None,
    inference: str = "none",
    input_format: str | None = None,
) -> ValidationReport:
    """SHACL-validate the graph's instance data (or the ``data`` files instead) against the package shapes.

    ``data`` files are read as :func:`cptkg.load` reads them (any RDF format, by extension or
    ``input_format``), with the package ontology. ``inference="rdfs"`` or ``"owlrl"`` validates the
    closure of data and ontology instead of the asserted data (much slower); the ontology's own
    resources are still never a result's focus.
    """
    import pyshacl

    if inference not in INFERENCE:
        raise ParameterError(f"unknown inference {inference!r}; expected one of {', '.join(INFERENCE)}")
    if data is not None:
        kg = load_graph(data=data, input_format=input_format, backend=kg.backend.name)
    graph = data_graph(kg.backend.quads(), inference=inference)
    shapes = flat_shapes(kg.shapes)
    _, report, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes.graph,
        inference="none",
        allow_warnings=True,  # warnings and infos do not break conformance; only violations do
        inplace=True,  # the graph is ours: no copy
        do_owl_imports=False,
    )
    return ValidationReport(readable_results(report, graph, shapes))
