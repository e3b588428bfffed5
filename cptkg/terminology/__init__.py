"""Links to other terminologies: the mapping set, CURIE look-ups, ICD-10-CM code lineage, outside files.

The SKOS match triples of the data (and the ontology's ``rdfs:subClassOf`` links to Sequence
Ontology terms) are the one source of truth. :func:`mapping_set` reads them with the ``mappings``
named query with each one's mapping record (the one reference record it was read in, how, by whom, when);
:func:`to_sssom` writes that set as SSSOM TSV. :func:`lookup` answers "which cptkg resources does
this outside identifier map to, and how", resolving an ICD-10-CM code through its categories.
:func:`link` loads a terminology or mapping file a user brings (OWL/Turtle or any RDF format, OBO
Graphs JSON, OBO, SSSOM TSV as published) into its own named graph, so that one SPARQL query can
walk from a code through its mappings into it, and says in a :class:`LinkReport` what it linked
and what it skipped.

(The ICD-10-CM lineage is shared by mapping look-ups and claim checks, so that both resolve a
billable code through its categories the same way.)
"""

from .icd10cm import icd10cm_lineage
from .identifiers import IDENTIFIER_PATTERNS, PrefixResolution, parse_curie
from .link import LINK_FORMATS, LinkReport, link, link_format, link_graph_name, read_prefix_map
from .lookup import Answer, Hit, lookup
from .mappings import SSSOM_COLUMNS, UNRECORDED, Mapping, grade, mapping_set, names_identifier, to_sssom, to_turtle

__all__ = [
    "IDENTIFIER_PATTERNS",
    "LINK_FORMATS",
    "SSSOM_COLUMNS",
    "UNRECORDED",
    "Answer",
    "Hit",
    "LinkReport",
    "Mapping",
    "PrefixResolution",
    "grade",
    "icd10cm_lineage",
    "link",
    "link_format",
    "link_graph_name",
    "lookup",
    "mapping_set",
    "names_identifier",
    "parse_curie",
    "read_prefix_map",
    "to_sssom",
    "to_turtle",
]
