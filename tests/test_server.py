"""``cptkg serve``: a real server process on loopback, talked to by clients no one here wrote."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, Literal, URIRef

import cptkg
from tests.servers import cptkg_server

pytest.importorskip("starlette")
pytest.importorskip("SPARQLWrapper")

pytestmark = pytest.mark.slow

CPTKG = "https://w3id.org/cptkg/"
#: A query whose cross product of every triple with itself, three times over, no server can finish.
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIME_LIMIT = "3"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # a small result limit, so that the limit can be reached by a query that finishes in time
    with cptkg_server(
        tmp_path_factory.mktemp("serve"), "--timeout", TIME_LIMIT, "--max-result-bytes", "200000"
    ) as base:
        yield base


@pytest.fixture(scope="module")
def endpoint(server):
    return server + "/sparql"


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None):
    """(status, content type, body) of one request, errors included."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def get(endpoint: str, query: str, accept: str | None = None):
    return http(endpoint + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept} if accept else {})


def wrapper(endpoint: str, query: str, fmt: str, method: str = "GET"):
    from SPARQLWrapper import POST, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method == "POST":
        client.setMethod(POST)
    return client.query()


CODONS = "SELECT ?n WHERE { ?c cptkg:codonNumber ?n } ORDER BY ?n"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_as_sparql_json_by_get_and_form_post(endpoint, kg, method):
    from SPARQLWrapper import JSON

    answer = wrapper(endpoint, CODONS, JSON, method).convert()
    numbers = [int(b["n"]["value"]) for b in answer["results"]["bindings"]]
    assert numbers == [int(r["n"]) for r in kg.sparql(CODONS)]
    assert 61 in numbers


def test_select_as_sparql_xml(endpoint):
    from SPARQLWrapper import XML

    document = wrapper(endpoint, CODONS, XML).convert()  # an xml.dom document
    values = [node.firstChild.nodeValue for node in document.getElementsByTagName("literal")]
    assert "61" in values


@pytest.mark.parametrize("accept, delimiter", [("text/csv", ","), ("text/tab-separated-values", "\t")])
def test_select_as_csv_and_tsv_by_content_negotiation(endpoint, accept, delimiter):
    status, media, body = get(endpoint, "SELECT ?symbol WHERE { cptkg:gene-NRAS cptkg:geneSymbol ?symbol }", accept)
    assert (status, media) == (200, accept)
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter))
    assert rows[0] == (["symbol"] if delimiter == "," else ["?symbol"])
    assert rows[1][0].strip('"') == "NRAS"


def test_direct_post_and_ask(endpoint):
    status, media, body = http(
        endpoint,
        data=b"ASK { cptkg:codon-NRAS-61 cptkg:codonNumber 61 }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert (status, media) == (200, "application/sparql-results+json")
    assert json.loads(body)["boolean"] is True


@pytest.mark.parametrize(
    "accept, rdflib_format",
    [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")],
)
def test_construct_and_describe_in_rdf_formats(endpoint, kg, accept, rdflib_format):
    construct = "CONSTRUCT { ?c cptkg:codonNumber ?n } WHERE { ?c cptkg:codonNumber ?n }"
    status, media, body = get(endpoint, construct, accept)
    assert (status, media) == (200, accept)
    served = Graph().parse(data=body, format=rdflib_format)
    assert set(served) == set(kg.sparql(construct))
    status, media, body = get(endpoint, "DESCRIBE cptkg:codon-NRAS-61", accept)
    described = Graph().parse(data=body, format=rdflib_format)
    assert (URIRef(CPTKG + "codon-NRAS-61"), URIRef(CPTKG + "codonNumber"), Literal(61)) in described


def test_rdflib_sparqlstore_reads_the_endpoint(endpoint, kg):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    remote = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    query = "SELECT ?exon ?n WHERE { ?exon <https://w3id.org/cptkg/exonNumber> ?n } ORDER BY ?n"
    assert [tuple(row) for row in remote.query(query)] == [tuple(row.terms().values()) for row in kg.sparql(query)]


def test_named_query_url_binds_parameters_as_the_api_does(server, kg):
    status, media, body = http(server + "/queries/covered-codons?code=81311", headers={"Accept": "text/csv"})
    assert (status, media) == (200, "text/csv")
    served = list(csv.DictReader(io.StringIO(body.decode())))
    expected = kg.query("covered-codons", code="81311")
    assert [row["codon_number"] for row in served] == [str(row["codon_number"]) for row in expected]
    # a value is bound as a term, never pasted into the query: a quote cannot change the query
    status, _, body = http(server + "/queries/covered-codons?" + urllib.parse.urlencode({"code": '81311" } #'}))
    assert status == 400 and b"unknown code" in body


@pytest.mark.parametrize(
    "path, status, message",
    [
        ("/queries/covered-codon?code=81311", 404, b"did you mean 'covered-codons'"),
        ("/queries/covered-codons?code=99999", 400, b"unknown code '99999'"),
        ("/queries/covered-codons?colour=red", 400, b"has no parameter 'colour'"),
    ],
)
def test_named_query_mistakes(server, path, status, message):
    got, _, body = http(server + path)
    assert got == status and message in body


def test_remote_backend_reads_the_endpoint_like_the_embedded_graph(endpoint, kg):
    from cptkg import connect

    remote = connect(endpoint)
    for name in ("covered-codons", "indications", "payers", "workflow"):
        assert remote.query(name, code="81311").records() == kg.query(name, code="81311").records(), name


def test_malformed_query_is_400_with_the_parser_message(endpoint):
    status, media, body = get(endpoint, "SELECT ?x WHERE { ?x")
    assert status == 400 and media == "text/plain"
    assert b"SPARQL syntax error" in body and b"1:" in body  # the parser's position


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
        (urllib.parse.urlencode({"update": "DROP ALL"}).encode(), "application/x-www-form-urlencoded"),
    ],
)
def test_updates_are_refused(endpoint, data, content_type):
    status, _, body = http(endpoint, data=data, headers={"Content-Type": content_type})
    assert status == 403 and b"read-only" in body
    status, _, body = get(endpoint, "ASK { <urn:a> ?p ?o }", "application/sparql-results+json")
    assert json.loads(body)["boolean"] is False


def test_update_sent_as_a_query_is_a_syntax_error(endpoint):
    status, _, body = get(endpoint, "DROP ALL")
    assert status == 400 and b"SPARQL syntax error" in body


def test_hostile_cross_product_is_stopped_at_the_time_limit_and_the_server_answers_on(endpoint):
    status, _, body = get(endpoint, CROSS_PRODUCT)
    assert status == 503
    assert f"time limit of {TIME_LIMIT} s".encode() in body
    status, _, body = get(endpoint, "ASK { cptkg:gene-NRAS ?p ?o }", "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_deep_property_path_is_stopped_too(endpoint):
    # every node to every node through any chain of any predicate, then a cross product with itself
    status, _, body = get(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x>|!<urn:x>)* ?b . ?c (!<urn:x>)+ ?d }")
    assert status == 503 and b"time limit" in body


def test_result_limit_stops_a_huge_answer(endpoint):
    status, _, body = get(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 503 and b"result limit of 200000 bytes" in body


def test_unacceptable_format_is_406(endpoint):
    status, _, body = get(endpoint, CODONS, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body


def test_protocol_dataset_parameters_pick_the_graphs(endpoint):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    params = urllib.parse.urlencode({"query": query, "default-graph-uri": CPTKG + "graph-ontology"})
    _, _, body = http(endpoint + "?" + params, headers={"Accept": "application/sparql-results+json"})
    ontology_only = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    _, _, body = get(endpoint, query, "application/sparql-results+json")
    everything = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert 0 < ontology_only < everything


def test_service_description_lists_the_named_graphs(endpoint, kg):
    status, media, body = http(endpoint, headers={"Accept": "text/turtle"})
    assert (status, media) == (200, "text/turtle")
    description = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    names = {str(o) for o in description.objects(None, URIRef(sd + "name"))}
    assert set(kg.graph_names()) <= names
    assert (None, URIRef(sd + "endpoint"), URIRef(endpoint)) in description


def test_inferred_closure_is_its_own_named_graph_outside_the_default_graph(endpoint, kg):
    reasoning = pytest.importorskip("cptkg.reasoning")
    inferred = reasoning.INFERRED_GRAPH
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{inferred}> {{ ?s ?p ?o }} }}"
    _, _, body = get(endpoint, count, "application/sparql-results+json")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == kg.reason().inferred_triples
    # the default graph is the asserted union, as in the embedded graph
    total = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    _, _, body = get(endpoint, total, "application/sparql-results+json")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == int(kg.sparql(total)[0]["n"])


def test_home_page_has_a_query_box_and_the_named_queries(server):
    status, media, body = http(server + "/")
    assert (status, media) == (200, "text/html")
    page = body.decode()
    assert '<form action="/sparql"' in page and "<textarea" in page
    assert all(f"/queries/{name}" in page for name in cptkg.load().queries)


def test_serve_binds_to_loopback_unless_told_otherwise():
    from cptkg.cli import parser

    args = parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
