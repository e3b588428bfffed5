"""No fact from memory: every statement of the data cites a source, and every identifier it states
can be found in the source it cites.

For each resource, the sources are the ``dcterms:source`` objects in the same named graph. An
identifier is an external IRI of a SKOS match or a literal of an identifying property; it must
appear (as a whole word) in the value or fact of a cited reference record, or in the seed text
when a seed section is cited.
"""

from __future__ import annotations

import math
import re
import sys

import pytest
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from cptkg.core.prefixes import CPTKG, curie

from .conftest import ROOT

C = Namespace(CPTKG)
FALDO = Namespace("http://biohackathon.org/resource/faldo#")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
MATCHES = {SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch}
IDENTIFYING = {
    SKOS.notation, C.refseqAccession, C.ensemblAccession, C.lcdNumber, C.articleNumber, C.ncdNumber,
    C.policyNumber, C.systemUri, C.oid, C.codeRangeStart, C.codeRangeEnd, C.cdsStart, C.cdsEnd,
    C.exonCount, C.cdsLength, C.proteinLength, C.codonNumber, C.exonNumber, C.referenceCodon,
    C.referenceResidue, C.patientAge, C.maxUnits, C.effectiveDate, C.chromosome, C.cytoband,
    # variant scope (ontology/variants.ttl): coordinates, bases, HGVS names, alleles, variant identifiers
    FALDO.position, C.plusStrandBase, C.codingStrandBase, C.genomeAssembly, C.chromosomeName,
    C.sequenceAccession, C.offsetValue, C.sameNumberingAs, C.aminoAcidSequence, C.hotspotName, C.hgvsCoding,
    C.hgvsProtein, C.referenceAllele, C.alternateAllele, C.clingenAlleleId, C.cosmicLegacyId, C.cosmicGenomicId,
    C.concernsHgvs,
    # sequence identifiers and verified coding sequence (ontology/variants.ttl)
    C.refgetAccession, C.transcriptRefgetAccession, C.genbankAccession, C.sequenceLength, C.assemblyAlias,
    C.codingStrandSequence, C.cdsInterbaseOffset,
}  # fmt: skip
SEED_TEXT = (ROOT / "reference" / "cpt-81311-overview.txt").read_text(encoding="utf-8")
THREE_LETTER = {"Gly": "G", "Gln": "Q"}


def data_graphs(kg):
    skip = {CPTKG + "graph-ontology", CPTKG + "graph-reference-records"}
    return [g for g in kg.dataset.graphs() if str(g.identifier).startswith(CPTKG) and str(g.identifier) not in skip]


def source_texts(kg, graph, subject) -> list[str]:
    texts = []
    for source in graph.objects(subject, DCTERMS.source):
        if (source, RDF.type, C.ReferenceRecord) in kg.dataset:
            texts += [str(o) for p in (C.referenceValue, C.referenceFact) for o in kg.dataset.objects(source, p)]
        elif str(source).startswith(CPTKG + "source-seed-"):
            texts.append(SEED_TEXT)
    return texts


def forms(value) -> list[str]:
    """The ways a value can be written in a source."""
    if isinstance(value, Literal) and value.datatype == XSD_DATE:
        d = value.toPython()
        return [d.isoformat(), d.strftime("%m/%d/%Y")]
    if isinstance(value, URIRef):
        compact = curie(value)
        return [compact.split(":", 1)[1]] if compact else [str(value)]
    if isinstance(value, Literal) and isinstance(value.toPython(), int) and not isinstance(value.toPython(), bool):
        # sources write large numbers with thousands separators, and offsets as "GRCh37 - 542,621"
        number = value.toPython()
        grouped = [f"{number:,}"] + ([f"- {-number:,}"] if number < 0 else [])
        return [str(number), *grouped]
    text = str(value)
    return [text, THREE_LETTER[text]] if text in THREE_LETTER else [text]


def appears(value, texts: list[str]) -> bool:
    return any(re.search(rf"(?<!\w)(?<!\d\.){re.escape(form)}(?!\w)(?!\.\d)", text) for form in forms(value) for text in texts)


def test_every_data_resource_cites_a_source_in_its_graph(kg):
    missing = []
    for graph in data_graphs(kg):
        for subject in set(graph.subjects()):
            if (subject, RDF.type, C.SourceGraph) in graph:
                assert list(graph.objects(subject, C.graphSource)), subject
            elif not list(graph.objects(subject, DCTERMS.source)):
                missing.append((curie(graph.identifier), curie(subject)))
    assert missing == []


def test_every_cited_source_exists(kg):
    known_types = {C.ReferenceRecord, C.SourceDocument}
    for graph in data_graphs(kg):
        for source in set(graph.objects(None, DCTERMS.source)):
            assert set(kg.dataset.objects(source, RDF.type)) & known_types, source


def test_every_identifier_is_found_in_a_cited_source(kg):
    unsupported = []
    for graph in data_graphs(kg):
        for subject, predicate, value in graph:
            identifying = (predicate in MATCHES and not str(value).startswith(CPTKG)) or predicate in IDENTIFYING
            if identifying and not appears(value, source_texts(kg, graph, subject)):
                unsupported.append((curie(graph.identifier), curie(subject), curie(predicate), str(value)))
    assert unsupported == []


def test_the_identifier_check_catches_an_invented_identifier(kg):
    graph = kg.dataset.graph(URIRef(CPTKG + "graph-gene-nomenclature"))
    texts = source_texts(kg, graph, C["gene-NRAS"])
    assert appears(URIRef("https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/7989"), texts)
    assert not appears(URIRef("https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/7988"), texts)
    assert not appears(Literal("798"), texts)


def test_exon_codon_ranges_follow_from_their_coding_positions(kg):
    for exon in kg.data.subjects(RDF.type, C.Exon):
        start, end = kg.data.value(exon, C.cdsStart), kg.data.value(exon, C.cdsEnd)
        if start is not None:
            assert kg.data.value(exon, C.firstCodon).toPython() == math.ceil(start.toPython() / 3)
            assert kg.data.value(exon, C.lastCodon).toPython() == math.ceil(end.toPython() / 3)


def test_unverified_records_back_only_data_gaps(kg):
    unverified = set(kg.dataset.subjects(C.verificationStatus, C["status-unverified"]))
    offenders = []
    for graph in data_graphs(kg):
        for subject, _, source in graph.triples((None, DCTERMS.source, None)):
            if source in unverified and (subject, RDF.type, C.DataGap) not in kg.dataset:
                offenders.append((curie(subject), curie(source)))
    assert offenders == []


def test_reference_records_are_in_step_with_the_tables():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import import_reference
    finally:
        sys.path.pop(0)
    assert import_reference.main(["--check"]) == 0


@pytest.mark.parametrize("table", ["nras-81311-facts.tsv", "cptkg-additional-facts.tsv"])
def test_every_reference_row_is_a_record(kg, table):
    rows = (ROOT / "reference" / table).read_text(encoding="utf-8").splitlines()[1:]
    records = set(kg.dataset.subjects(RDF.type, C.ReferenceRecord))
    assert len(rows) > 0 and len(records) >= len(rows)
