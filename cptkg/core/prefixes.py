"""The one prefix map of the package.

Everything that writes or reads a CURIE goes through :data:`PREFIXES`: the Turtle the package
serialises, the ``PREFIX`` declarations named queries are parsed with, and the CURIEs that query
results, reports and findings show.

Each external prefix is the Bioregistry record named beside it, with Bioregistry's URI prefix; the
test suite checks every row against the registry so that no prefix is invented. The spelling of the
prefix is the usual one in clinical and OBO data (``HGNC``, ``ICD10CM``, ``MONDO``), each a form the
registry accepts for the record.

>>> curie("https://w3id.org/cptkg/code-81311")
'cptkg:code-81311'
>>> curie("http://purl.obolibrary.org/obo/MONDO_0005012")
'MONDO:0005012'
>>> expand("HGNC:7989")
'https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/7989'
>>> curie("http://example.org/unknown") is None
True
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .errors import InputError

if TYPE_CHECKING:
    import curies

CPTKG = "https://w3id.org/cptkg/"


class Prefix(NamedTuple):
    prefix: str
    uri_prefix: str
    #: The Bioregistry prefix this row stands for, or None for the package's own namespace.
    bioregistry: str | None
    #: The registry's pattern for local identifiers, where it has one (checked by tests/test_prefixes.py).
    pattern: str | None = None


PREFIXES: tuple[Prefix, ...] = (
    Prefix("cptkg", CPTKG, None),
    # W3C and other vocabularies of the graph's structure
    Prefix("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"),
    Prefix("rdfs", "http://www.w3.org/2000/01/rdf-schema#", "rdfs"),
    Prefix("owl", "http://www.w3.org/2002/07/owl#", "owl"),
    Prefix("xsd", "http://www.w3.org/2001/XMLSchema#", "xsd"),
    Prefix("skos", "http://www.w3.org/2004/02/skos/core#", "skos"),
    Prefix("dcterms", "http://purl.org/dc/terms/", "dcterms"),
    Prefix("prov", "http://www.w3.org/ns/prov#", "prov"),
    Prefix("sh", "http://www.w3.org/ns/shacl#", "sh"),
    Prefix("faldo", "http://biohackathon.org/resource/faldo#", "faldo"),
    Prefix("semapv", "https://w3id.org/semapv/vocab/", "semapv", r"^\w+$"),
    # genes, transcripts and proteins
    Prefix("HGNC", "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/", "hgnc", r"^\d{1,5}$"),
    Prefix("NCBIGene", "https://www.ncbi.nlm.nih.gov/gene/", "ncbigene", r"^\d+$"),
    Prefix("Ensembl", "https://www.ensembl.org/id/", "ensembl", r"^((ENS[FPTG]\d{11}(\.\d+)?)|(FB\w{2}\d{7})|(Y[A-Z]{2}\d{3}[a-zA-Z](\-[A-Z])?)|([A-Z_a-z0-9]+(\.)?(t)?(\d+)?([a-z])?))$"),
    Prefix("UniProtKB", "http://purl.uniprot.org/uniprot/", "uniprot", r"^([OPQ]\d[A-Z0-9]{3}\d|[A-NR-Z]\d([A-Z][A-Z0-9]{2}\d){1,2})$"),
    Prefix("OMIM", "https://omim.org/MIM:", "omim", r"^\d+$"),
    Prefix("CCDS", "http://www.ncbi.nlm.nih.gov/CCDS/CcdsBrowse.cgi?REQUEST=CCDS&DATA=", "ccds", r"^CCDS\d+(\.\d+)?$"),
    Prefix("RefSeq", "https://www.ncbi.nlm.nih.gov/protein/", "refseq", r"^(((AC|AP|NC|NG|NM|NP|NR|NT|NW|WP|XM|XP|XR|YP|ZP)_\d+)|(NZ_[A-Z]{2,4}\d+))(\.\d+)?$"),
    # ontologies of sequence features, methods and diseases
    Prefix("SO", "http://purl.obolibrary.org/obo/SO_", "so", r"^\d{7}$"),
    Prefix("OBI", "http://purl.obolibrary.org/obo/OBI_", "obi", r"^\d{7}$"),
    Prefix("NCIT", "http://purl.obolibrary.org/obo/NCIT_", "ncit", r"^(C|R|P|A|NHC)\d+$"),
    Prefix("MONDO", "http://purl.obolibrary.org/obo/MONDO_", "mondo", r"^\d{7}$"),
    Prefix("DOID", "http://purl.obolibrary.org/obo/DOID_", "doid", r"^\d+$"),
    Prefix("ONCOTREE", "http://oncotree.mskcc.org/api/tumorTypes/search/code/", "oncotree"),
    # clinical code systems
    Prefix("ICD10CM", "https://www.icd10data.com/search?s=", "icd10cm", r"^([A-Z][0-9][0-9AB]((-[A-Z][0-9][0-9AB])|(\.[0-9A-KXZ]([0-9A-EXYZ]([0-9A-HX][0-59A-HJKMNP-S]?)?)?)?))$"),
    Prefix(
        "ICDO",
        "http://codes.iarc.fr/search.php?cx=009987501641899931167%3A2_7lsevqpdm&cof=FORID%3A9"
        "&ie=UTF-8&ie=ISO-8859-1&oe=ISO-8859-1&sa=&q=",
        "icdo",
        r"^[8-9]\d{3}(/[0-3])?$",
    ),
    Prefix("SNOMEDCT", "http://purl.bioontology.org/ontology/SNOMEDCT/", "snomedct", r"^(\w+)?\d+$"),
    Prefix("LOINC", "https://loinc.org/", "loinc", r"^(\d|\w)+-\d$"),
    Prefix("CPT", "https://www.aapc.com/codes/cpt-codes/", "cpt", r"^\d+$"),
    Prefix("HCPCS", "http://purl.bioontology.org/ontology/HCPCS/", "hcpcs"),
    Prefix("oid", "https://oid-base.com/get/", "oid", r"^[\d.]+$"),
    # variants
    Prefix("dbSNP", "https://www.ncbi.nlm.nih.gov/snp/", "dbsnp", r"^rs\d+$"),
    Prefix("ClinVar", "https://www.ncbi.nlm.nih.gov/clinvar/variation/", "clinvar.variation", r"^\d+$"),
    # organisations
    Prefix("wikidata", "http://www.wikidata.org/entity/", "wikidata", r"^(Q|P|E|L)\d+$"),
    Prefix("ror", "https://ror.org/", "ror", r"^0[a-hj-km-np-tv-z|0-9]{6}[0-9]{2}$"),
)

#: prefix -> URI prefix, in the order above.
NAMESPACES: dict[str, str] = {row.prefix: row.uri_prefix for row in PREFIXES}


@cache
def converter() -> curies.Converter:
    """The package prefix map as a :class:`curies.Converter` (built once)."""
    import curies

    return curies.Converter.from_prefix_map(NAMESPACES)


def curie(iri: str) -> str | None:
    """Compress an IRI with the package prefix map; None when no prefix covers it."""
    return converter().compress(str(iri))


@lru_cache(maxsize=1 << 16)  # findings and tables name the same IRIs over and over
def curie_or_iri(iri: str) -> str:
    """A CURIE when the prefix map covers the IRI, else the IRI itself."""
    return converter().compress(str(iri)) or str(iri)


def expand(text: str) -> str:
    """Expand a CURIE of the package prefix map, or accept a full IRI as it is.

    Raises :class:`~cptkg.core.errors.InputError` for anything else.

    >>> expand("https://w3id.org/cptkg/gene-NRAS")
    'https://w3id.org/cptkg/gene-NRAS'
    >>> expand("NOPE:1")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: 'NOPE:1' is neither a full IRI nor a CURIE with a known prefix (cptkg, rdf, rdfs, ...)
    >>> expand("cptkg:gene NRAS")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: 'cptkg:gene NRAS' does not expand to a valid IRI (Invalid IRI code point ' ')
    """
    import pyoxigraph

    value = str(text).strip()
    if value.startswith(("http://", "https://", "urn:")) and not any(c in value for c in ' <>"{}|\\^`'):
        expanded: str | None = value
    else:
        expanded = converter().expand(value) if ":" in value else None
    if expanded is None:
        known = ", ".join(row.prefix for row in PREFIXES[:3])
        raise InputError(f"{text!r} is neither a full IRI nor a CURIE with a known prefix ({known}, ...)")
    try:  # the local part of a CURIE is not checked by curies: "cptkg:x> } UNION {" must not become an IRI
        pyoxigraph.NamedNode(expanded)
    except ValueError as error:
        reason = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(error))  # one line, always
        raise InputError(f"{text!r} does not expand to a valid IRI ({reason})") from None
    return expanded


def sparql_prologue() -> str:
    """The PREFIX declarations of the whole map, for engines that need them as text."""
    return "".join(f"PREFIX {prefix}: <{uri}>\n" for prefix, uri in NAMESPACES.items())
