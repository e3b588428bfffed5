# title: Symmetric properties
# description: A statement of a symmetric property holds the other way round too.
# owl-rl: prp-symp
# data: the statements the rule reads as data are marked @data: every statement in the first
#   round, the ones inferred since in later rounds (semi-naive evaluation).
INSERT { ?y ?p ?x }
WHERE {
  ?p a owl:SymmetricProperty . @data { ?x ?p ?y }
  FILTER(!isLiteral(?y))
  FILTER NOT EXISTS { ?y ?p ?x }
}
