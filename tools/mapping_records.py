"""Write the first version of the mapping records: one record per link of the graph to another terminology.

    python tools/mapping_records.py            # write data/<folder>/mapping-records.ttl (never over an existing file)
    python tools/mapping_records.py --review   # only list the links that no single cited record names

For each link (a SKOS match from a cptkg resource, or a subclass link from an ontology class to an
outside class) the tool picks the one reference record, among those the stating graph cites for the
resource, whose value or fact text names the link's target identifier as a whole word. A link that
no record names, or that several name, is written with every candidate and a ``# REVIEW`` comment:
the maintainers resolve it by reading the reference facts and edit the file. From then on the files
are the data, edited by hand; this tool only made their first version.

Each record is an OWL axiom annotation of the link (``owl:Axiom`` with ``owl:annotatedSource``,
``owl:annotatedProperty``, ``owl:annotatedTarget``), with SSSOM's RDF properties: the SEMAPV
justification, the author, the date the link entered the repository (the first commit of the
stating file that holds the target, from ``git log -S``), and ``dcterms:source``, the record.
A link read through Mondo's mapping files to a non-Mondo identifier is ``semapv:MappingChaining``
(the resource was matched to the Mondo term, Mondo maps that term on); every other link is
``semapv:ManualMappingCuration``. No record carries a confidence: no reference row gives one.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rdflib import RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

import cptkg
from cptkg.core.prefixes import CPTKG, NAMESPACES, curie
from cptkg.core.resources import ONTOLOGY_GRAPH
from cptkg.terminology.mappings import names_identifier

MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
REFERENCE_VALUE, REFERENCE_FACT = URIRef(CPTKG + "referenceValue"), URIRef(CPTKG + "referenceFact")
RECORDS_FILE = "mapping-records.ttl"
AUTHOR = "cptkg:agent-cptkg-contributors"
MONDO_MAPPINGS = "monarch-initiative/mondo"


@dataclass
class Link:
    subject: str
    predicate: str
    target: str
    path: Path
    cited: list[str]
    candidates: list[str] = field(default_factory=list)
    date: str = ""
    justification: str = "semapv:ManualMappingCuration"

    @property
    def record(self) -> str:
        slug = "-".join((self.subject.split(":", 1)[1], self.predicate.split(":", 1)[1], self.target))
        return "cptkg:mapping-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", slug).strip("-.")


def term(value: str) -> str:
    """A CURIE as Turtle writes it: a prefixed name (with ``/`` escaped), or the IRI in brackets."""
    prefix, _, local = value.partition(":")
    if prefix in NAMESPACES and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./-]*(?<!\.)", local):
        return f"{prefix}:{local.replace('/', chr(92) + '/')}"
    return f"<{NAMESPACES[prefix] + local if prefix in NAMESPACES else value}>"


def record_texts(kg: cptkg.KnowledgeGraph) -> dict[str, str]:
    texts: dict[str, list[str]] = defaultdict(list)
    for predicate in (REFERENCE_VALUE, REFERENCE_FACT):
        for record, text in kg.dataset.subject_objects(predicate):
            texts[curie(record)].append(str(text))
    return {record: "\n".join(parts) for record, parts in texts.items()}


def links(kg: cptkg.KnowledgeGraph) -> list[Link]:
    """Every link of the packaged files, with the stating file and the records the stating graph cites."""
    found = []
    for source in kg.sources:
        if source.path.name == RECORDS_FILE:
            continue
        graph = Graph()
        graph.parse(source.path)
        for predicate in MATCHES:
            for subject, target in graph.subject_objects(predicate):
                if str(subject).startswith(CPTKG) and not str(target).startswith(CPTKG):
                    cited = sorted(curie(c) for c in graph.objects(subject, DCTERMS.source))
                    found.append(Link(curie(subject), curie(predicate), curie(target), source.path, cited))
        if source.graph == ONTOLOGY_GRAPH:
            for subject, target in graph.subject_objects(RDFS.subClassOf):
                if str(subject).startswith(CPTKG) and isinstance(target, URIRef) and not str(target).startswith(CPTKG):
                    cited = sorted(curie(c) for c in graph.objects(target, DCTERMS.source))
                    if cited:
                        found.append(Link(curie(subject), "rdfs:subClassOf", curie(target), source.path, cited))
    return sorted(found, key=lambda link: (link.subject, link.predicate, link.target))


def first_commit_date(link: Link) -> str:
    """The day the stating file first held the target (``git log -S``), or the file's first day."""
    relative = link.path.relative_to(ROOT).as_posix()
    for needle in (term(link.target), link.target, None):
        command = ["git", "log", "--reverse", "--format=%ad", "--date=short"]
        command += ([f"-S{needle}"] if needle else []) + ["--", relative]
        days = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
        if days:
            return days[0]
    raise SystemExit(f"{relative} is not in git history; commit it first")


def judge(kg: cptkg.KnowledgeGraph, found: list[Link]) -> None:
    texts = record_texts(kg)
    citations = {curie(r): str(c) for r, c in kg.dataset.subject_objects(DCTERMS.bibliographicCitation)}
    for link in found:
        prefix, _, local = link.target.partition(":")
        link.candidates = [r for r in link.cited if names_identifier(local, texts.get(r, ""))]
        chained = prefix != "MONDO" and all(MONDO_MAPPINGS in citations.get(r, "") for r in link.candidates)
        if link.candidates and chained:
            link.justification = "semapv:MappingChaining"
        link.date = first_commit_date(link)


HEADER = """@prefix cptkg: <https://w3id.org/cptkg/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix pav: <http://purl.org/pav/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix semapv: <https://w3id.org/semapv/vocab/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sssom: <https://w3id.org/sssom/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def write(found: list[Link], folder: str) -> str:
    used = sorted({link.target.split(":")[0] for link in found} - {"cptkg", "rdfs", "skos"})
    lines = [HEADER.rstrip("\n")] + [f"@prefix {p}: <{NAMESPACES[p]}> ." for p in used]
    lines += ["", "# One mapping record per link of this folder's files: first written by tools/mapping_records.py,"]
    lines += ["# then reviewed by hand (see the REVIEW notes' resolutions in rdfs:comment).", ""]
    for link in found:
        if len(link.candidates) != 1:
            lines.append(f"# REVIEW: {len(link.candidates)} of the cited records name {link.target}; cited: {link.cited}")
        sources = ", ".join(link.candidates or link.cited)
        lines += [
            f"{link.record} a owl:Axiom ;",
            f"    owl:annotatedSource {link.subject} ;",
            f"    owl:annotatedProperty {link.predicate} ;",
            f"    owl:annotatedTarget {term(link.target)} ;",
            f"    sssom:mapping_justification {link.justification} ;",
            f"    dcterms:source {sources} ;",
            f"    pav:authoredBy {AUTHOR} ;",
            f'    dcterms:created "{link.date}"^^xsd:date .',
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--review", action="store_true", help="only list the links without a single naming record")
    args = parser.parse_args(argv)
    kg = cptkg.load()
    found = links(kg)
    judge(kg, found)
    for link in found:
        if len(link.candidates) != 1:
            print(f"REVIEW {link.subject} {link.predicate} {link.target}: naming {link.candidates}, cited {link.cited}")
    print(f"{len(found)} links, {sum(len(link.candidates) == 1 for link in found)} with one naming record")
    if args.review:
        return 0
    by_folder: dict[str, list[Link]] = defaultdict(list)
    for link in found:
        by_folder["common" if link.path.parent.name == "ontology" else link.path.parent.name].append(link)
    for folder, folder_links in sorted(by_folder.items()):
        path = ROOT / "data" / folder / RECORDS_FILE
        if path.exists():
            print(f"{path.relative_to(ROOT)} exists: the records are edited by hand now; not overwritten")
            continue
        path.write_text(write(folder_links, folder), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(folder_links)} records)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
