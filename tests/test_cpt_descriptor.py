"""CPT descriptor text stays out of every file the project ships and every output it prints.

The AMA owns the CPT descriptors; the project writes each code in its own words. This test holds no
descriptor text. It looks at the places where a descriptor would stand and fails on any long text
there (:data:`LONG` words or more) that is not one of the project's own labels:

- own labels: the group 11 rows of ``reference/nras-81311-facts.tsv`` that say they are in own words,
  and the texts listed in ``reference/cpt-own-words.tsv``;
- places: in RDF, the naming literals of a CPT code (:data:`NAMING`) and the value of a reference
  record whose fact is a bare CPT code; in a table (Markdown, TSV, CSV), the other cells of a row whose
  fact cell (the ``fact`` column, else the first) is a bare CPT code; in text, a list item that starts
  with a CPT code (``- 81311: ...``); in JSON, the naming fields of an object about a CPT code (its ``resource`` or ``related``).

Notes and scope notes are commentary, not places a descriptor stands in; the AMA's own check
(``cpt-text-check``, outside the repository) scans every line. A finding names the file or output,
the line or resource and the code, never the text, so a failure prints no descriptor either.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from .conftest import ROOT

C = Namespace("https://w3id.org/cptkg/")
LONG = 8
NAMING = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, DCTERMS.title, SKOS.definition,
          DCTERMS.description, RDFS.comment)  # fmt: skip
SHIPPED = ("ontology", "data", "shapes", "queries", "reference", "docs")
TEXT_SUFFIXES = {".md", ".tsv", ".csv", ".rq", ".txt", ".json"}
CPT = re.compile(r"\d{5}|\d{4}[FTU]")  # Category I codes, and Category II, III and PLA codes
OWN_WORDS = re.compile(r"\s*\(own words[^)]*\)\s*$", re.IGNORECASE)
CITATION = re.compile(r"https?://\S+|\S+@[0-9a-f]{6,}:\S+")
LIST_ITEM = re.compile(r"^\s*[-*]\s+(?P<code>\d{5}|\d{4}[FTU])(?::\s*|\s+)(?P<rest>.+)$")
OLD_COMMIT = "8f422f4"  # the last commit whose reference records held descriptor text


def words(text: str) -> str:
    """The words of a text as the descriptor check counts them: lower-case runs of letters and digits,
    web addresses and repository citations left out.

    >>> words("KRAS exon 2 (codons 12, 13); https://example.org/a-b-c")
    'kras exon 2 codons 12 13'
    """
    return " ".join(re.findall(r"[a-z0-9]+", CITATION.sub(" ", text.lower())))


def own_labels(root: Path = ROOT) -> set[str]:
    """The project's own labels of CPT codes, as :func:`words`."""
    labels = set()
    with (root / "reference" / "nras-81311-facts.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["group"].startswith("11 ") and CPT.fullmatch(row["fact"]) and OWN_WORDS.search(row["value"]):
                labels.add(words(OWN_WORDS.sub("", row["value"])))
    with (root / "reference" / "cpt-own-words.tsv").open(encoding="utf-8", newline="") as handle:
        labels |= {words(row["text"]) for row in csv.DictReader(handle, delimiter="\t")}
    return labels


LABELS = own_labels()


def is_own(text: str) -> bool:
    said = words(OWN_WORDS.sub("", text))
    return len(said.split()) < LONG or said in LABELS


# ---------------------------------------------------------------- the places a descriptor stands in


def rdf_offenders(graph: Graph, where: str, codes: set[URIRef] | None = None) -> list[tuple[str, str, str]]:
    """(where, resource, code) for each naming literal of a CPT code, and each value of a reference record
    about a bare CPT code, that is long and not an own label. ``codes`` are the CPT code resources
    (taken from ``graph`` when not given: those in the CPT scheme)."""
    codes = codes if codes is not None else set(graph.subjects(SKOS.inScheme, C["codesystem-cpt"]))
    found = []
    for code in codes:
        notation = str(graph.value(code, SKOS.notation) or code).rsplit("-", 1)[-1]
        for predicate in NAMING:
            for value in graph.objects(code, predicate):
                if isinstance(value, Literal) and not is_own(str(value)):
                    found.append((where, str(code), notation))
    for record in graph.subjects(RDF.type, C.ReferenceRecord):
        fact = str(graph.value(record, C.referenceFact) or "")
        if CPT.fullmatch(fact):
            for value in graph.objects(record, C.referenceValue):
                if not is_own(str(value)):
                    found.append((where, str(record), fact))
    return found


def table_offenders(text: str, where: str, delimiter: str | None = None) -> list[tuple[str, str, str]]:
    """(where, line, code) for each row of a table whose fact cell is a bare CPT code and whose other
    cells hold a long text that is not an own label. Markdown tables when ``delimiter`` is None."""
    found = []
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if delimiter is None:
            if not line.lstrip().startswith("|"):
                header = None
                continue
            cells = [cell.strip() for cell in line.strip()[1:-1].split("|")]
            if header is None:
                header = [cell.lower() for cell in cells]
                continue
        else:
            cells = [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter), [])]
            if header is None:
                header = [cell.lower() for cell in cells]
                continue
        key = header.index("fact") if "fact" in header else 0
        if (
            key < len(cells)
            and CPT.fullmatch(cells[key])
            and any(not is_own(cell) for i, cell in enumerate(cells) if i != key)
        ):
            found.append((where, f"line {number}", cells[key]))
    return found


def list_item_offenders(text: str, where: str) -> list[tuple[str, str, str]]:
    """(where, line, code) for each list item that starts with a CPT code and goes on with a long text
    that does not start with an own label (a label may be followed by `` (`` or ``:`` and more)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        item = LIST_ITEM.match(line)
        if not item or is_own(item["rest"]):
            continue
        rest = item["rest"]
        cuts = [m.start() for m in re.finditer(r" \(|: ", rest)] + [len(rest)]
        if not any(words(rest[:cut]) in LABELS for cut in cuts):
            found.append((where, f"line {number}", item["code"]))
    return found


def json_offenders(value, where: str, codes: set[str]) -> list[tuple[str, str, str]]:
    """(where, path, code) for the naming fields of each JSON object about a CPT code: one whose
    ``resource`` (a code row) or ``related`` (a related-code row) is a CPT code resource."""
    found = []

    def walk(node, path):
        if isinstance(node, dict):
            named = [node[k] for k in ("resource", "related") if node.get(k) in codes]
            for key in ("label", "definition", "title", "description", "name"):
                if named and isinstance(node.get(key), str) and not is_own(node[key]):
                    found.append((where, f"{path}/{key}", named[0]))
            for key, child in node.items():
                walk(child, f"{path}/{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{path}[{i}]")

    walk(value, "")
    return found


def text_offenders(text: str, where: str) -> list[tuple[str, str, str]]:
    suffix = Path(where).suffix
    if suffix in (".tsv", ".csv"):
        return table_offenders(text, where, "\t" if suffix == ".tsv" else ",")
    return table_offenders(text, where) + list_item_offenders(text, where)


# ---------------------------------------------------------------- the shipped files and the outputs


def shipped_files() -> list[Path]:
    files = [p for folder in SHIPPED for p in sorted((ROOT / folder).rglob("*")) if p.is_file()]
    return files + sorted(ROOT.glob("*.md"))


def all_rdf() -> Graph:
    graph = Graph()
    for path in shipped_files():
        if path.suffix == ".ttl":
            graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def cpt_codes() -> set[URIRef]:
    return set(all_rdf().subjects(SKOS.inScheme, C["codesystem-cpt"]))


def test_own_labels_are_read_from_the_reference_copy():
    # every code of group 11 is given in own words, and the list of other own texts is not empty
    assert {"81311", "81275", "81276", "81210", "81445", "81450", "81455", "81403"} <= {
        row["fact"]
        for row in csv.DictReader((ROOT / "reference" / "nras-81311-facts.tsv").open(encoding="utf-8"), delimiter="\t")
        if row["group"].startswith("11 ") and OWN_WORDS.search(row["value"])
    }
    assert words("NRAS exon 2 and exon 3 variant analysis") in LABELS


def test_no_shipped_file_holds_a_long_text_beside_a_cpt_code(cpt_codes):
    found = []
    for path in shipped_files():
        where = path.relative_to(ROOT).as_posix()
        if path.suffix == ".ttl":
            graph = Graph().parse(path, format="turtle")
            found += rdf_offenders(graph, where, cpt_codes & set(graph.subjects()))
        elif path.suffix in TEXT_SUFFIXES:
            found += text_offenders(path.read_text(encoding="utf-8"), where)
    assert found == []


def test_no_output_holds_a_long_text_beside_a_cpt_code(cli, kg, cpt_codes):
    from cptkg.core.prefixes import curie

    resources = {str(c) for c in cpt_codes} | {curie(c) for c in cpt_codes}
    found = []
    for code in kg.codes:
        for fmt in ("text", "markdown", "json"):
            run = cli("report", code, "--format", fmt)
            assert run.code == 0, run.err
            where = f"cptkg report {code} --format {fmt}"
            found += json_offenders(json.loads(run.out), where, resources) if fmt == "json" else text_offenders(run.out, where)
    run = cli("export", "--include", "data,ontology")
    assert run.code == 0, run.err
    found += rdf_offenders(Graph().parse(data=run.out, format="turtle"), "cptkg export", cpt_codes)
    assert found == []


# ---------------------------------------------------------------- the check can fail

INVENTED = "an invented long wording of many words that no label of the project holds"


def test_the_check_finds_a_long_text_in_each_place():
    graph = Graph().parse(
        data=f"""
        @prefix cptkg: <https://w3id.org/cptkg/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        cptkg:code-81311 skos:notation "81311" ; skos:inScheme cptkg:codesystem-cpt ;
            skos:prefLabel "NRAS exon 2 and exon 3 variant analysis" ; skos:definition "{INVENTED}" ;
            skos:note "{INVENTED}" .
        cptkg:ref-11-81311 a cptkg:ReferenceRecord ; cptkg:referenceFact "81311" ; cptkg:referenceValue "{INVENTED}" .
        cptkg:ref-11-81275 a cptkg:ReferenceRecord ; cptkg:referenceFact "81275" ;
            cptkg:referenceValue "KRAS variant analysis of exon 2, codons 12 and 13 given as examples (own words; AMA descriptor not reproduced)" .
        """,
        format="turtle",
    )
    assert sorted(rdf_offenders(graph, "fixture")) == [
        ("fixture", C + "code-81311", "81311"), ("fixture", C + "ref-11-81311", "81311")
    ]  # fmt: skip
    table = f"| fact | value |\n|---|---|\n| 81311 | {INVENTED} |\n| 81210 | BRAF V600 variant analysis |\n"
    assert table_offenders(table, "t.md") == [("t.md", "line 3", "81311")]
    tsv = f"group\tfact\tvalue\n11 Sibling codes\t81455\t{INVENTED}\n11 Sibling codes\tScope\t{INVENTED}\n"
    assert table_offenders(tsv, "t.tsv", "\t") == [("t.tsv", "line 2", "81455")]
    text = f"- 81311: {INVENTED}\n- 81210 BRAF V600 variant analysis (Current Procedural Terminology (CPT)): sibling single-gene code\n"
    assert list_item_offenders(text, "out") == [("out", "line 1", "81311")]
    document = {"sections": {"code": [{"resource": "cptkg:code-81311", "label": INVENTED, "note": INVENTED}],
                             "data-gaps": [{"resource": "cptkg:gap-x", "concerns": "cptkg:code-81311", "label": INVENTED}]}}
    assert json_offenders(document, "out", {"cptkg:code-81311"}) == [("out", "/sections/code[0]/label", "cptkg:code-81311")]


def git_show(path: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "show", f"{OLD_COMMIT}:{path}"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


@pytest.mark.parametrize("path", ["data/common/reference-records.ttl", "reference/nras-81311-facts.tsv"])
def test_the_check_fails_on_the_files_that_held_descriptor_text(path):
    # The records and the fact table of commit 8f422f4 held the AMA descriptor wording of six codes
    # (cpt-text-check listed them); read from git history, never stored or printed here.
    old = git_show(path)
    if old is None:
        pytest.skip(f"no git history with commit {OLD_COMMIT} (not a clone of the repository)")
    if path.endswith(".ttl"):
        found = rdf_offenders(Graph().parse(data=old, format="turtle"), path)
    else:
        found = table_offenders(old, path, "\t")
    assert {code for _, _, code in found} >= {"81311", "81276", "81403", "81445", "81450", "81455"}
