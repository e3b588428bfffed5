"""The OWL 2 DL view (``cptkg export --profile dl``) as DL tools read it: owlready2 sees the individuals,
HermiT (with no datatype left unsupported) finds the ontology consistent, and the OWL API that HermiT
ships reads it in strict mode within the OWL 2 DL profile, with only datatypes of its datatype map.

The plain export is read too, so that each check shows what the view changes (owlready2 counts no
individual in it, HermiT refuses its ``xsd:date``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cptkg.core.dl import OWL2_DATATYPES
from cptkg.core.prefixes import expand

from .conftest import ROOT

owlready2 = pytest.importorskip("owlready2")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="HermiT and the OWL API need a Java runtime"),
]
HERMIT_JAR = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"


@pytest.fixture(scope="module")
def dl_file(tmp_path_factory):
    from cptkg.cli import main

    target = tmp_path_factory.mktemp("dl") / "cptkg.owl"  # RDF/XML, by its extension
    assert main(["export", "--profile", "dl", "--output", str(target)]) == 0
    return target


@pytest.fixture(scope="module")
def plain_file(kg, tmp_path_factory):
    target = tmp_path_factory.mktemp("plain") / "cptkg.owl"
    target.write_text(kg.export("rdf-xml", include=["data", "ontology"]), encoding="utf-8")
    return target


def owlready(path: Path):
    world = owlready2.World()
    return world, world.get_ontology(path.as_uri()).load()


def hermit_consistent(world, ontology) -> bool:
    try:
        with ontology:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False
    return True


def test_owlready2_sees_the_individuals_with_their_classes_and_statement_sources(kg, dl_file, plain_file):
    world, ontology = owlready(dl_file)
    individuals = list(ontology.individuals())
    typed = kg.sparql("SELECT DISTINCT ?s WHERE { ?s a ?c . ?c a owl:Class FILTER(isIRI(?s)) }").records()
    expected = {expand(r["s"]) for r in typed}
    assert len(expected) > 400 and expected <= {i.iri for i in individuals}  # every typed resource is an individual
    code = world["https://w3id.org/cptkg/code-81311"]
    assert code in individuals and world["https://w3id.org/cptkg/BillingCode"] in code.is_a
    # a link's mapping record reaches owlready2's store (its own SPARQL engine finds the one record it was read in);
    # the OWL API test below shows the records are read as axiom annotations
    found = list(world.sparql("""
        SELECT ?source WHERE {
          ?record <http://www.w3.org/2002/07/owl#annotatedSource> <https://w3id.org/cptkg/indication-aml> ;
            <http://www.w3.org/2002/07/owl#annotatedProperty> <http://www.w3.org/2004/02/skos/core#exactMatch> ;
            <http://www.w3.org/2002/07/owl#annotatedTarget> <http://oncotree.mskcc.org/api/tumorTypes/search/code/AML> ;
            <http://purl.org/dc/terms/source> ?source }"""))
    assert [[row[0].iri] for row in found] == [["https://w3id.org/cptkg/ref-5-aml-snomed-ct-omim-icd-o-3-oncotree"]]
    _, plain = owlready(plain_file)
    assert list(plain.individuals()) == []  # what the view adds: without declarations owlready2 sees none


def test_hermit_finds_the_view_consistent_with_every_datatype_supported(dl_file, plain_file):
    assert hermit_consistent(*owlready(dl_file))
    with pytest.raises(owlready2.OwlReadyJavaError, match="XMLSchema#date"):  # the plain export: HermiT refuses xsd:date
        hermit_consistent(*owlready(plain_file))


def owl_api(path: Path) -> dict[str, list[str]]:
    done = subprocess.run(
        ["java", "-cp", str(HERMIT_JAR), str(ROOT / "tests" / "java" / "OwlApiCheck.java"), str(path)],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    lines: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        key, _, value = line.partition(" ")
        lines.setdefault(key, []).append(value)
    return lines


def test_the_owl_api_reads_the_view_strictly_in_the_owl2_dl_profile(dl_file, plain_file):
    read = owl_api(dl_file)
    assert set(read["map"]) == OWL2_DATATYPES  # the datatype map the view keeps to is the OWL API's own
    assert read.get("outside", []) == [] and read.get("violation", []) == []
    assert int(read["individuals"][0]) > 500
    assert int(read["annotated"][0]) >= 135 + 90  # every mapping record and statement source is an axiom annotation
    assert "http://www.w3.org/2001/XMLSchema#date" in owl_api(plain_file).get("outside", [])
