"""Named queries: the catalogue's headers, and a table of query x parameters -> expected rows.

The table is ``cases/queries.json``. Each case names a query and its parameters, optionally keeps
only the rows matching ``where``, and compares either whole ``columns`` (row order kept) or the
``distinct_columns`` (distinct values, in first-seen order), against ``rows``.
"""

from __future__ import annotations

import json

import pytest

import cptkg
from cptkg.core.errors import InputError, ParameterError, UnknownCodeError, UnknownQueryError
from cptkg.core.queries import PARAMETER_KINDS, read_query

from .conftest import CASES

QUERY_CASES = json.loads((CASES / "queries.json").read_text())

REQUIRED_QUERIES = {
    "covered-codons", "indications", "sites-of-service", "modifiers", "payers", "specimens",
    "methods", "workflow", "data-gaps", "provenance",
}  # fmt: skip


def project(records: list[dict], case: dict) -> list[list]:
    where = case.get("where", {})
    kept = [r for r in records if all(r.get(k) == v for k, v in where.items())]
    if "columns" in case:
        rows = [[r.get(c) for c in case["columns"]] for r in kept]
    else:
        rows = []
        for r in kept:
            row = [r.get(c) for c in case["distinct_columns"]]
            if row not in rows:
                rows.append(row)
    return sorted(rows, key=str) if case.get("sorted") else rows


@pytest.mark.parametrize(
    "case", QUERY_CASES, ids=[f"{c['query']}-{i}" for i, c in enumerate(QUERY_CASES)]
)
def test_query_case(any_kg, case):
    records = any_kg.query(case["query"], **case["params"]).records()
    assert project(records, case) == case["rows"]


def test_required_queries_exist(kg):
    assert REQUIRED_QUERIES <= set(kg.queries)


def test_every_query_has_a_header_and_typed_parameters(kg):
    for query in kg.queries.values():
        assert query.title and query.description, query.name
        for parameter in query.parameters:
            assert parameter.kind in PARAMETER_KINDS
            assert parameter.description


def test_every_query_runs_without_parameters_or_with_its_example(kg):
    for query in kg.queries.values():
        params = {p.name: ("cptkg:gene-NRAS" if p.kind == "resource" else "81311") for p in query.parameters if p.required}
        result = kg.query(query.name, **params)
        assert result.variables, query.name


def test_optional_code_left_out_lists_every_code(kg):
    every = [row for code in kg.codes for row in kg.query("covered-codons", code=code).records()]
    assert len(kg.codes) > 1 and kg.query("covered-codons").records() == every


def test_unknown_query_suggests_a_name(kg):
    with pytest.raises(UnknownQueryError, match="did you mean 'covered-codons'"):
        kg.query("covered-codon")


def test_unknown_code(kg):
    with pytest.raises(UnknownCodeError, match="unknown code '99999'.*81311"):
        kg.query("covered-codons", code="99999")


def test_unexpected_parameter(kg):
    with pytest.raises(ParameterError, match="has no parameter 'gene'"):
        kg.query("covered-codons", gene="NRAS")


def test_missing_parameter(kg):
    with pytest.raises(ParameterError, match="needs the parameter 'resource'"):
        kg.query("provenance")


def test_resource_parameter_must_be_an_iri_or_known_curie(kg):
    with pytest.raises(ParameterError, match="parameter 'resource'"):
        kg.query("provenance", resource="nope:x")


@pytest.mark.parametrize(
    "value",
    ['81311" } UNION { ?c ?p ?o', "81311 .", "81311\n# comment", "' OR 1=1 --", "{ }", "SELECT * WHERE"],
)
def test_parameter_values_cannot_change_the_query(kg, value):
    # the value is bound as a literal: a code that does not exist, never extra rows
    with pytest.raises(UnknownCodeError):
        kg.query("covered-codons", code=value)
    assert len(kg.sparql("SELECT ?c ?code WHERE { ?c skos:notation ?code }", code=value)) == 0


def test_results_convert(kg):
    result = kg.query("covered-codons", code="81311")
    assert json.loads(result.to_json())[0]["codon"] == "cptkg:codon-NRAS-12"
    assert result.to_csv().splitlines()[0].startswith("code,gene_symbol,exon,")
    frame = result.to_dataframe()
    assert list(frame["codon_number"]) == [12, 13, 61]
    assert "codon_number" in result.to_table().splitlines()[0]


def test_sparql_ask_and_construct(kg):
    assert kg.sparql("ASK { cptkg:code-81311 skos:notation '81311' }").boolean is True
    graph = kg.sparql("CONSTRUCT { ?c skos:notation ?n } WHERE { ?c a cptkg:BillingCode ; skos:notation ?n }")
    assert len(graph) >= 10


def test_bad_query_header_is_reported_with_file(tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("# title: Broken\n# param: code (colour) A colour.\nSELECT ?code WHERE { ?s ?p ?code }\n")
    with pytest.raises(InputError, match="broken.rq: bad parameter declaration"):
        read_query(path)


def test_parameter_must_name_a_variable(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# title: Q\n# param: code (code) The code.\nSELECT ?x WHERE { ?x ?p ?o }\n")
    with pytest.raises(InputError, match="names no variable"):
        read_query(path)


def test_load_extra_data_rejects_empty_folder(tmp_path):
    with pytest.raises(InputError, match="holds no .ttl data files"):
        cptkg.load(tmp_path)
