"""The formats the endpoint answers in, and content negotiation (the Accept header, or a ``format`` parameter)."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

#: media type -> pyoxigraph format, for SELECT and ASK answers (first one is the default)
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: media type -> pyoxigraph format, for CONSTRUCT and DESCRIBE answers (first one is the default)
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
#: short names accepted in a ``format`` (or ``output``) parameter, in place of an Accept header
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "n-triples": ("application/n-triples",),
    "nt": ("application/n-triples",),
    "json-ld": ("application/ld+json",),
    "jsonld": ("application/ld+json",),
    "rdf-xml": ("application/rdf+xml",),
}


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offered media type the Accept header prefers (the first offer when any will do).

    >>> negotiate("text/csv, application/sparql-results+json;q=0.5", ["application/sparql-results+json", "text/csv"])
    'text/csv'
    >>> negotiate("text/*;q=0.9, */*;q=0.1", ["application/ld+json", "text/turtle"])
    'text/turtle'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))

    def quality_of(offer: str) -> float:
        kind = offer.split("/")[0] + "/*"
        for candidate in (offer, kind, "*/*"):  # the most specific range that matches decides
            found = [q for media, q in ranges if media == candidate]
            if found:
                return max(found)
        return 0.0

    best = max(offers, key=lambda offer: (quality_of(offer), -offers.index(offer)))
    return best if quality_of(best) > 0 else None
