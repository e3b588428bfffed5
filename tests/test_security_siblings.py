"""Issue 17, the siblings: holes of the same classes as the reproduced ones, found while closing
those, each failing on the code before the fix.

* outbound connections: rdflib's engine fetched the IRI of a ``FROM`` clause from the web; a
  ``SERVICE`` written with code-point escapes (``\\u0053ERVICE``, which rdflib expands), with a
  prefixed name or a relative IRI; a ``SERVICE`` sent on to a store by ``--endpoint`` / ``connect``;
* entity expansion in what a store answers (RDF/XML), and RDF/XML read from a pipe;
* a store that answers a SELECT query with a graph;
* ``--force`` on a symbolic link, and ``docs --force`` over a FIFO inside its folder;
* a query file that never ends (``/dev/zero``);
* a YAML alias bomb outside the ``curie_map``, OBO Graph JSON of the wrong shape;
* users' files of the same name, which now get a graph each;
* control characters in ``map``, in claim findings as JSON, in the HTML table of a notebook.

Black-box like the other security tests: the command line as a real process (tests/hostile.py),
the public Python API, loopback listeners.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import cptkg

from . import strategies as s
from .hostile import RAW_CONTROLS, assert_one_line_error, listener, turtle_string, write
from .hostile import cptkg as run

CASES = Path(__file__).resolve().parent / "cases"
MIXED_CLAIMS = CASES / "claims" / "mixed.csv"
CPTKG = "https://w3id.org/cptkg/"


# ---------------------------------------------------------------- outbound connections


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_rdflib_does_not_fetch_the_graph_of_a_from_clause(clause):
    """Before: rdflib's engine loads a FROM graph it does not hold from the web (GET, its answer
    parsed as Turtle or RDF/XML) and answers from it."""
    with listener(b'<http://example.org/a> <http://example.org/p> "fetched" .\n', "text/turtle") as web:
        done = run("--backend", "rdflib", "sparql", f"SELECT * {clause} <{web.url}> WHERE {{ ?s ?p ?o }}")
        assert web.requests == [], f"rdflib fetched {web.url}"
    assert "fetched" not in done.out and "Traceback" not in done.err


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_a_service_written_with_code_point_escapes_is_refused(backend):
    """Before: rdflib expands ``\\u0053`` to ``S`` in the whole query, so this is a SERVICE clause."""
    with listener() as endpoint:
        done = run("--backend", backend, "sparql", "SELECT ?x WHERE { \\u0053ERVICE <" + endpoint.url + "> { ?x ?p ?o } }")
        assert endpoint.requests == []
    assert_one_line_error(done, "SERVICE")


@pytest.mark.parametrize("form", ["prefixed", "relative", "lower-case", "comment"])
def test_service_in_any_spelling_is_refused_by_the_api(form):
    with listener() as endpoint:
        base, _, name = endpoint.url.rpartition("/")
        query = {
            "prefixed": f"PREFIX remote: <{base}/> SELECT ?x WHERE {{ SERVICE remote:{name} {{ ?x ?p ?o }} }}",
            "relative": f"BASE <{base}/> SELECT ?x WHERE {{ SERVICE <{name}> {{ ?x ?p ?o }} }}",
            "lower-case": f"SELECT ?x WHERE {{ service silent <{endpoint.url}> {{ ?x ?p ?o }} }}",
            "comment": f"SELECT ?x WHERE {{ SERVICE # the endpoint\n <{endpoint.url}> {{ ?x ?p ?o }} }}",
        }[form]
        for backend in ("oxigraph", "rdflib"):
            with pytest.raises(cptkg.CptkgError, match="SERVICE"):
                cptkg.load(backend=backend).sparql(query)
        assert endpoint.requests == []


def test_a_service_in_a_string_or_a_comment_is_no_service():
    """The screening reads strings and comments as such: a query that only mentions SERVICE runs
    (holds before the fix too; kept so that the screening never becomes a regex on the raw text)."""
    kg = cptkg.load()
    rows = kg.sparql('SELECT ?x WHERE { BIND("SERVICE <http://example.org/>" AS ?x) } # SERVICE <http://x/>')
    assert [str(row["x"]) for row in rows] == ["SERVICE <http://example.org/>"]


def test_a_store_is_not_asked_to_federate():
    """Before: ``connect(URL).sparql`` sent a SERVICE query to the store, which then connects on our behalf."""
    with listener() as store, listener() as elsewhere:
        kg = cptkg.connect(store.url)
        with pytest.raises(cptkg.CptkgError, match="SERVICE"):
            kg.sparql(f"SELECT ?x WHERE {{ SERVICE <{elsewhere.url}> {{ ?x ?p ?o }} }}")
        assert store.requests == [] and elsewhere.requests == []


# ---------------------------------------------------------------- what a store answers


def test_a_store_answering_an_entity_bomb_is_refused_in_bounded_memory():
    """Before: the store's RDF/XML answer went to pyoxigraph's parser, which expands the entities
    (the process aborts at the 1 GiB cap)."""
    with listener(s.billion_laughs().encode(), "application/rdf+xml") as store:
        done = run("--endpoint", store.url, "sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert_one_line_error(done, "entit", path=store.url)


def test_a_store_answering_a_graph_to_a_select_query_is_a_one_line_error():
    """Before: an AssertionError traceback (a graph where rows were expected)."""
    with listener(b'<http://example.org/a> <http://example.org/p> "x" .\n', "application/n-triples") as store:
        done = run("--endpoint", store.url, "query", "codes")
    assert_one_line_error(done, store.url)


# ---------------------------------------------------------------- writing


def test_force_refuses_a_symbolic_link(tmp_path):
    """Before: ``--force`` replaced the link (the user asked to write through it, or did not know it was one)."""
    target = write(tmp_path / "kept.txt", "the user's own file\n")
    link = tmp_path / "report.txt"
    link.symlink_to(target)
    done = run("report", "81311", "--output", link, "--force")
    assert_one_line_error(done, "regular file", path=link)
    assert link.is_symlink() and target.read_text() == "the user's own file\n"


def test_docs_with_force_does_not_replace_a_fifo_in_its_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    fifo = out / "index.html"
    os.mkfifo(fifo)
    done = run("docs", "--output", out, "--force", timeout=180)
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced"
    assert_one_line_error(done, "regular file", path=fifo)


# ---------------------------------------------------------------- input that never ends, or comes through a pipe


def test_a_query_file_that_never_ends_is_refused():
    """Before: ``sparql /dev/zero`` took the name for query text; read as a file, it was read without end."""
    assert_one_line_error(run("sparql", "/dev/zero", timeout=60), path="/dev/zero")


VALID_RDF_XML = (
    '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:cptkg="https://w3id.org/cptkg/">\n  <cptkg:Codon rdf:about="http://example.org/codon-x">'
    "<cptkg:codonNumber>twelve</cptkg:codonNumber></cptkg:Codon>\n</rdf:RDF>\n"
)


def test_rdf_xml_from_a_pipe_is_screened_then_read():
    argv = ["validate", "--data", "/dev/stdin", "--input-format", "rdf-xml"]
    done = run(*argv, stdin=VALID_RDF_XML.encode())
    assert done.code == 1 and "http://example.org/codon-x" in done.out, done.err
    assert_one_line_error(run(*argv, stdin=s.billion_laughs().encode()), "entit", path="/dev/stdin")


def test_a_gzipped_vcf_from_a_pipe_is_read_as_from_the_file(tmp_path):
    """Before: the reader sniffed the first 64 KiB, then opened the file again: from a pipe, those
    bytes were gone and the run said '0 records read', exit 0 (silent loss)."""
    import gzip

    chrom, pos, ref, alt = cptkg.load().variant("NRAS G12D").to_dict()["grch38"].split("-")
    text = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\t.\t.\n"
    path = write(tmp_path / "calls.vcf.gz", gzip.compress(text.encode()))
    expected = run("variant", "--vcf", path)
    piped = run("variant", "--vcf", "/dev/stdin", stdin=path.read_bytes())
    assert expected.code == 0 and "in scope" in expected.out
    assert (piped.code, piped.out.replace("/dev/stdin", "FILE")) == (expected.code, expected.out.replace(str(path), "FILE"))


# ---------------------------------------------------------------- terminology files


def test_an_sssom_alias_bomb_anywhere_in_the_header_is_refused(tmp_path):
    lines = ["#a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"#a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    lines += ["#mapping_set_description: *a8", "#curie_map:", "#  ex: http://example.org/",
              "subject_id\tpredicate_id\tobject_id\tmapping_justification",
              "HGNC:7989\tskos:exactMatch\tMONDO:0005575\tsemapv:ManualMappingCuration"]  # fmt: skip
    path = write(tmp_path / "bomb.sssom.tsv", "\n".join(lines) + "\n")
    with pytest.raises(cptkg.CptkgError, match="aliases") as caught:
        cptkg.load().link(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("document", [
    '{"graphs": [{"nodes": [{"id": "HGNC:7989", "lbl": [[["deep"]]]}]}]}',
    '{"graphs": [{"nodes": {"id": "HGNC:7989"}}]}',
    '{"graphs": [{"nodes": [{"id": "HGNC:7989", "meta": {"xrefs": ["MONDO:1"]}}]}]}',
    '{"graphs": [{"edges": ["HGNC:7989 is_a HGNC:1"]}]}',
    '{"graphs": [{"nodes": [{"id": {"curie": "HGNC:7989"}}]}]}',
    '{"graphs": ["a graph"]}',
], ids=["label-list", "nodes-object", "xrefs-strings", "edge-string", "id-object", "graph-string"])  # fmt: skip
def test_obo_graph_json_of_the_wrong_shape_is_skipped_by_name_or_refused_in_one_line(tmp_path, document):
    """Before: AttributeError or TypeError tracebacks (a list or a string where an object is expected),
    or a list printed whole as a label. Now each element of the wrong kind is skipped, named by its
    JSON path (``cptkg link`` lists them), and a file left with nothing to link is refused in one line."""
    path = write(tmp_path / "terms.json", document)
    done = run("--link", path, "query", "codes")
    assert "Traceback" not in done.err and done.code in (0, 2), done.err
    if done.code == 2:
        assert_one_line_error(done, path=path)
        return
    kg = cptkg.load()
    report = kg.link(path)
    assert report.skipped and all(skipped.where.startswith("graphs[") for skipped in report.skipped)
    labels = kg.sparql("SELECT ?label WHERE { GRAPH cptkg:graph-link-terms { ?s rdfs:label ?label } }")
    assert not any("deep" in str(row["label"]) for row in labels)  # no list written out as a label


# ---------------------------------------------------------------- what the ontology graph holds


def test_a_statement_the_ontology_does_not_make_is_validated_wherever_it_sits():
    """Before: validation left out every statement of the ontology graph, so data written there (in
    a store's graph by someone else, or added to the backend by hand) was never validated."""
    import pyoxigraph as ox

    kg = cptkg.load()
    codon, ontology = ox.NamedNode("http://example.org/codon-x"), ox.NamedNode(CPTKG + "graph-ontology")
    kg.backend.add([
        ox.Quad(codon, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(CPTKG + "Codon"), ontology),
        ox.Quad(codon, ox.NamedNode(CPTKG + "codonNumber"), ox.Literal("twelve"), ontology),
    ])  # fmt: skip
    report = kg.validate()
    assert not report.conforms and any("codon-x" in str(result.focus) for result in report.results)


# ---------------------------------------------------------------- users' files of one name


def test_two_user_files_of_one_name_get_a_graph_each(tmp_path):
    statement = '@prefix ex: <http://example.org/> .\nex:a ex:said "{}" .\n'
    first = write(tmp_path / "a" / "seed-81311.ttl", statement.format("first"))
    second = write(tmp_path / "b" / "seed-81311.ttl", statement.format("second"))
    rows = cptkg.load(first, second).sparql("SELECT ?g ?said WHERE { GRAPH ?g { ?a <http://example.org/said> ?said } }")
    graphs = {str(row["said"]): str(row.term("g")) for row in rows}
    assert graphs == {"first": CPTKG + "graph-user-seed-81311", "second": CPTKG + "graph-user-seed-81311-2"}


# ---------------------------------------------------------------- control characters


def test_map_prints_no_raw_control_characters(tmp_path):
    """Before: the label of the resource found (from a loaded or linked file) was printed raw."""
    label = turtle_string("hostile" + chr(27) + "[2J" + chr(0x9B) + "31m")
    data = write(tmp_path / "labels.ttl", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                 f"<{CPTKG}gene-HOSTILE> skos:exactMatch <https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/99999> ;\n"
                 f"    skos:prefLabel {label} .\n")  # fmt: skip
    done = run("--load", data, "map", "HGNC:99999")
    assert done.code == 0 and "hostile" in done.out, (done.out, done.err)
    assert not RAW_CONTROLS.search(done.out), repr(done.out)


def test_claim_findings_as_json_escape_c1_controls(tmp_path):
    """Before: JSON (``ensure_ascii=False``) carried C1 controls raw (U+009B is a terminal's CSI)."""
    lines = MIXED_CLAIMS.read_text(encoding="utf-8").splitlines()
    path = write(tmp_path / "claims.csv", lines[0] + "\n" + "C1\u009b2J," + lines[1].split(",", 1)[1] + "\n")
    done = run("claims", path, "--format", "json")
    assert not RAW_CONTROLS.search(done.out), repr(done.out[:300])
    assert json.loads(done.out)["findings"][0]["claim_id"] == "C1\u009b2J"  # the value, intact


def test_the_html_table_of_a_result_shows_control_characters_escaped():
    html = cptkg.load().sparql("SELECT ?x WHERE { }", x="red\x1b[31m<b>")._repr_html_()
    assert "\x1b" not in html and "<b>" not in html and "&lt;b&gt;" in html
