"""An independent cross-check: HermiT, a DL reasoner no one here wrote, agrees with ``cptkg check``.

owlready2 ships HermiT and runs it on this machine's Java, offline. It cannot read Turtle, so the
graph is written as N-Triples; HermiT rejects ``xsd:date`` unless told to ignore unsupported
datatypes. The shipped graph must be consistent for both; each deliberately inconsistent fixture
must be inconsistent for both (the fixtures of the OWL rules, where a DL reasoner has an opinion),
and a fixture that only breaks a quality rule must be consistent for both.
"""

from __future__ import annotations

import shutil

import pytest

import cptkg
from cptkg.checks import check

from .conftest import CASES

owlready2 = pytest.importorskip("owlready2")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime"),
]

#: The rules that decide OWL consistency (the others are domain and quality rules a DL reasoner cannot see).
OWL_RULES = ["disjoint-classes", "functional-property", "nothing", "datatype-range"]


def hermit_consistent(kg: cptkg.KnowledgeGraph, folder) -> bool:
    path = folder / "graph.nt"
    path.write_text(kg.export("n-triples", include=["data", "ontology"]), encoding="utf-8")
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load()
    try:
        with ontology:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, ignore_unsupported_datatypes=True, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False
    return True


@pytest.mark.parametrize(
    ("fixture", "consistent"),
    [(None, True), ("disjoint-classes", False), ("functional-property", False), ("nothing", False),
     ("datatype-range", False), ("ontology-missing-definition", True)],
)  # fmt: skip
def test_hermit_agrees_on_consistency(fixture, consistent, tmp_path):
    kg = cptkg.load(CASES / "checks" / f"{fixture}.ttl") if fixture else cptkg.load()
    ours = check(kg, only=OWL_RULES).consistent
    theirs = hermit_consistent(kg, tmp_path)
    assert ours == theirs == consistent
