"""Another code is data, not code: a folder of Turtle files adds CPT 81275 without touching the package.

The package now ships 81275 (and 81276, 81210) in its own ``data/<code>/`` folders; the graph here is
made of the packaged data without those folders, so that the fixture folder is what adds the code.
"""

from __future__ import annotations

import cptkg
from cptkg.core.resources import folder

from .conftest import FIXTURES, run_process

CODE_81275 = FIXTURES / "code-81275"
SIBLINGS = ("81210", "81275", "81276")


def packaged_without_siblings() -> list:
    data = folder("data")
    return [path for path in sorted(data.rglob("*.ttl")) if path.relative_to(data).parts[0] not in SIBLINGS]


def test_second_code_from_data_files_only(kg):
    assert cptkg.load(data=packaged_without_siblings()).codes == ["81311"]
    both = cptkg.load(CODE_81275, data=packaged_without_siblings())
    assert both.codes == ["81275", "81311"]
    rows = both.query("covered-codons", code="81275").records()
    assert [(r["gene_symbol"], r["exon_number"], r["codon_number"]) for r in rows] == [("KRAS", 2, 12), ("KRAS", 2, 13)]
    # the first code is untouched
    assert both.query("covered-codons", code="81311").records() == kg.query("covered-codons", code="81311").records()
    # a user's folder never fills the package's graphs: each file gets a graph of its own, named after it
    # (loaded beside the whole shipped package, whose files fill the package's graphs)
    sizes = {name: graph_sizes(graph) for name, graph in (("with", cptkg.load(CODE_81275)), ("shipped", kg))}
    for name in ("cpt-code-set", "transcript-structure"):
        assert sizes["with"][CPTKG + "graph-" + name] == sizes["shipped"][CPTKG + "graph-" + name]
        assert sizes["with"][CPTKG + "graph-user-" + name] > 0


CPTKG = "https://w3id.org/cptkg/"


def graph_sizes(graph: cptkg.KnowledgeGraph) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    return {str(row.term("g")): int(row["n"]) for row in graph.sparql(query)}


def test_second_code_report_from_the_command_line(tmp_path):
    done = run_process("--load", str(CODE_81275), "report", "81275", "--format", "json", cwd=tmp_path)
    assert done.code == 0, done.err
    assert '"code": "81275"' in done.out
    assert "KRAS exon 2 variant analysis" in done.out
    assert run_process("report", "81299", cwd=tmp_path).code == 2
