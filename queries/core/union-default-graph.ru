# title: Fill the default graph with the union of the named graphs
# description: The oxigraph backend keeps the set union of its source graphs in the store's default
#   graph, each triple once, so that queries without GRAPH see every statement once.
INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }
