# title: Super-properties
# description: A statement of a property holds for each of its super-properties.
# owl-rl: scm-spo prp-spo1
# data: the statements the rule reads as data are marked @data: every statement in the first
#   round, the ones inferred since in later rounds (semi-naive evaluation).
INSERT { ?x ?super ?y }
WHERE {
  ?p rdfs:subPropertyOf+ ?super . @data { ?x ?p ?y }
  FILTER NOT EXISTS { ?x ?super ?y }
}
