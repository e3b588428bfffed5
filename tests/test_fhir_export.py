"""``cptkg export --format fhir``: a FHIR R4 Bundle read by ``fhir.resources``' R4B models, and held to the
FHIR rules a server applies when it loads a transaction.

What is checked, beyond the R4B models (structure, cardinalities, datatypes and their patterns):

* Bundle: bdl-3 (every transaction entry has a request), bdl-7 (fullUrl unique), bdl-8 (no
  version-specific fullUrl; here ``urn:uuid``), and the server's rule for ``PUT``: the request URL
  is ``<type>/<id>`` of the entry's resource, the id a FHIR id (``[A-Za-z0-9\\-\\.]{1,64}``);
* canonical URLs unique among the resources of a type (a server keeps one resource per canonical);
* ConceptMap cmd-1 (a ``narrower`` or ``inexact`` target SHALL have a comment), every element's code a
  concept of the source CodeSystem, every target system a URI from ``fhir-systems.tsv``;
* ValueSet vsd-1 and vsd-2 (an include names its system), CodeSystem csd-1 (codes unique);
* the computable names of cmd-0, vsd-0 and csd-0 (``[A-Z]([A-Za-z0-9_]){0,254}``).
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

import cptkg
from cptkg.terminology.fhir import EQUIVALENCE, bundle, fhir_systems

from .conftest import FIXTURES, ROOT

resources_r4b = pytest.importorskip("fhir.resources.R4B.bundle")

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
COMPUTABLE_NAME = re.compile(r"[A-Z]([A-Za-z0-9_]){0,254}")


@pytest.fixture(scope="module")
def document(kg):
    return bundle(kg)


@pytest.fixture(scope="module")
def with_policies():
    return bundle(cptkg.load(FIXTURES / "fhir" / "covering-policies.ttl"))


def resources(document, kind=None):
    return [e["resource"] for e in document["entry"] if kind is None or e["resource"]["resourceType"] == kind]


def test_the_r4b_models_read_the_bundle_and_give_it_back_unchanged(document, with_policies):
    from fhir.resources.R4B.bundle import Bundle

    for doc in (document, with_policies):
        model = Bundle.model_validate(doc)
        assert json.loads(model.model_dump_json(exclude_none=True)) == doc
        assert {type(e.resource).__name__ for e in model.entry} == {"ValueSet", "CodeSystem", "ConceptMap"}


@pytest.mark.parametrize("damage", ["r5-relationship", "no-equivalence", "bad-id"])
def test_the_r4b_models_refuse_a_broken_bundle(document, damage):
    """The check above can fail: R5's ``relationship`` in an R4 target, a target without its equivalence, a bad id."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    broken = json.loads(json.dumps(document))
    target = resources(broken, "ConceptMap")[0]["group"][0]["element"][0]["target"][0]
    if damage == "r5-relationship":
        target["relationship"] = target.pop("equivalence")
    elif damage == "no-equivalence":
        del target["equivalence"]
    else:
        broken["entry"][0]["resource"]["id"] = "not an id!"
    with pytest.raises(ValidationError):
        Bundle.model_validate(broken)


def test_a_server_loads_it_as_a_transaction_of_puts(document):
    assert document["type"] == "transaction"
    full_urls = [e["fullUrl"] for e in document["entry"]]
    assert len(set(full_urls)) == len(full_urls) and all(u.startswith("urn:uuid:") for u in full_urls)
    for entry in document["entry"]:
        resource = entry["resource"]
        assert FHIR_ID.fullmatch(resource["id"])
        assert entry["request"] == {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
        assert COMPUTABLE_NAME.fullmatch(resource["name"]), resource["name"]
    canonicals = Counter((r["resourceType"], r["url"]) for r in resources(document))
    assert max(canonicals.values()) == 1


def test_the_code_concept_has_the_cpt_system_uri_and_the_projects_own_label(kg, document):
    (codes,) = [r for r in resources(document, "ValueSet") if r["id"] == "cptkg-codes"]
    (include,) = codes["compose"]["include"]
    system = kg.sparql("SELECT ?uri WHERE { cptkg:codesystem-cpt cptkg:systemUri ?uri }").records()[0]["uri"]
    assert include["system"] == system == "http://www.ama-assn.org/go/cpt"
    own = {r["code"]: r["label"] for r in kg.query("codes").records()}
    assert {c["code"]: c["display"] for c in include["concept"]} == own
    assert set(include["concept"][0]) == {"code", "display"}  # the code and its own label, nothing else


def test_the_concept_map_holds_every_link_of_indications_and_genes_to_the_fhir_terminologies(kg, document):
    (concept_map,) = resources(document, "ConceptMap")
    (own,) = resources(document, "CodeSystem")
    systems = {s.system: s for s in fhir_systems().values()}
    own_codes = {c["code"] for c in own["concept"]}
    assert len(own_codes) == len(own["concept"])  # csd-1
    written = set()
    for group in concept_map["group"]:
        assert group["source"] == own["url"] and group["target"] in systems
        for element in group["element"]:
            assert element["code"] in own_codes
            for target in element["target"]:
                if target["equivalence"] in ("narrower", "inexact"):
                    assert target.get("comment"), target  # cmd-1
                written.add((element["code"], systems[group["target"]].prefix, target["code"], target["equivalence"]))
    expected = set()
    kinds = {r["resource"]: r["kind"] for r in kg.query("fhir-mapped-concepts").records()}
    wanted = {"cptkg:Indication": {"ICD10CM", "SNOMEDCT", "NCIT", "MONDO"}, "cptkg:Gene": {"HGNC"}}
    for row in kg.query("mappings").records():
        prefix = row["target"].split(":", 1)[0]
        if prefix in wanted.get(kinds.get(row["resource"]), ()):
            code = fhir_systems()[prefix].code_of(row["target"])
            expected.add((row["resource"].split(":", 1)[1], prefix, code, EQUIVALENCE[row["predicate"]]))
    assert written == expected
    assert ("indication-aml", "ICD10CM", "C92.0", "equivalent") in written
    assert ("gene-NRAS", "HGNC", "HGNC:7989", "equivalent") in written
    assert {prefix for _, prefix, _, _ in written} == {"ICD10CM", "SNOMEDCT", "NCIT", "MONDO", "HGNC"}


def test_each_fhir_system_uri_comes_from_a_named_source_recorded_in_reference():
    notes = (ROOT / "reference" / "fhir-terminology.md").read_text(encoding="utf-8")
    for system in fhir_systems().values():
        assert system.source.startswith("https://") and system.source in notes, system.prefix
        assert system.system in notes, system.prefix


def test_a_value_set_per_coverage_policy_with_the_icd10cm_codes_it_accepts(kg, document, with_policies):
    policies = {r["policy"] for r in kg.query("coverage-policy-icd10cm").records()}
    shipped = {r["id"] for r in resources(document, "ValueSet")} - {"cptkg-codes"}
    assert shipped == {p.split(":", 1)[1] for p in policies}
    for value_set in resources(with_policies, "ValueSet"):
        for include in value_set.get("compose", {}).get("include", []):
            assert include["system"] and include["concept"]  # vsd-1, vsd-2
    accepted = {
        r["id"]: {c["code"] for i in r.get("compose", {}).get("include", []) for c in i["concept"]}
        for r in resources(with_policies, "ValueSet")
    }
    assert accepted["policy-fixture-aml"] == {"C92.0", "C92.00", "C92.01", "C92.02"}
    assert accepted["policy-fixture-crc"] >= {"C18", "C18.7", "C19", "C20"}
    # MolDX covers metastatic colorectal cancer, which the graph maps to no ICD-10-CM code: said, not invented
    (moldx,) = [r for r in resources(document, "ValueSet") if r["id"] == "policy-lcd-L35073"]
    assert "compose" not in moldx and "no definition" in moldx["description"]


def test_export_command_writes_the_bundle_and_refuses_a_contradicting_extension(cli, tmp_path):
    target = tmp_path / "terminology.json"
    assert cli("export", "--format", "fhir", "--output", str(target)).code == 0
    assert json.loads(target.read_text())["resourceType"] == "Bundle"
    wrong = cli("export", "--format", "fhir", "--output", str(tmp_path / "terminology.ttl"))
    assert wrong.code == 2 and "fhir" in wrong.err and not (tmp_path / "terminology.ttl").exists()
