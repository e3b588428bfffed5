# title: Property domains
# description: The subject of a statement is an instance of the property's domain.
# owl-rl: prp-dom
# data: the statements the rule reads as data are marked @data: every statement in the first
#   round, the ones inferred since in later rounds (semi-naive evaluation).
INSERT { ?x a ?class }
WHERE {
  ?p rdfs:domain ?class . @data { ?x ?p ?y }
  FILTER(isIRI(?class) && ?class != owl:Thing)
  FILTER NOT EXISTS { ?x a ?class }
}
