"""Fault detection, measured: faults seeded one at a time into a copy of the shipped graph must each
be reported by ``validate`` or ``check``, naming the faulty resource.

The cases are data (``tests/cases/faults.json``): a kind, a SPARQL UPDATE that seeds the fault into a
TriG export of the shipped graph, and the CURIE that must be named. A fault counts as detected when
the faulty graph has a validation result (Violation or Warning) or a check finding (error or warning)
that the clean graph does not have and that names the resource (as focus, value, finding resource, or
in the message). The detection rate over all cases is printed and must be 100 %.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pyoxigraph as ox
import pytest

import cptkg
from cptkg.core.prefixes import sparql_prologue

from .conftest import CASES

FAULTS = json.loads((CASES / "faults.json").read_text(encoding="utf-8"))["faults"]
SERIOUS_RESULTS = {"Violation", "Warning"}
SERIOUS_FINDINGS = {"error", "warning"}


@dataclass(frozen=True)
class Reported:
    """What the two tools say about a graph.

    Reports are compared on what they are about (rule or shape, resources), not on their wording: a
    fault that only changes a label shown in an old finding's message does not count as detected.
    """

    results: dict[tuple, str]  # (severity, shape, focus, path, value) of validate -> its message
    findings: dict[tuple, str]  # (severity, rule, resources) of check -> its message

    def naming(self, resource: str, clean: Reported) -> list[str]:
        """The new serious reports that name ``resource``, as one-line descriptions."""
        named = [
            f"validate {severity} {shape} on {focus}: {message}"
            for (severity, shape, focus, path, value), message in self.results.items()
            if (severity, shape, focus, path, value) not in clean.results
            and severity in SERIOUS_RESULTS
            and (resource in (focus, value) or mentions(message, resource))
        ]
        named += [
            f"check {severity} {rule}: {message}"
            for (severity, rule, resources), message in self.findings.items()
            if (severity, rule, resources) not in clean.findings
            and severity in SERIOUS_FINDINGS
            and (resource in resources or mentions(message, resource))
        ]
        return sorted(named)


def mentions(message: str, resource: str) -> bool:
    """Whether ``message`` names the CURIE ``resource`` as a whole word (not a longer CURIE's prefix).

    >>> mentions("cptkg:codon-NRAS-61 (NRAS codon 61) lies in", "cptkg:codon-NRAS-61")
    True
    >>> mentions("cptkg:codon-NRAS-610 lies in", "cptkg:codon-NRAS-61")
    False
    """
    return re.search(rf"(?<![\w:-]){re.escape(resource)}(?![\w-])", message) is not None


def reported(kg: cptkg.KnowledgeGraph) -> Reported:
    results = {(r.severity, r.shape, r.focus, r.path, str(r.value)): r.message for r in kg.validate().results}
    findings = {(f.severity, f.rule, tuple(term.id for term in f.resources)): f.message for f in kg.check()}
    return Reported(results, findings)


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> bytes:
    return cptkg.load().export("trig").encode("utf-8")


@pytest.fixture(scope="module")
def clean(export, tmp_path_factory) -> Reported:
    path = tmp_path_factory.mktemp("clean") / "graph.trig"
    path.write_bytes(export)
    return reported(cptkg.load(data=[path]))


def quads_of(export: bytes, update: str = "") -> ox.Store:
    """The export in a store, with ``update`` (a SPARQL UPDATE with the package prefixes) applied."""
    store = ox.Store()
    store.load(export, format=ox.RdfFormat.TRIG)
    if update:
        store.update(sparql_prologue() + update)
    return store


DETECTED: dict[str, list[str]] = {}


def test_the_cases_are_many_distinct_and_well_formed():
    kinds = [fault["kind"] for fault in FAULTS]
    assert len(kinds) >= 30
    assert len(set(kinds)) == len(kinds)
    for fault in FAULTS:
        assert set(fault) == {"kind", "resource", "update"}, fault["kind"]
        assert ":" in fault["resource"]


def test_the_clean_graph_conforms_and_is_consistent(clean):
    assert not [key for key in clean.results if key[0] == "Violation"]
    assert not [key for key in clean.findings if key[0] == "error"]


@pytest.mark.parametrize("fault", FAULTS, ids=[fault["kind"] for fault in FAULTS])
def test_each_seeded_fault_is_reported_naming_its_resource(fault, export, clean, tmp_path):
    faulty = quads_of(export, fault["update"])
    # the update really changed the graph: a fault that seeds nothing would pass vacuously
    assert set(faulty) != set(quads_of(export)), f"{fault['kind']}: the update changed nothing"
    path = tmp_path / "faulty.trig"
    path.write_bytes(faulty.dump(format=ox.RdfFormat.TRIG))
    named = reported(cptkg.load(data=[path])).naming(fault["resource"], clean)
    DETECTED[fault["kind"]] = named
    assert named, f"{fault['kind']}: neither validate nor check names {fault['resource']}"


def test_detection_rate_is_every_seeded_fault():
    """Runs after the parametrised cases (file order): prints the rate over the cases that ran."""
    if len(DETECTED) < len(FAULTS):
        pytest.skip("run the whole module to measure the detection rate")
    caught = sorted(kind for kind, named in DETECTED.items() if named)
    print(f"\nfault detection: {len(caught)}/{len(FAULTS)} = {len(caught) / len(FAULTS):.0%}")
    for kind in sorted(DETECTED):
        print(f"  {kind}: {' | '.join(DETECTED[kind]) if DETECTED[kind] else 'NOT DETECTED'}")
    assert len(caught) == len(FAULTS)


def test_the_mapping_prefix_rule_lists_exactly_the_prefix_map_namespaces():
    """``queries/checks/mapping-prefix-violation.rq`` holds the namespaces as data; keep it equal to the map."""
    from cptkg.checks import rules
    from cptkg.core.prefixes import NAMESPACES

    text = rules()["mapping-prefix"].query.text
    values = text[text.index("VALUES ?namespace {") : text.index("}", text.index("VALUES ?namespace {"))]
    assert set(re.findall(r'"([^"]+)"', values)) == set(NAMESPACES.values())
