"""The one prefix map of the package.

Everything that writes or reads a CURIE goes through :data:`PREFIXES`: the Turtle the package
serialises, the ``PREFIX`` declarations named queries are parsed with, and the CURIEs that query
results, reports and findings show.

The map is data, ``prefixes.tsv`` beside this module: each external prefix is the Bioregistry
record named beside it, with Bioregistry's URI prefix; the test suite checks every row against the
registry so that no prefix is invented. The spelling of the
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
    import rdflib

CPTKG = "https://w3id.org/cptkg/"


class Prefix(NamedTuple):
    prefix: str
    uri_prefix: str
    #: The Bioregistry prefix this row stands for, or None for the package's own namespace.
    bioregistry: str | None
    #: The registry's pattern for local identifiers, where it has one (checked by tests/test_prefixes.py).
    pattern: str | None = None


def _read_prefixes() -> tuple[Prefix, ...]:
    """The rows of ``prefixes.tsv`` (package data beside this module); comment lines start with ``#``."""
    import csv
    from importlib.resources import files

    text = files(__package__).joinpath("prefixes.tsv").read_text(encoding="utf-8")
    rows = csv.reader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    header = next(rows)
    assert header == ["prefix", "uri_prefix", "bioregistry", "pattern"], header
    return tuple(Prefix(prefix, uri, registry or None, pattern or None) for prefix, uri, registry, pattern in rows)


#: The prefix map, in the order of ``prefixes.tsv`` (``cptkg`` first).
PREFIXES: tuple[Prefix, ...] = _read_prefixes()

#: prefix -> URI prefix, in the order above.
NAMESPACES: dict[str, str] = {row.prefix: row.uri_prefix for row in PREFIXES}


@cache
def converter() -> curies.Converter:
    """The package prefix map as a :class:`curies.Converter` (built once)."""
    import curies

    return curies.Converter.from_prefix_map(NAMESPACES)


#: (URI prefix, prefix), the longest URI prefix first: the first that begins an IRI compresses it.
_LONGEST_FIRST = tuple(sorted(((uri, prefix) for prefix, uri in NAMESPACES.items()), key=lambda p: -len(p[0])))


def curie(iri: str) -> str | None:
    """Compress an IRI with the package prefix map; None when no prefix covers it.

    The same as :meth:`curies.Converter.compress` of :func:`converter` (tests/test_prefixes.py
    compares them on every IRI of the graph), without importing curies and pydantic, which would
    double the start of every command that shows a query's rows.
    """
    text = str(iri)
    for uri, prefix in _LONGEST_FIRST:
        if text.startswith(uri):
            return f"{prefix}:{text[len(uri) :]}"
    return None


@lru_cache(maxsize=1 << 16)  # findings and tables name the same IRIs over and over
def curie_or_iri(iri: str) -> str:
    """A CURIE when the prefix map covers the IRI, else the IRI itself."""
    return curie(iri) or str(iri)


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


def iri(text: str) -> rdflib.URIRef:
    """The IRI a CURIE of the package prefix map (or a full IRI) names, as an rdflib term to bind.

    A plain string bound to a query variable is a literal; this is how an IRI is bound instead.
    Raises :class:`~cptkg.InputError` for a prefix the map lacks.

    >>> iri("HGNC:7989")
    rdflib.term.URIRef('https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/7989')
    >>> iri("cptkg:codon-NRAS-61") == iri("https://w3id.org/cptkg/codon-NRAS-61")
    True
    """
    from rdflib import URIRef

    return URIRef(expand(text))


def sparql_prologue() -> str:
    """The PREFIX declarations of the whole map, for engines that need them as text."""
    return "".join(f"PREFIX {prefix}: <{uri}>\n" for prefix, uri in NAMESPACES.items())
