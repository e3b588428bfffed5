# title: Equivalent properties
# description: A statement of a property holds for each property equivalent to it.
# owl-rl: prp-eqp1 prp-eqp2
# data: the statements the rule reads as data are marked @data: every statement in the first
#   round, the ones inferred since in later rounds (semi-naive evaluation).
INSERT { ?x ?other ?y }
WHERE {
  { ?p owl:equivalentProperty ?other } UNION { ?other owl:equivalentProperty ?p } @data { ?x ?p ?y }
  FILTER NOT EXISTS { ?x ?other ?y }
}
