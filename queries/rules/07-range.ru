# title: Property ranges
# description: The object (not a literal) of a statement is an instance of the property's range.
# owl-rl: prp-rng
# data: the statements the rule reads as data are marked @data: every statement in the first
#   round, the ones inferred since in later rounds (semi-naive evaluation).
INSERT { ?y a ?class }
WHERE {
  ?p rdfs:range ?class . @data { ?x ?p ?y }
  FILTER(!isLiteral(?y) && isIRI(?class) && ?class != owl:Thing)
  FILTER NOT EXISTS { ?y a ?class }
}
