"""One spelling for a verification status everywhere: the reference tables', VERIFIED, UNVERIFIED, CONFLICT.

The statuses are the ``cptkg:VerificationStatus`` individuals of the ontology; their labels are the
spelling. The test reads the files a status is written in (data, ontology, shapes, queries, the
claim rule table, the package's Python) and the outputs that show one (the ``provenance`` and
``mappings`` queries, the claim rule table, the HTML report), and fails on any other casing.
"""

from __future__ import annotations

import csv
import re

import pytest

from .conftest import ROOT

#: A whole string value that is a status in some casing ("verified", 'Conflict' ...); not an HTML class name.
STATUS_VALUE = re.compile(r"""(?<![\w=-])["'](verified|unverified|conflict|not applicable)["']""", re.IGNORECASE)
#: Where a status can be written as a value.
FILES = ["data/**/*.ttl", "ontology/*.ttl", "shapes/*.ttl", "queries/**/*.rq", "queries/**/*.tsv", "cptkg/**/*.py",
         "tools/*.py", "tests/cases/**/*.json"]  # fmt: skip
#: Files whose words look like statuses but name something else, and what.
NOT_STATUSES = {
    # grade(): how strongly a record supports a link (primary, derived, secondary, conflict, unverified),
    # read from the record's status note; a grade is never shown (the link's comment says VERIFIED ...)
    "cptkg/terminology/mappings.py",
}


@pytest.fixture(scope="module")
def statuses(kg) -> set[str]:
    rows = kg.sparql("SELECT ?label WHERE { ?status a cptkg:VerificationStatus ; rdfs:label ?label }")
    return {row.label for row in rows}


def test_the_statuses_are_spelled_as_the_reference_tables_spell_them(statuses):
    assert statuses == {"VERIFIED", "UNVERIFIED", "CONFLICT", "NOT APPLICABLE"}
    with (ROOT / "reference" / "nras-81311-facts.tsv").open(encoding="utf-8", newline="") as handle:
        written = {row["status"].split()[0] for row in csv.DictReader(handle, delimiter="\t")}
    assert written - {"-"} <= statuses


def test_no_file_writes_a_status_in_another_casing(statuses):
    offending = []
    for pattern in FILES:
        for path in sorted(ROOT.glob(pattern)):
            if str(path.relative_to(ROOT)) in NOT_STATUSES:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                for match in STATUS_VALUE.finditer(line):
                    if match[1] not in statuses:
                        offending.append(f"{path.relative_to(ROOT)}:{number}: {match[0]}")
    assert offending == []


def test_every_status_note_and_rule_status_starts_with_a_status(kg, statuses):
    notes = {row.note for row in kg.sparql("SELECT DISTINCT ?note WHERE { ?r cptkg:statusNote ?note }")}
    assert notes and {note.split()[0] for note in notes} - {"-"} <= statuses  # "-": the table's "no status"
    with (ROOT / "queries" / "claims" / "rules.tsv").open(encoding="utf-8", newline="") as handle:
        assert {row["status"] for row in csv.DictReader(handle, delimiter="\t")} <= statuses


def test_the_outputs_show_the_one_spelling(kg, cli, statuses):
    shown = {row.status for row in kg.query("provenance", resource="cptkg:codon-NRAS-61") if row.status}
    assert shown and shown <= statuses
    mapped = {row.status.split()[0] for row in kg.query("mappings", resource="cptkg:gene-NRAS") if row.status}
    assert mapped and mapped <= statuses
    page = cli("report", "81311", "--format", "html").out
    badges = set(re.findall(r'<span class="status status-[a-z-]+">([^<]+)</span>', page))
    assert badges and badges <= statuses
