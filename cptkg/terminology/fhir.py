"""The graph's terminology as a FHIR R4 Bundle that a FHIR server loads as it is (``cptkg export --format fhir``).

The Bundle is a ``transaction`` of ``PUT`` requests (loading it twice changes nothing) holding:

* a ValueSet of the billing codes the graph describes in full, each with the code system's FHIR URI
  (CPT: ``http://www.ama-assn.org/go/cpt``, the graph's ``cptkg:systemUri``) and the project's own
  words as its display (a ValueSet concept's display is the value set's own text; no code set's
  descriptor is ever written);
* a CodeSystem of the cptkg concepts the mappings start from (indications and genes, by their
  local names in ``https://w3id.org/cptkg/``);
* a ConceptMap of their links to ICD-10-CM, SNOMED CT, NCIt, Mondo (indications) and HGNC (genes),
  one group per target system, the SKOS match as R4 ``equivalence`` (the correspondence sssom-py
  uses) and each element's comment naming the reference record it was read in;
* a ValueSet per coverage policy of the ICD-10-CM codes it accepts: those mapped to an indication
  it covers or to a kind of it (a policy whose indications the graph maps to no ICD-10-CM code gets a
  ValueSet without a definition that says so).

The FHIR system URIs of the target terminologies are data (``fhir-systems.tsv``), each with the
address it was read at.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections import defaultdict
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any, NamedTuple

from ..core.prefixes import CPTKG
from .mappings import mapping_set

if TYPE_CHECKING:
    from ..core.graph import CoreGraph

#: Where the Bundle's own resources live (their canonical URLs).
BASE = f"{CPTKG}fhir/"
#: The code system of cptkg's own concepts: a concept's code is its local name.
CPTKG_SYSTEM = CPTKG
#: SKOS match -> R4 ConceptMap equivalence (https://hl7.org/fhir/r4/codesystem-concept-map-equivalence.html),
#: as sssom-py 0.4 writes a mapping set to FHIR (sssom/writers.py, to_fhir_json).
EQUIVALENCE = {
    "skos:exactMatch": "equivalent",
    "skos:closeMatch": "inexact",
    "skos:broadMatch": "wider",
    "skos:narrowMatch": "narrower",
    "skos:relatedMatch": "relatedto",
}
#: Which kinds of cptkg concept the ConceptMap maps to which terminologies.
MAPPED = {"cptkg:Indication": ("ICD10CM", "SNOMEDCT", "NCIT", "MONDO"), "cptkg:Gene": ("HGNC",)}


class FhirSystem(NamedTuple):
    """A terminology as FHIR names it: its package prefix, FHIR system URI, code form and the address that says so."""

    prefix: str
    system: str
    #: "local" (the identifier after the prefix) or "curie" (the whole CURIE is the code)
    code: str
    source: str

    def code_of(self, curie: str) -> str:
        """The FHIR code of an identifier of this terminology.

        >>> fhir_systems()["ICD10CM"].code_of("ICD10CM:C92.0"), fhir_systems()["HGNC"].code_of("HGNC:7989")
        ('C92.0', 'HGNC:7989')
        """
        return curie if self.code == "curie" else curie.split(":", 1)[1]


@cache
def fhir_systems() -> dict[str, FhirSystem]:
    """The FHIR system of each terminology prefix the export maps to (``fhir-systems.tsv``)."""
    text = files(__package__).joinpath("fhir-systems.tsv").read_text(encoding="utf-8")
    rows = csv.reader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    assert next(rows) == ["prefix", "system", "code", "source"]
    return {row[0]: FhirSystem(*row) for row in rows}


def bundle(kg: CoreGraph) -> dict[str, Any]:
    """The terminology Bundle of the graph, as FHIR JSON (a dict)."""
    resources = [code_value_set(kg), own_code_system(kg), concept_map(kg), *policy_value_sets(kg)]
    return {
        "resourceType": "Bundle",
        "id": "cptkg-terminology",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, resource['url'])}",
                "resource": resource,
                "request": {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"},
            }
            for resource in resources
        ],
    }


def bundle_json(kg: CoreGraph) -> str:
    """The Bundle as FHIR JSON text."""
    return json.dumps(bundle(kg), indent=2, ensure_ascii=False) + "\n"


def validated(document: dict[str, Any]) -> Any:
    """The Bundle read by ``fhir.resources``' R4B models (the ``fhir`` extra): a model, or its ValidationError."""
    from fhir.resources.R4B.bundle import Bundle

    return Bundle.model_validate(document)


def _metadata(kind: str, local: str, name: str, title: str, description: str) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "id": local,
        "url": f"{BASE}{kind}/{local}",
        "name": name,
        "title": title,
        "status": "active",
        "experimental": False,
        "publisher": "cptkg project",
        "description": description,
    }


def code_value_set(kg: CoreGraph) -> dict[str, Any]:
    """The billing codes the graph describes, with their code system's FHIR URI and the project's own label."""
    by_system: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in kg.query("fhir-code-concepts").records():
        by_system[str(row["system_uri"])].append({"code": row["code"], "display": row["label"]})
    return {
        **_metadata(
            "ValueSet", "cptkg-codes", "CptkgCodes", "Billing codes in the cptkg knowledge graph",
            "The billing codes the cptkg graph describes in full. Displays are the cptkg project's own words, "
            "not the code set's descriptors (CPT is a registered trademark of the American Medical Association).",
        ),
        "compose": {"include": [{"system": system, "concept": concepts} for system, concepts in sorted(by_system.items())]},
    }


def _mapped_concepts(kg: CoreGraph) -> dict[str, tuple[str, str]]:
    """resource CURIE -> (label, kind) of the indications and genes."""
    found: dict[str, tuple[str, str]] = {}
    for row in kg.query("fhir-mapped-concepts").records():
        found.setdefault(row["resource"], (row["label"], row["kind"]))
    return found


def own_code_system(kg: CoreGraph) -> dict[str, Any]:
    """cptkg's own concepts that the ConceptMap starts from, coded by their local names."""
    concepts = [
        {"code": resource.split(":", 1)[1], "display": label}
        for resource, (label, _) in sorted(_mapped_concepts(kg).items())
    ]
    return {
        **_metadata(
            "CodeSystem", "cptkg-concepts", "CptkgConcepts", "cptkg indications and genes",
            "The indications and genes of the cptkg graph, coded by their local names "
            f"(the concept {CPTKG}indication-aml has the code indication-aml).",
        ),
        "url": CPTKG_SYSTEM,
        "caseSensitive": True,
        "content": "fragment",
        "concept": concepts,
    }


def concept_map(kg: CoreGraph) -> dict[str, Any]:
    """The indications' and genes' links to the FHIR terminologies, one group per target system."""
    concepts, systems = _mapped_concepts(kg), fhir_systems()
    groups: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for m in mapping_set(kg):
        prefix = m.object.split(":", 1)[0]
        if m.subject not in concepts or prefix not in MAPPED.get(concepts[m.subject][1], ()):
            continue
        label = concepts[m.subject][0]
        element = groups[prefix].setdefault(
            m.subject, {"code": m.subject.split(":", 1)[1], "display": label, "target": []}
        )
        target = {"code": systems[prefix].code_of(m.object), "equivalence": EQUIVALENCE[m.predicate]}
        target["comment"] = _comment(m)
        if target not in element["target"]:
            element["target"].append(target)
    return {
        **_metadata(
            "ConceptMap", "cptkg-mappings", "CptkgMappings", "cptkg indications and genes to other terminologies",
            "The links of the cptkg graph's indications (to ICD-10-CM, SNOMED CT, NCIt, Mondo) and genes (to HGNC), "
            "each read in the reference record its comment names.",
        ),
        "sourceUri": CPTKG_SYSTEM,
        "group": [
            {"source": CPTKG_SYSTEM, "target": systems[prefix].system, "element": list(elements.values())}
            for prefix, elements in sorted(groups.items(), key=lambda item: systems[item[0]].system)
        ],
    }


def _comment(m: Any) -> str:
    """What an element's target says about its link: the SKOS match, its justification and the record it was read in."""
    read = f"read in {m.source}" if m.source else "with no mapping record"
    return f"{m.predicate} in cptkg ({m.justification}), {read}"


def policy_value_sets(kg: CoreGraph) -> list[dict[str, Any]]:
    """A ValueSet per coverage policy: the ICD-10-CM codes mapped to the indications it covers or to kinds of them."""
    policies: dict[str, dict[str, Any]] = {}
    for row in kg.query("coverage-policy-icd10cm").records():
        entry = policies.setdefault(row["policy"], {"row": row, "indications": set(), "codes": set()})
        if row["indication_label"]:
            entry["indications"].add(row["indication_label"])
        if row["icd10cm"]:
            entry["codes"].add(fhir_systems()["ICD10CM"].code_of(row["icd10cm"]))
    return [_policy_value_set(policy, entry) for policy, entry in sorted(policies.items())]


def _policy_value_set(policy: str, entry: dict[str, Any]) -> dict[str, Any]:
    row, local = entry["row"], policy.split(":", 1)[1]
    covered = ", ".join(sorted(entry["indications"])) or "no indication the graph records"
    said = f"The ICD-10-CM codes {row['label']} ({row['payer_label'] or 'payer not recorded'}) accepts: those the cptkg graph maps to the indications it covers ({covered}) or to kinds of them."
    name = "Policy" + "".join(part.capitalize() for part in local.replace(".", "-").split("-"))
    resource = _metadata("ValueSet", local, name[:255], f"ICD-10-CM codes accepted by {row['label']}", said)
    if entry["codes"]:
        system = fhir_systems()["ICD10CM"].system
        resource["compose"] = {"include": [{"system": system, "concept": [{"code": c} for c in sorted(entry["codes"])]}]}
    else:
        resource["description"] = said + " The graph maps none of them to an ICD-10-CM code, so the value set has no definition."
    return resource
