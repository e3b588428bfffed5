# title: Inverse properties
# description: A statement of a property holds, turned round, for its inverse.
# owl-rl: prp-inv1 prp-inv2
# data: the statements the rule reads as data are marked @data: every statement in the first
#   round, the ones inferred since in later rounds (semi-naive evaluation).
INSERT { ?y ?q ?x }
WHERE {
  { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } @data { ?x ?p ?y }
  FILTER(!isLiteral(?y))
  FILTER NOT EXISTS { ?y ?q ?x }
}
