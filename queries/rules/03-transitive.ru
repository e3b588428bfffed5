# title: Transitive properties
# description: A chain of two statements of a transitive property gives the statement that skips the middle.
# owl-rl: prp-trp
# data: the statements the rule reads as data are marked @data: every statement in the first
#   round, the ones inferred since in later rounds (semi-naive evaluation).
INSERT { ?x ?p ?z }
WHERE {
  ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z .
  FILTER NOT EXISTS { ?x ?p ?z }
}
