"""Reasoning and consistency checks: the shipped graph's outcome, one fixture per rule that breaks it
on purpose, the closure kept apart from the asserted graph, the JSON contract and the command line.

Each fixture in ``tests/cases/checks/`` is added to the shipped graph and names, in its header, the
finding it must cause (rule, severity, resources). The test also checks that the shipped graph has no
such finding and that the finding vanishes when that rule is skipped, so no test here passes with a
check switched off.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cptkg
from cptkg.checks import CheckReport, Finding, check, rules
from cptkg.reasoning import INFERRED_GRAPH, reason

from .conftest import CASES, run_process

FIXTURES = sorted((CASES / "checks").glob("*.ttl"))


def expectation(path: Path) -> dict[str, str | list[str]]:
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect-"):
            key, _, value = line[len("# expect-") :].partition(":")
            header[key.strip()] = value.strip()
    header["resources"] = header["resources"].split()
    return header


def matches(finding: Finding, expected: dict) -> bool:
    ids = {term.id for term in finding.resources}
    return finding.rule == expected["rule"] and set(expected["resources"]) <= ids


def involving(report: CheckReport, resources: list[str]) -> list[Finding]:
    return [f for f in report if set(resources) <= {term.id for term in f.resources}]


@pytest.fixture(scope="module")
def shipped(kg) -> CheckReport:
    return check(kg)


# ---------------------------------------------------------------- the shipped graph


def test_shipped_graph_has_no_error(shipped):
    assert shipped.consistent and shipped.exit_status == 0
    assert [f for f in shipped if f.severity == "error"] == []
    assert shipped.asserted_triples > 1000 and shipped.inferred_triples > 0


def test_modifier_26_conflict_is_a_warning_with_both_sources(shipped):
    found = [f for f in shipped.of("billing-guidance-conflict") if "cptkg:guidance-seed-81311-modifier-26" in {t.id for t in f.resources}]
    others = {t.id for f in found for t in f.resources} - {"cptkg:guidance-seed-81311-modifier-26"}
    assert {"cptkg:guidance-medicare-physician-interpretation", "cptkg:guidance-medicare-lab-director-interpretation"} <= others
    for finding in found:
        sources = {t.id for t in finding.sources}
        assert finding.severity == "warning"
        assert "cptkg:source-seed-81311-coding-specifications" in sources  # what the seed says
        assert any(s.startswith("cptkg:ref-7-") for s in sources)  # what the CMS reference records say
        assert {"cptkg:graph-seed-81311", "cptkg:graph-cms"} <= sources


@pytest.mark.parametrize(
    ("indication", "verdict"),
    [("cptkg:indication-metastatic-melanoma", "exclude"), ("cptkg:indication-cutaneous-melanoma", "exclude"),
     ("cptkg:indication-aml", "exclude")],
)  # fmt: skip
def test_moldx_coverage_conflicts_are_warnings_with_both_sources(shipped, indication, verdict):
    [finding] = [f for f in shipped.of("coverage-indication-conflict") if indication in {t.id for t in f.resources}]
    assert finding.severity == "warning" and verdict in finding.message
    sources = {t.id for t in finding.sources}
    assert "cptkg:source-seed-81311-clinical-context" in sources and "cptkg:ref-8-moldx-nras-coverage-scope" in sources
    assert {"cptkg:graph-seed-81311", "cptkg:graph-moldx"} <= sources


def test_covered_and_broader_indications_are_not_reported(shipped):
    flagged = {t.id for f in shipped.of("coverage-indication-conflict") for t in f.resources}
    # MolDX covers metastatic colorectal cancer: a subtype of both of these
    assert "cptkg:indication-colorectal-cancer" not in flagged
    assert "cptkg:indication-malignancy" not in flagged


def test_checking_an_unedited_export_gives_the_same_outcome(kg, shipped, tmp_path):
    exported = tmp_path / "export.ttl"
    exported.write_text(kg.export("turtle"), encoding="utf-8")
    again = check(kg, data=[exported])
    outcome = lambda report: sorted((f.severity, f.rule, f.message) for f in report)
    assert again.consistent == shipped.consistent
    assert outcome(again) == outcome(shipped)
    assert again.asserted_triples == shipped.asserted_triples


def test_same_findings_on_either_backend(shipped):
    assert check(cptkg.load(backend="rdflib")).to_json() == shipped.to_json()


# ---------------------------------------------------------------- one fixture per rule


def test_every_rule_has_a_fixture():
    assert {expectation(path)["rule"] for path in FIXTURES} == set(rules())


def test_every_rule_header_is_complete():
    for rule in rules().values():
        assert rule.title and rule.why and rule.fix and rule.severity in ("error", "warning", "info"), rule.name


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_fixture_breaks_its_rule(fixture, shipped):
    expected = expectation(fixture)
    broken = cptkg.load(fixture)
    report = check(broken)
    found = [f for f in report if matches(f, expected)]
    assert found, f"{expected['rule']} did not fire: {[f.message for f in report]}"
    assert {f.severity for f in found} == {expected["severity"]}
    assert report.consistent == (expected["severity"] != "error")
    assert all(f.message and "{" not in f.message for f in found)
    # the finding comes from the fixture, and from this rule alone
    assert not [f for f in shipped if matches(f, expected)]
    assert involving(check(broken, skip=[expected["rule"]]), expected["resources"]) == []


def test_a_finding_names_the_fixture_graph_as_a_source():
    report = check(cptkg.load(CASES / "checks" / "functional-property.ttl"))
    [finding] = report.of("functional-property")
    sources = {t.id for t in finding.sources}
    assert {"cptkg:graph-user-functional-property", "cptkg:graph-transcript-structure"} <= sources  # the user file, the package
    labels = {t.id: t.label for t in finding.resources}
    assert labels["cptkg:codon-NRAS-12"] == "NRAS codon 12"


def test_disjointness_names_the_axiom_and_why_each_type_holds():
    [finding] = check(cptkg.load(CASES / "checks" / "disjoint-classes.ttl")).of("disjoint-classes")
    assert "owl:AllDisjointClasses" in finding.message and "rdf:type" in finding.message
    assert "cptkg:graph-user-disjoint-classes" in {t.id for t in finding.sources}


def test_disjointness_through_a_range_is_found(tmp_path):
    # codon 12 named as a payer: the range of cptkg:relevantPayer makes it a Payer, disjoint with Codon
    misuse = tmp_path / "misuse.ttl"
    misuse.write_text(
        "@prefix cptkg: <https://w3id.org/cptkg/> .\ncptkg:code-81311 cptkg:relevantPayer cptkg:codon-NRAS-12 .\n",
        encoding="utf-8",
    )
    found = [f for f in check(cptkg.load(misuse)).of("disjoint-classes") if f.resources[0].id == "cptkg:codon-NRAS-12"]
    assert found and all("cptkg:relevantPayer" in f.message for f in found)
    assert "cptkg:graph-user-misuse" in {t.id for f in found for t in f.sources}


# ---------------------------------------------------------------- owlrl's own reports


@pytest.mark.slow
def test_owlrl_errors_become_findings():
    broken = cptkg.load(CASES / "checks" / "disjoint-classes.ttl")
    report = check(broken, engine="owlrl")
    assert report.of("owlrl") and all(f.severity == "error" for f in report.of("owlrl"))
    assert any("gene-NRAS" in f.message for f in report.of("owlrl"))
    assert check(broken, engine="owlrl", skip=["owlrl", "disjoint-classes"]).of("owlrl") == []


@pytest.mark.slow
def test_owlrl_is_blind_to_a_functional_clash_that_the_rules_see():
    broken = cptkg.load(CASES / "checks" / "functional-property.ttl")
    report = check(broken, engine="owlrl")
    assert report.of("owlrl") == []  # owlrl merges the two exons silently
    assert report.of("functional-property") and not report.consistent


# ---------------------------------------------------------------- reasoning


def test_inferred_triples_are_kept_apart(kg):
    before = kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").one().n
    closure = kg.reason()
    assert INFERRED_GRAPH in closure.graph_names() and INFERRED_GRAPH not in kg.graph_names()
    ask = "ASK { cptkg:codon-NRAS-12 a cptkg:CodingRegion }"
    assert closure.sparql(ask).boolean and not kg.sparql(ask).boolean
    inferred_only = "ASK { GRAPH cptkg:graph-inferred { cptkg:codon-NRAS-12 a cptkg:CodingRegion } }"
    assert closure.sparql(inferred_only).boolean
    assert kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").one().n == before
    assert closure.export("n-triples") == kg.export("n-triples")
    assert len(closure.inferred) == closure.inferred_triples > 0
    # named queries run with or without the closure
    assert closure.query("covered-codons", code="81311").records() == kg.query("covered-codons", code="81311").records()


def test_rules_engine_infers_the_chain_inverse_and_transitive_properties(kg):
    closure = reason(kg)
    assert closure.sparql("ASK { GRAPH cptkg:graph-inferred { ?v cptkg:variantInExon cptkg:exon-NRAS-2 } }").boolean
    assert closure.sparql(
        "ASK { GRAPH cptkg:graph-inferred { cptkg:indication-metastatic-colorectal-cancer cptkg:subtypeOf cptkg:indication-malignancy } }"
    ).boolean
    # nothing trivial: no owl:Thing or rdfs:Resource typing, no sameAs
    assert not closure.sparql("ASK { GRAPH cptkg:graph-inferred { ?x a ?c FILTER(?c IN (owl:Thing, rdfs:Resource)) } }").boolean
    assert not closure.sparql("ASK { GRAPH cptkg:graph-inferred { ?x owl:sameAs ?y } }").boolean


@pytest.mark.parametrize("rule", [r for r in rules().values() if "candidates" in r.query.header], ids=lambda r: r.name)
def test_a_rule_run_per_candidate_gives_the_rows_of_the_whole_rule(rule):
    from cptkg.checks.run import _rows_of

    closure = reason(cptkg.load(*FIXTURES))
    rows = lambda found: {tuple(sorted((k, str(v)) for k, v in row.items() if v is not None)) for row in found}
    whole = rows(closure.backend.execute(rule.query.text, {}).terms())
    assert whole and rows(_rows_of(rule, closure)) == whole


def test_checking_in_place_gives_the_same_report_and_only_then_changes_the_graph(kg, shipped):
    check(kg)
    assert INFERRED_GRAPH not in kg.graph_names()  # a copy was reasoned over
    own = cptkg.load()
    assert check(own, in_place=True).to_json() == shipped.to_json()
    assert own.sparql(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}").boolean  # its own store was used


def closure_by_whole_rounds(kg) -> set:
    """The rules engine's closure computed the plain way: every rule over the whole graph, round after round."""
    from cptkg.reasoning import RulesEngine

    asserted = [quad.triple for quad in kg.backend.quads()]
    return {triple for triple in RulesEngine().closure(asserted).inferred}


def inferred_triples(closure) -> set:
    import pyoxigraph as ox

    return {q.triple for q in closure.backend.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))}


def test_later_rounds_reading_only_new_triples_reach_the_same_closure():
    # every check fixture at once: disjoint types, functional clashes, chains through wrong exons
    kg = cptkg.load(*FIXTURES)
    assert inferred_triples(reason(kg)) == closure_by_whole_rounds(kg)


def test_a_schema_triple_inferred_late_makes_every_rule_read_the_whole_graph_again(tmp_path):
    # cptkg:fixture-mirrors becomes symmetric only when the last rule of round one (subclass) runs;
    # the asserted statement that it makes symmetric is not new, so an incremental round alone would miss it
    data = tmp_path / "late-schema.ttl"
    data.write_text(
        """@prefix cptkg: <https://w3id.org/cptkg/> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        cptkg:FixtureMirrorProperty rdfs:subClassOf owl:SymmetricProperty .
        cptkg:fixture-mirrors a cptkg:FixtureMirrorProperty .
        cptkg:fixture-a cptkg:fixture-mirrors cptkg:fixture-b .
        """,
        encoding="utf-8",
    )
    kg = cptkg.load(data)
    closure = reason(kg)
    assert closure.sparql("ASK { GRAPH cptkg:graph-inferred { cptkg:fixture-b cptkg:fixture-mirrors cptkg:fixture-a } }").boolean
    assert inferred_triples(closure) == closure_by_whole_rounds(kg)


@pytest.mark.slow
def test_every_rules_inference_is_an_owlrl_inference(kg):
    fast, full = reason(kg, "rules"), reason(kg, "owlrl")
    assert set(fast.inferred) - set(full.inferred) == set()
    assert fast.inferred_triples < full.inferred_triples


# ---------------------------------------------------------------- JSON and command line


def test_json_is_the_documented_shape(shipped):
    document = json.loads(shipped.to_json())
    assert list(document) == ["consistent", "asserted_triples", "inferred_triples", "findings"]
    assert document["consistent"] is True
    for finding in document["findings"]:
        assert list(finding) == ["severity", "rule", "message", "resources", "sources"]
        assert all(set(term) == {"id", "label"} for term in finding["resources"] + finding["sources"])


def test_dataframe_and_text(shipped):
    frame = shipped.to_dataframe()
    assert list(frame.columns) == ["severity", "rule", "message", "resources", "sources"] and len(frame) == len(shipped)
    assert shipped.text().startswith("consistent: 0 errors")
    assert "<table>" in shipped._repr_html_()


def test_unknown_rule_is_a_parameter_error(kg):
    with pytest.raises(cptkg.ParameterError, match="unknown check rule"):
        check(kg, skip=["no-such-rule"])


def test_cli_exit_status_and_json(cli):
    done = cli("check", "--format", "json")
    assert done.code == 0 and json.loads(done.out)["consistent"] is True
    broken = cli("--load", str(CASES / "checks" / "functional-property.ttl"), "check")
    assert broken.code == 1 and "ERROR [functional-property]" in broken.out
    warned = cli("--load", str(CASES / "checks" / "ontology-missing-definition.ttl"), "check")
    assert warned.code == 0 and "WARNING [ontology-missing-definition]" in warned.out


def test_cli_data_files(cli, kg, tmp_path):
    exported = tmp_path / "mine.nt"
    exported.write_text(kg.export("n-triples"), encoding="utf-8")
    done = cli("check", "--data", str(exported), "--format", "json")
    assert done.code == 0 and json.loads(done.out)["consistent"] is True
    bad = tmp_path / "bad.ttl"
    bad.write_text("cptkg:x cptkg:y .\n", encoding="utf-8")
    failed = cli("check", "--data", str(bad))
    assert failed.code == 2 and "bad.ttl" in failed.err and failed.out == ""


def test_cli_as_a_process():
    done = run_process("check")
    assert done.code == 0 and done.out.startswith("consistent")
