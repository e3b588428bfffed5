"""Generate a knowledge graph of N codes shaped like the shipped one, for the benchmark suite.

    python benchmarks/generate.py 100 /tmp/cptkg-bench/codes-100         # 100 codes
    cptkg --load /tmp/cptkg-bench/codes-100/codes check                   # the graph as cptkg loads it

Code 0 is the real CPT 81311 with everything shipped (``data/``). Codes 1..N-1 are synthetic
look-alikes copied from ``data/81311/``, one folder per code (``codes/X0001/seed-X0001.ttl``,
``variants.ttl``, ``moldx.ttl`` ...; the file names give the named graphs, as in ``data/``), so
every shape, check and named query of the package runs on them:

* resources of one code (the code, its gene, transcript, protein, exons, codons, hotspot variants,
  workflow steps, scenario, data gaps, billing guidance) are renamed per code: ``code-81311``
  becomes ``code-X0001``, ``gene-NRAS`` ``gene-SYN1``, ``workflow-81311`` ``workflow-X0001``;
  literals of renamed resources have ``81311`` and ``NRAS`` replaced the same way (notations
  ``X0001``: HCPCS-shaped, and no real code starts with X);
* resources that real codes share stay shared hubs, each code linked to them as 81311 is: the
  indications with their terminology mappings (tests of many genes share a disease), sites of
  service, laboratory roles, methods, specimens, service components, clinical purposes, payers and
  their coverage policies (one policy applies to every code), the code system, the reference
  records and seed sections every statement cites (``dcterms:source``);
* the FALDO genomic coordinates (``genomic-coordinates.ttl``) are real NRAS positions and are not
  copied: synthetic genes have none (about 800 triples per synthetic code).

With ``defects`` (the default), every tenth synthetic code (1, 11, 21 ...) carries four
inconsistencies of the kinds the reasoning issue lists, in its seed graph: its gene also typed
``Exon`` (disjoint classes, which owlrl reports), its codon 12 ``inExon`` both exons (a functional
object property: owlrl silently merges the exons), exon 3 with a second ``exonNumber`` (a
functional datatype property: owlrl silently equates the literals), and codon 61's ``codonNumber``
as the string ``"61"`` (a datatype range clash: owlrl silent). :data:`DEFECT_KINDS` names them.

Beside ``codes/``, the folder gets ``all.ttl`` (ontology, shipped data and the synthetic codes in one
Turtle file, what a user of rdflib, owlrl or pyshacl would hand them), ``shapes.ttl`` (every package
shape in one file, for the pyshacl command line) and ``manifest.json`` (sizes, defects).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cptkg.core.prefixes import CPTKG, NAMESPACES
from cptkg.core.resources import data_sources, folder, ontology_sources, shape_sources

SIZES = (1, 10, 100, 1000)
#: The real code every synthetic one is copied from, and its gene.
TEMPLATE_CODE, TEMPLATE_GENE = "81311", "NRAS"
#: Files of the template not copied to synthetic codes (real NRAS positions).
NOT_COPIED = frozenset({"genomic-coordinates.ttl"})
#: Local-name prefixes of resources real codes share (hubs): copied once, never renamed.
HUB_PREFIXES = (
    "site-", "role-", "method-", "specimen-", "component-", "purpose-", "policy-", "payer-",
    "modifier-", "codesystem-", "chromosome-", "graph-", "source-", "ref-", "indication-",
)  # fmt: skip
#: The inconsistencies a defective code carries (see the module docstring).
DEFECT_KINDS = ("disjoint-classes", "functional-object-property", "functional-datatype-property", "datatype-range")

_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def notation(index: int) -> str:
    """The notation of synthetic code ``index`` (0 is the template itself).

    >>> notation(0), notation(7), notation(999)
    ('81311', 'X0007', 'X0999')
    """
    return TEMPLATE_CODE if index == 0 else f"X{index:04d}"


def symbol(index: int) -> str:
    """The gene symbol of synthetic code ``index``.

    >>> symbol(0), symbol(12)
    ('NRAS', 'SYN12')
    """
    return TEMPLATE_GENE if index == 0 else f"SYN{index}"


def has_defects(index: int) -> bool:
    """Every tenth synthetic code carries the defects: 1, 11, 21 ...

    >>> [i for i in range(25) if has_defects(i)]
    [1, 11, 21]
    """
    return index % 10 == 1


def _template() -> dict[str, list[ox.Triple]]:
    """The template code's triples by file name."""
    base = folder("data") / TEMPLATE_CODE
    return {
        path.name: list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        for path in sorted(base.glob("*.ttl"))
        if path.name not in NOT_COPIED
    }


def _renamed_subjects(template: dict[str, list[ox.Triple]]) -> set[str]:
    """The template's resources that belong to the code alone: subjects of its files, not hubs, not shared."""
    shared = {
        t.subject.value
        for source in ontology_sources() + [s for s in data_sources() if TEMPLATE_CODE not in s.path.parts]
        for t in ox.parse(path=str(source.path))
        if isinstance(t.subject, ox.NamedNode)
    }
    own = set()
    for triples in template.values():
        for t in triples:
            if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(CPTKG):
                local = t.subject.value[len(CPTKG) :]
                hub = local.startswith(HUB_PREFIXES) and TEMPLATE_CODE not in local and TEMPLATE_GENE not in local
                if not hub and t.subject.value not in shared:
                    own.add(t.subject.value)
    # A resource about shared ones only (a data gap about the MolDX policies) exists once in a real
    # graph; copied per code, every code would see every copy through the shared resource.
    linked = {
        node.value
        for triples in template.values()
        for t in triples
        if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)
        and t.subject.value != t.object.value and (t.subject.value in own) and (t.object.value in own)
        for node in (t.subject, t.object)
    }  # fmt: skip
    return own & linked


_ANNOTATED_SOURCE = "http://www.w3.org/2002/07/owl#annotatedSource"


class Renamer:
    """Renames the template's own resources and their literals for synthetic code ``index``."""

    def __init__(self, index: int, own: set[str]) -> None:
        self.index, self.own = index, own
        self.code, self.gene = notation(index), symbol(index)

    def text(self, value: str) -> str:
        return (
            value.replace(TEMPLATE_CODE, self.code)
            .replace(TEMPLATE_GENE, self.gene)
            .replace(TEMPLATE_GENE.lower(), self.gene.lower())
        )

    def iri(self, value: str) -> str:
        if value not in self.own:
            return value
        local = value[len(CPTKG) :]
        renamed = self.text(local)
        return CPTKG + (renamed if renamed != local else f"{local}-{self.code.lower()}")

    def term(self, term):
        if isinstance(term, ox.NamedNode):
            return ox.NamedNode(self.iri(term.value))
        if isinstance(term, ox.Literal):
            if term.language:
                return ox.Literal(self.text(term.value), language=term.language)
            return ox.Literal(self.text(term.value), datatype=term.datatype)
        return term  # blank nodes are scoped to their file

    def triples(self, triples: list[ox.Triple]) -> Iterator[ox.Triple]:
        """The code's own triples renamed; triples only about hubs are left to the template's files, and
        so are the axiom annotations (mapping records, statement sources) of a shared resource's
        statements: a real graph holds them once, not once per code."""
        shared_axioms = {
            t.subject
            for t in triples
            if t.predicate.value == _ANNOTATED_SOURCE
            and not (isinstance(t.object, ox.NamedNode) and t.object.value in self.own)
        }
        for t in triples:
            subject_own = isinstance(t.subject, ox.NamedNode) and t.subject.value in self.own
            object_own = isinstance(t.object, ox.NamedNode) and t.object.value in self.own
            if not (subject_own or object_own or isinstance(t.subject, ox.BlankNode)) or t.subject in shared_axioms:
                continue
            subject = self.term(t.subject)
            obj = self.term(t.object) if subject_own or not isinstance(t.object, ox.Literal) else t.object
            yield ox.Triple(subject, t.predicate, obj)

    def defects(self) -> list[ox.Triple]:
        """The four inconsistencies of a defective code (:data:`DEFECT_KINDS`), as triples to add."""
        node = lambda local: ox.NamedNode(self.iri(CPTKG + local))
        gene, exon3 = (
            node(f"gene-{TEMPLATE_GENE}"),
            node(f"exon-{TEMPLATE_GENE}-3"),
        )
        codon12 = node(f"codon-{TEMPLATE_GENE}-12")
        return [
            ox.Triple(gene, _RDF_TYPE, ox.NamedNode(CPTKG + "Exon")),
            ox.Triple(codon12, ox.NamedNode(CPTKG + "inExon"), exon3),
            ox.Triple(exon3, ox.NamedNode(CPTKG + "exonNumber"), ox.Literal("5", datatype=_XSD_INTEGER)),
        ]

    def is_codon61_number(self, triple: ox.Triple) -> bool:
        return (
            triple.predicate.value == CPTKG + "codonNumber"
            and isinstance(triple.subject, ox.NamedNode)
            and triple.subject.value == self.iri(CPTKG + f"codon-{TEMPLATE_GENE}-61")
        )


def _prefixes() -> dict[str, str]:
    return {prefix: iri for prefix, iri in NAMESPACES.items() if re.fullmatch(r"[A-Za-z][\w.-]*", prefix)}


def generate(codes: int, out: Path, *, defects: bool = True, merged: bool = True) -> dict:
    """Write the graph of ``codes`` codes into ``out`` (see the module docstring); returns the manifest."""
    if codes < 1:
        raise ValueError("at least one code (the template)")
    out.mkdir(parents=True, exist_ok=True)
    (out / "codes").mkdir(exist_ok=True)
    template = _template()
    own = _renamed_subjects(template)
    prefixes = _prefixes()
    synthetic_triples = 0
    defective = []
    for index in range(1, codes):
        renamer = Renamer(index, own)
        target = out / "codes" / renamer.code
        target.mkdir(exist_ok=True)
        broken = defects and has_defects(index)
        for name, triples in template.items():
            renamed = list(renamer.triples(triples))
            if broken:  # codon 61's number as a string wherever it is stated; the other defects in the seed graph
                renamed = [
                    ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value)) if renamer.is_codon61_number(t) else t
                    for t in renamed
                ] + (renamer.defects() if name.startswith("seed-") else [])
            if not renamed:  # a file only about hubs (the template's files already say it)
                continue
            synthetic_triples += len(renamed)
            ox.serialize(
                renamed, output=str(target / renamer.text(name)), format=ox.RdfFormat.TURTLE, prefixes=prefixes
            )
        if broken:
            defective.append(renamer.code)
    manifest = {
        "codes": codes,
        "synthetic_codes": codes - 1,
        "synthetic_triples": synthetic_triples,
        "defective_codes": defective,
        "defect_kinds": list(DEFECT_KINDS) if defective else [],
        "load": f"cptkg --load {out / 'codes'}",
    }
    if merged:
        manifest.update(write_merged(out))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def source_files(out: Path) -> list[Path]:
    """Every data file of the generated graph: the shipped data plus the synthetic codes.

    ``cptkg.load(data=source_files(out))`` is the same graph as ``cptkg.load(out / "codes")``.
    """
    return [source.path for source in data_sources()] + sorted((out / "codes").rglob("*.ttl"))


def write_merged(out: Path) -> dict:
    """``all.ttl`` (ontology and every data file, distinct triples) and ``shapes.ttl`` in ``out``."""
    store = ox.Store()
    for path in [s.path for s in ontology_sources()] + source_files(out):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)  # into the default graph: one set of triples
    prefixes = _prefixes()
    ox.serialize((q.triple for q in store), output=str(out / "all.ttl"), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    shapes = [t for source in shape_sources() for t in ox.parse(path=str(source.path))]
    ox.serialize(shapes, output=str(out / "shapes.ttl"), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return {"triples": len(store), "all_ttl_mib": round((out / "all.ttl").stat().st_size / 2**20, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codes", type=int, help="how many codes (1 is the shipped graph)")
    parser.add_argument("output", type=Path, help="the folder to write")
    parser.add_argument("--no-defects", action="store_true", help="leave out the injected inconsistencies")
    args = parser.parse_args(argv)
    manifest = generate(args.codes, args.output, defects=not args.no_defects)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
