"""An OWL 2 DL view of a graph: the same statements, written so that DL tools load them as they are.

RDF graphs and OWL 2 DL ontologies differ in what they leave implicit. The OWL API (under HermiT
and Protégé) and owlready2 read an ontology by its declarations and refuse literals their reasoners
cannot interpret, so the view

* declares every individual ``owl:NamedIndividual`` (owlready2 counts no individual without it),
  every class used as a type or in a class axiom ``owl:Class`` and every property the ontology does
  not declare (an annotation property when any of its subjects is an axiom annotation or its values
  are mixed; a datatype property when all its values are literals; an object property otherwise);
  an IRI used as a class and as an individual keeps both declarations (OWL 2 punning);
* keeps every literal inside the OWL 2 datatype map (:data:`OWL2_DATATYPES`): a value of a
  datatype outside it becomes a value of the datatype of the map that holds it
  (:data:`WIDENED`: an ``xsd:date`` becomes the ``xsd:dateTime`` of its midnight, HermiT having no
  ``xsd:date``), in data, in annotations and in ``rdfs:range`` axioms alike, so that statement
  annotations still name the statements they annotate;
* keeps the statement annotations (``owl:Axiom`` with ``owl:annotatedSource``, ``owl:annotatedProperty``,
  ``owl:annotatedTarget``), which are OWL 2 axiom annotations already.

It knows OWL, not the domain: it works on any graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rdflib

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"

#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4: https://www.w3.org/TR/owl2-syntax/#Datatype_Maps,
#: the address HermiT names when it refuses a datatype); tests/test_dl_export.py compares it with the OWL API's own list.
OWL2_DATATYPES = frozenset(
    [_RDF + name for name in ("PlainLiteral", "XMLLiteral")]
    + [_RDFS + "Literal", _OWL + "real", _OWL + "rational"]
    + [
        _XSD + name
        for name in (
            "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger",
            "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
            "double", "float", "string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN",
            "boolean", "hexBinary", "base64Binary", "anyURI", "dateTime", "dateTimeStamp",
        )
    ]
)  # fmt: skip

#: Datatypes outside the map, with the datatype of the map their values become and how a lexical form is carried over.
WIDENED = {_XSD + "date": (_XSD + "dateTime", lambda text: text[:10] + "T00:00:00" + text[10:])}

#: The annotation properties OWL 2 builds in (they need no declaration).
BUILT_IN_ANNOTATIONS = frozenset(
    [_RDFS + name for name in ("label", "comment", "seeAlso", "isDefinedBy")]
    + [_OWL + name for name in ("versionInfo", "deprecated", "priorVersion", "backwardCompatibleWith", "incompatibleWith")]
)
_RESERVED = (_RDF, _RDFS, _OWL, _XSD)
#: Properties whose subjects and objects are classes.
_CLASS_AXIOMS = (_RDFS + "subClassOf", _OWL + "equivalentClass", _OWL + "disjointWith")


def dl_view(graph: rdflib.Graph) -> rdflib.Graph:
    """The graph as an OWL 2 DL ontology: declarations added, literals kept inside the OWL 2 datatype map.

    >>> from rdflib import OWL, Graph
    >>> view = dl_view(Graph().parse(data='''
    ...     @prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    ...     ex:p1 a ex:Policy ; ex:effective "2016-07-05"^^xsd:date ; ex:covers ex:crc .''', format="turtle"))
    >>> sorted(str(o) for o in view.objects(None, None) if "2016" in str(o))
    ['2016-07-05T00:00:00']
    >>> sorted(str(s).rsplit("/", 1)[1] for s in view.subjects(None, OWL.NamedIndividual))
    ['crc', 'p1']
    """
    from rdflib import Graph

    view = Graph()
    for prefix, namespace in graph.namespaces():
        view.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        view.add(tuple(_widened(term) for term in triple))  # type: ignore[arg-type]
    _declare(view)
    return view


def _widened(term: rdflib.term.Node) -> rdflib.term.Node:
    """A literal of a datatype outside the map as the literal of the map's datatype that holds it; other terms as they are."""
    from rdflib import Literal, URIRef

    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in WIDENED:
        datatype, carry = WIDENED[str(term.datatype)]
        return Literal(carry(str(term)), datatype=URIRef(datatype))
    if isinstance(term, URIRef) and str(term) in WIDENED:  # a datatype named in an axiom (rdfs:range xsd:date)
        return URIRef(WIDENED[str(term)][0])
    return term


def _declare(view: rdflib.Graph) -> None:
    from rdflib import OWL, RDF, Literal, URIRef

    typed = lambda kind: {s for s in view.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    axioms = set(view.subjects(RDF.type, OWL.Axiom))
    declared = typed(OWL.ObjectProperty) | typed(OWL.DatatypeProperty) | typed(OWL.AnnotationProperty)
    object_properties = typed(OWL.ObjectProperty)
    for predicate in set(view.predicates()) - declared:
        if str(predicate).startswith(_RESERVED) or str(predicate) in BUILT_IN_ANNOTATIONS:
            continue
        pairs = list(view.subject_objects(predicate))
        literal_values = {isinstance(o, Literal) for _, o in pairs}
        if any(s in axioms for s, _ in pairs) or len(literal_values) > 1:
            kind = OWL.AnnotationProperty
        elif literal_values == {True}:
            kind = OWL.DatatypeProperty
        else:
            kind = OWL.ObjectProperty
            object_properties.add(predicate)
        view.add((predicate, RDF.type, kind))
    classes = typed(OWL.Class)
    classes |= {o for o in view.objects(None, RDF.type) if isinstance(o, URIRef) and not str(o).startswith(_RESERVED)}
    for predicate in _CLASS_AXIOMS:
        for s, o in view.subject_objects(URIRef(predicate)):
            classes |= {t for t in (s, o) if isinstance(t, URIRef) and not str(t).startswith(_RESERVED)}
    for cls in classes:
        view.add((cls, RDF.type, OWL.Class))
    ontologies = typed(OWL.Ontology)
    individuals = {s for s, o in view.subject_objects(RDF.type) if o in classes}
    for predicate in object_properties:
        for s, o in view.subject_objects(predicate):
            individuals |= {s, o}
    individuals = {i for i in individuals if isinstance(i, URIRef) and i not in axioms and i not in ontologies}
    for individual in individuals:
        view.add((individual, RDF.type, OWL.NamedIndividual))
