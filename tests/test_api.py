"""The Python face of the package: rows of Python values, first/one, the two query doors and their errors.

The command line's JSON and CSV outputs are compared byte for byte with the files in
``tests/cases/outputs/``, written by the command line before rows gave Python values (a query of
every kind of value, and one of the packaged data); and, for every named query on the data of the
day, with what the previous conversion of terms (kept below as the oracle) makes of the same rows.
"""

from __future__ import annotations

import csv
import datetime
import io
import subprocess
import sys
import warnings
from decimal import Decimal

import pytest
from rdflib import XSD, BNode, Literal, URIRef

import cptkg
from cptkg.cli.query import format_result
from cptkg.core.prefixes import curie_or_iri
from cptkg.core.results import Row, readable_json

from .conftest import CASES

OUTPUTS = CASES / "outputs"
TYPED = (
    "SELECT ?iri ?day ?yes ?ratio ?n ?text ?lang ?none WHERE { VALUES (?iri ?day ?yes ?ratio ?n ?text ?lang) "
    '{ (cptkg:codon-NRAS-12 "2024-02-29"^^xsd:date true 1.50 12 "GGT" "codon"@en) } '
    "OPTIONAL { ?iri cptkg:noSuchProperty ?none } }"
)

#: output file -> the command line that wrote it
COMMANDS = {
    "covered-codons.json": ["query", "covered-codons", "-p", "code=81311", "--format", "json"],
    "covered-codons.csv": ["--backend", "rdflib", "query", "covered-codons", "-p", "code=81311", "--format", "csv"],
    "typed-values.json": ["sparql", TYPED, "--format", "json"],
    "typed-values.csv": ["sparql", TYPED, "--format", "csv"],
}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {"integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
             "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"}  # fmt: skip


def previous_plain(term):
    """The oracle: how a term became a JSON value before rows gave Python values (cptkg 0.x ``results.plain``)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return curie_or_iri(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype).startswith(_XSD):
        local, value = str(term.datatype)[len(_XSD) :], term.toPython()
        if local in _INTEGERS and isinstance(value, int):
            return value
        if local in ("decimal", "double", "float") and isinstance(value, (float, Decimal)):
            return float(value)
        if local == "boolean" and isinstance(value, bool):
            return value
    return str(term)


def previous_csv(variables: list[str], rows: list[dict]) -> str:
    cell = lambda v: "" if v is None else ("true" if v else "false") if isinstance(v, bool) else str(v)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(variables)
    writer.writerows([cell(previous_plain(term)) for term in row.values()] for row in rows)
    return buffer.getvalue()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_and_csv_outputs_are_byte_identical_to_the_previous_ones(cli, name):
    run = cli(*COMMANDS[name])
    assert run.code == 0, run.err
    assert run.out == (OUTPUTS / name).read_text(encoding="utf-8")


def test_every_named_query_writes_what_the_previous_conversion_wrote(any_kg):
    for name, query in any_kg.queries.items():
        params = {p.name: ("cptkg:gene-NRAS" if p.kind == "resource" else "81311") for p in query.parameters}
        result = any_kg.query(name, **params)
        terms = result.terms()
        expected = readable_json([{k: previous_plain(v) for k, v in row.items()} for row in terms]) + "\n"
        assert format_result(result, "json") == expected, name
        assert format_result(result, "csv") == previous_csv(result.variables, terms), name


# ---------------------------------------------------------------- rows


def test_rows_give_python_values_by_key_and_by_attribute(kg):
    row = kg.sparql(TYPED).one()
    assert dict(row) == {
        "iri": "cptkg:codon-NRAS-12", "day": datetime.date(2024, 2, 29), "yes": True, "ratio": 1.5, "n": 12,
        "text": "GGT", "lang": "codon", "none": None,
    }  # fmt: skip
    assert (row.iri, row.day, row.n, row.none) == (row["iri"], row["day"], row["n"], None)
    assert {"iri", "day", "n"} <= set(dir(row))  # tab completion in a notebook
    # the JSON-ready form keeps dates as their text, as the JSON output always wrote them
    assert row.plain()["day"] == "2024-02-29"


#: Lexical forms to read as each XML Schema type: plain ones, and forms rdflib reads (or refuses) its own way.
LEXICAL_FORMS = ["0", "-0", "007", "-12", "12.50", "1.0", "1e3", "+5", " 5", "true", "false", "1", "TRUE", "2024-02-29",
                 "2023-02-29", "2024-2-9", "2024-02-29Z", "2024-02-29T10:00:00", "INF", "", "x", "9" * 25, "0.1"]  # fmt: skip
XSD_TYPES = ["integer", "int", "long", "byte", "nonNegativeInteger", "unsignedByte", "decimal", "double", "float",
             "boolean", "date", "dateTime", "string", "gYear", "anyURI"]  # fmt: skip


def test_pyoxigraph_terms_read_as_the_equal_rdflib_terms(kg):
    """A row keeps pyoxigraph's terms (rdflib is not imported to read it): each becomes the Python value
    of the equal rdflib term, for every term of the graph and every form of each type."""
    import logging

    import pyoxigraph as ox

    from cptkg.core.rdfio import to_rdflib
    from cptkg.core.results import python_value

    terms = {term for quad in kg.backend.quads() for term in quad if not isinstance(term, ox.DefaultGraph)}
    for form in LEXICAL_FORMS:
        terms |= {ox.Literal(form, datatype=ox.NamedNode(str(XSD) + name)) for name in XSD_TYPES}
        terms |= {ox.Literal(form, language="en"), ox.Literal(form, datatype=ox.NamedNode("http://example.org/t"))}
    assert len(terms) > 2000
    logging.disable(logging.CRITICAL)  # rdflib logs each form it cannot read
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pairs = [(term, python_value(term), python_value(to_rdflib(term))) for term in terms]
    finally:
        logging.disable(logging.NOTSET)
    differing = [(t, ours, theirs) for t, ours, theirs in pairs if (ours, type(ours)) != (theirs, type(theirs))]
    assert not differing
    assert {type(ours) for _, ours, _ in pairs} >= {int, float, bool, str, datetime.date, datetime.datetime}


def test_reading_rows_needs_neither_rdflib_nor_curies():
    """Compiling the claim rules reads hundreds of rows: neither rdflib nor curies (and pydantic) is
    imported for it, which would triple the time to start a claims check."""
    code = (
        "import sys, cptkg; from cptkg.claims import ClaimRules; ClaimRules(cptkg.load()); "
        "print(sorted(m for m in ('rdflib', 'curies', 'pydantic') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]", run.stderr


def test_the_rdflib_term_is_one_call_away(kg):
    row = kg.sparql(TYPED).one()
    assert row.term("iri") == URIRef("https://w3id.org/cptkg/codon-NRAS-12")
    assert row.term("n") == Literal(12) and row.term("lang") == Literal("codon", lang="en")
    assert row.term("none") is None
    assert kg.sparql(TYPED).terms() == [row.terms()]


def test_a_variable_that_is_not_there_is_named(kg):
    row = kg.query("covered-codons", code="81311").first()
    with pytest.raises(AttributeError, match="no variable 'codon_numbr'; its variables: code, gene_symbol"):
        _ = row.codon_numbr
    with pytest.raises(KeyError):
        row.term("codon_numbr")


def test_a_variable_named_like_a_method_is_read_by_key():
    row = Row({"items": 0}, [Literal(3)])
    assert row["items"] == 3 and callable(row.items)


def test_rows_are_equal_across_backends_and_hash_by_their_terms(any_kg, kg):
    query = "SELECT ?c ?n WHERE { cptkg:code-81311 cptkg:coversCodon ?c . ?c cptkg:codonNumber ?n } ORDER BY ?n"
    assert list(any_kg.sparql(query)) == list(kg.sparql(query))
    assert len(set(kg.sparql(query)) | set(any_kg.sparql(query))) == 3


# ---------------------------------------------------------------- results


def test_len_first_and_one(kg):
    codons = kg.query("covered-codons", code="81311")
    assert len(codons) == 3 and codons.first() == codons[0] and codons[-1].codon_number == 61
    assert kg.query("gene", code="81311").one().symbol == "NRAS"
    empty = kg.sparql("SELECT ?s WHERE { ?s a cptkg:NoSuchClass }")
    assert len(empty) == 0 and empty.first() is None and not empty


@pytest.mark.parametrize(("query", "count"), [("SELECT ?s WHERE { ?s a cptkg:NoSuchClass }", 0),
                                              ("SELECT ?s WHERE { cptkg:code-81311 cptkg:coversCodon ?s }", 3)])  # fmt: skip
def test_one_names_how_many_rows_there_were(kg, query, count):
    with pytest.raises(cptkg.RowCountError) as raised:
        kg.sparql(query).one()
    assert raised.value.count == count and str(raised.value).startswith("expected exactly one row")
    assert isinstance(raised.value, cptkg.CptkgError) and isinstance(raised.value, LookupError)


def test_count_is_len_now(kg):
    result = kg.query("covered-codons", code="81311")
    assert not hasattr(result, "count") and not hasattr(result, "index")


def test_an_ask_result_is_its_answer(kg):
    assert kg.sparql("ASK { cptkg:codon-NRAS-61 a cptkg:Codon }")
    assert not kg.sparql("ASK { cptkg:codon-NRAS-61 a cptkg:Exon }")


def test_the_dataframe_holds_python_values(kg):
    frame = kg.sparql(TYPED).to_dataframe()
    assert frame.loc[0, "day"] == datetime.date(2024, 2, 29) and frame.loc[0, "n"] == 12


# ---------------------------------------------------------------- the two doors


@pytest.mark.parametrize("text", ["SELECT * WHERE { ?s ?p ?o }", "PREFIX ex: <http://example.org/>\nASK { ?s ?p ?o }",
                                  "ask{?s ?p ?o}"])  # fmt: skip
def test_query_text_given_to_the_named_query_door_says_to_use_sparql(kg, text):
    with pytest.raises(cptkg.SparqlTextError, match=r"is SPARQL text, not a query name: run it with kg\.sparql"):
        kg.query(text)


def test_query_text_on_the_command_line_says_to_use_sparql(cli):
    run = cli("query", "SELECT * WHERE { ?s ?p ?o }")
    assert run.code == 2 and "cptkg sparql TEXT" in run.err and len(run.err.splitlines()) == 1


def test_a_binding_names_the_variable_the_query_lacks(kg):
    with pytest.raises(cptkg.ParameterError, match=r"no variable \?code to bind"):
        kg.sparql("SELECT ?c WHERE { ?c skos:notation ?notation }", code="81311")


def test_a_query_without_a_where_group_cannot_bind(kg):
    with pytest.raises(cptkg.ParameterError, match="no WHERE group"):
        kg.sparql("DESCRIBE ?c", c=cptkg.iri("cptkg:code-81311"))
    with pytest.raises(cptkg.ParameterError, match="long form"):
        kg.sparql("CONSTRUCT WHERE { ?c skos:notation ?n }", c=cptkg.iri("cptkg:code-81311"))
    graph = kg.sparql("CONSTRUCT { ?c skos:notation ?n } WHERE { ?c skos:notation ?n }", c=cptkg.iri("cptkg:code-81311"))
    assert {str(o) for o in graph.objects()} == {"81311"}


def test_python_values_bind_as_typed_literals_and_a_plain_code_warns_nothing(kg):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        query = "SELECT ?c WHERE { ?c cptkg:codonNumber ?n ; cptkg:inExon/cptkg:exonOf/cptkg:transcriptOf cptkg:gene-NRAS }"
        assert kg.sparql(query, n=13).one().c == "cptkg:codon-NRAS-13"  # the graph also holds KRAS codon 13
        assert kg.sparql("SELECT ?c WHERE { ?c skos:notation ?n }", n="81311").one().c == "cptkg:code-81311"
    with pytest.raises(cptkg.ParameterError, match="cannot bind a dict"):
        kg.sparql("SELECT ?c WHERE { ?c skos:notation ?n }", n={})


def test_iri_expands_a_curie_and_refuses_an_unknown_prefix():
    assert cptkg.iri("cptkg:gene-NRAS") == URIRef("https://w3id.org/cptkg/gene-NRAS")
    with pytest.raises(cptkg.InputError, match="'NOPE:1' is neither a full IRI nor a CURIE"):
        cptkg.iri("NOPE:1")


@pytest.mark.parametrize("keyword", [{}, {"data": ["/nonexistent/graph.ttl"]}])
def test_loading_a_missing_path_names_it(keyword):
    with pytest.raises(cptkg.InputError) as raised:
        cptkg.load(*([] if keyword else ["/nonexistent"]), **keyword)
    assert str(raised.value).startswith("/nonexistent") and "no such file" in str(raised.value)
