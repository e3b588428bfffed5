# title: Superclasses
# description: An instance of a class is an instance of each of its superclasses.
# owl-rl: scm-sco cax-sco
# data: the statements the rule reads as data are marked @data: every statement in the first
#   round, the ones inferred since in later rounds (semi-naive evaluation).
INSERT { ?x a ?super }
WHERE {
  @data { ?x a ?class } ?class rdfs:subClassOf+ ?super .
  FILTER(isIRI(?super) && ?super != owl:Thing)
  FILTER NOT EXISTS { ?x a ?super }
}
