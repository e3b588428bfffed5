# title: Equivalent classes
# description: An instance of a class is an instance of each class equivalent to it.
# owl-rl: cax-eqc1 cax-eqc2
# data: the statements the rule reads as data are marked @data: every statement in the first
#   round, the ones inferred since in later rounds (semi-naive evaluation).
INSERT { ?x a ?other }
WHERE {
  @data { ?x a ?class } { ?class owl:equivalentClass ?other } UNION { ?other owl:equivalentClass ?class }
  FILTER(isIRI(?other))
  FILTER NOT EXISTS { ?x a ?other }
}
