"""cptkg: a knowledge graph of molecular-pathology billing codes, starting with CPT 81311.

Load the graph, ask it a named query, read the rows as Python values:

>>> import cptkg
>>> kg = cptkg.load()
>>> codons = kg.query("covered-codons", code="81311")
>>> len(codons), codons.first().codon_number
(3, 12)
>>> kg.sparql("SELECT ?symbol WHERE { ?gene skos:exactMatch ?id ; cptkg:geneSymbol ?symbol }",
...           id=cptkg.iri("HGNC:7989")).one().symbol
'NRAS'

``kg.queries`` lists the named queries, ``kg.sparql`` runs any SPARQL text, and the capabilities
(``kg.validate()``, ``kg.check()``, ``kg.variant(...)``, ``kg.check_claims(...)``) are methods of
the graph.
"""

from .api import KnowledgeGraph, connect, load
from .core.errors import (
    BindingWarning,
    CptkgError,
    InputError,
    OutputExistsError,
    ParameterError,
    RowCountError,
    SparqlTextError,
    UnknownCodeError,
    UnknownQueryError,
)
from .core.prefixes import iri
from .core.results import Result, Row
from .core.version import __version__

__all__ = [
    "BindingWarning",
    "CptkgError",
    "InputError",
    "KnowledgeGraph",
    "OutputExistsError",
    "ParameterError",
    "Result",
    "Row",
    "RowCountError",
    "SparqlTextError",
    "UnknownCodeError",
    "UnknownQueryError",
    "__version__",
    "connect",
    "iri",
    "load",
]
