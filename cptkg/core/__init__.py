"""The bottom layer: RDF and SPARQL, no domain knowledge.

errors, prefixes (the map of ``prefixes.tsv``), resources (where the packaged files are), rdfio
(reading and writing RDF), backends (pyoxigraph, rdflib, a remote store), queries (the named-query
catalogues), results, findings (one severity order, one report protocol), graph (the core graph)
and loading (which files make a graph). Nothing here imports anything of the package above it.
"""
