"""Export: every format re-parses to a graph isomorphic to the loaded one; dataset formats keep the sources apart."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from cptkg.core.rdfio import DATASET_FORMATS, FORMATS, read_quads, to_graph

EXTENSIONS = {name: extensions[0] for name, (extensions, _, _) in FORMATS.items()}
ONTOLOGY = "https://w3id.org/cptkg/graph-ontology"


def reparse(text: str, fmt: str, tmp_path) -> list:
    path = tmp_path / f"export{EXTENSIONS[fmt]}"
    path.write_text(text, encoding="utf-8")
    return read_quads(path, "https://example.org/g" if fmt not in DATASET_FORMATS else None)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_round_trips(kg, fmt, tmp_path):
    text = kg.export(fmt)
    quads = reparse(text, fmt, tmp_path)
    assert isomorphic(to_graph(quads), kg.data)
    if fmt in DATASET_FORMATS:
        graphs = {q.graph_name.value for q in quads}
        assert graphs == set(kg.graph_names()) - {"https://w3id.org/cptkg/graph-ontology"}


def test_export_with_ontology_and_shapes(kg, tmp_path):
    quads = reparse(kg.export("trig", include=["data", "ontology", "shapes"]), "trig", tmp_path)
    graphs = {q.graph_name.value for q in quads}
    assert "https://w3id.org/cptkg/graph-ontology" in graphs
    assert "https://w3id.org/cptkg/graph-shapes" in graphs or not len(kg.shapes)
    union = Graph()
    for triple in kg.ontology:
        union.add(triple)
    for triple in kg.data:
        union.add(triple)
    for triple in kg.shapes:
        union.add(triple)
    assert isomorphic(to_graph(quads), union)


def test_export_is_deterministic(kg):
    assert kg.export("turtle") == kg.export("turtle")
    first = kg.export("n-quads")
    assert first and sorted(first.splitlines()) == sorted(kg.export("n-quads").splitlines())


def test_export_rejects_unknown_part(kg):
    from cptkg.core.errors import ParameterError

    with pytest.raises(ParameterError, match="choose from data, ontology, shapes"):
        kg.export("turtle", include=["everything"])


def test_export_command_writes_file(cli, tmp_path):
    target = tmp_path / "kg.jsonld"
    run = cli("export", "--format", "json-ld", "--output", str(target))
    assert run.code == 0 and target.stat().st_size > 1000
    assert cli("export", "--format", "json-ld", "--output", str(target)).code == 2


def test_dataset_view_keeps_named_graphs(kg):
    assert isinstance(kg.dataset, Dataset)
    seed = kg.dataset.graph(URIRef("https://w3id.org/cptkg/graph-seed-81311"))
    assert (URIRef("https://w3id.org/cptkg/code-81311"), None, None) in seed


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_of_every_part_round_trips_in_every_format(kg, fmt, tmp_path):
    """Ontology, data and shapes together (shapes hold blank nodes) survive every format, graphs kept apart."""
    quads = reparse(kg.export(fmt, include=["data", "ontology", "shapes"]), fmt, tmp_path)
    union = Graph()
    for part in (kg.ontology, kg.data, kg.shapes):
        for triple in part:
            union.add(triple)
    assert isomorphic(to_graph(quads), union)
    if fmt in DATASET_FORMATS:
        expected = set(kg.graph_names()) | ({"https://w3id.org/cptkg/graph-shapes"} if len(kg.shapes) else set())
        assert {q.graph_name.value for q in quads} == expected


# ---------------------------------------------------------------- what other tools read back


def test_json_ld_keeps_the_named_graphs_for_rdflib_and_pyoxigraph(kg):
    """JSON-LD is a dataset format: rdflib and pyoxigraph both read one named graph per source back."""
    import pyoxigraph as ox

    text = kg.export("json-ld")
    expected = set(kg.graph_names()) - {"https://w3id.org/cptkg/graph-ontology"}
    quads = list(ox.parse(text.encode(), format=ox.RdfFormat.JSON_LD))
    assert {q.graph_name.value for q in quads} == expected
    dataset = Dataset()
    dataset.parse(data=text, format="json-ld")
    read = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    assert set(read) == expected
    seed = URIRef("https://w3id.org/cptkg/graph-seed-81311")
    assert isomorphic(read[str(seed)], kg.dataset.graph(seed))


@pytest.mark.parametrize("fmt", ["n-triples", "json-ld", "rdf-xml"])
def test_the_output_extension_chooses_the_format(cli, kg, tmp_path, fmt):
    """``-o x.nt`` writes N-Triples: the file parses in the format its name says, and holds the graph."""
    target = tmp_path / f"graph{EXTENSIONS[fmt]}"
    done = cli("export", "--output", str(target))
    assert done.code == 0, done.err
    quads = read_quads(target, "https://example.org/g")
    assert isomorphic(to_graph(quads), kg.data)
    names = {q.graph_name.value for q in quads}
    assert names == ((set(kg.graph_names()) - {ONTOLOGY}) if fmt in DATASET_FORMATS else {"https://example.org/g"})


def test_n_triples_by_extension_is_what_rdflib_reads_as_n_triples(cli, kg, tmp_path):
    target = tmp_path / "x.nt"
    assert cli("export", "-o", str(target)).code == 0
    assert isomorphic(Graph().parse(target, format="nt"), kg.data)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "turtle", "-o", "x.nt"], "the extension '.nt' is for n-triples, not turtle"),
        (["-o", "x.data"], "cannot tell the format from the extension '.data'"),
        (["--format", "fhir", "-o", "x.ttl"], "--format fhir writes .json files"),
        (["--profile", "dl", "--format", "trig", "-o", "x.trig"], "one ontology without named graphs"),
        (["--profile", "dl", "--include", "data,shapes", "-o", "x.owl"], "SHACL shapes are not OWL"),
    ],
)
def test_a_format_the_file_name_contradicts_is_a_one_line_error_and_nothing_is_written(cli, tmp_path, args, message):
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    done = cli("export", *args)
    assert done.code == 2 and message in done.err and done.err.count("\n") == 1, done.err
    assert list(tmp_path.iterdir()) == []


def test_an_explicit_format_wins_over_an_unknown_extension(cli, kg, tmp_path):
    target = tmp_path / "graph.data"
    assert cli("export", "--format", "n-triples", "-o", str(target)).code == 0
    assert isomorphic(Graph().parse(target, format="nt"), kg.data)
