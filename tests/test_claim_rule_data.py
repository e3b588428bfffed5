"""The claim rules as data: the rule table a coder reads, the named queries the checks will read, and
the coder's test cases, each checked against the other and against the graph.

``queries/claims/rules.tsv`` is the rule table; ``queries/claims/*.rq`` are the queries that give the
rules their data; ``tests/cases/claims/coder-cases*.csv`` are claim lines with the findings the rules
must give. The expectations about the graph below restate sourced facts (the reference records named
beside each), so a change of the data that breaks a rule's footing fails here.
"""

from __future__ import annotations

import csv
import re

import pytest

from cptkg.core.queries import Catalog

from .conftest import CASES, ROOT

CLAIMS = ROOT / "queries" / "claims"
RULE_COLUMNS = ["id", "family", "severity", "description", "source", "status", "data"]
LINE_COLUMNS = {"claim_id", "cpt_code", "modifiers", "icd10cm", "payer", "place_of_service", "units"}
CASE_FILES = sorted((CASES / "claims").glob("coder-cases*.csv"))
SEVERITY = re.compile(r"\b(error|warning|info|ok)\b")
#: rules no case can hit with the package as shipped, and why
UNREACHABLE = {"variant-check-unavailable": "needs the variant feature switched off"}


def rules() -> dict[str, dict[str, str]]:
    with (CLAIMS / "rules.tsv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        assert reader.fieldnames == RULE_COLUMNS
        rows = list(reader)
    assert len({row["id"] for row in rows}) == len(rows), "rule ids repeat"
    return {row["id"]: row for row in rows}


def case_lines() -> list[tuple[str, int, dict[str, str]]]:
    lines = []
    for path in CASE_FILES:
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                lines.append((path.name, number, row))
    return lines


def findings(cell: str) -> set[tuple[str, str]]:
    """``error:a; info:b`` as {(severity, rule)}; ``-`` is none.

    >>> sorted(findings("error:modifier-combination; info:coverage-not-covered"))
    [('error', 'modifier-combination'), ('info', 'coverage-not-covered')]
    >>> findings("-")
    set()
    """
    items = [item.strip() for item in cell.split(";") if item.strip() and item.strip() != "-"]
    return {tuple(item.split(":", 1)) for item in items}  # type: ignore[misc]


@pytest.fixture(scope="module")
def claims_queries() -> Catalog:
    return Catalog(CLAIMS)


@pytest.fixture(scope="module")
def ask(kg, claims_queries):
    def run(name: str, **params) -> list[dict]:
        return kg.run(claims_queries[name], params).records()

    return run


# ---------------------------------------------------------------- the rule table


def test_every_rule_is_readable_by_a_coder_and_sourced(kg, claims_queries):
    known_queries = set(kg.queries) | set(claims_queries)
    for rule_id, row in rules().items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule_id), rule_id
        assert SEVERITY.match(row["severity"]), rule_id
        assert row["status"] in ("VERIFIED", "UNVERIFIED"), rule_id
        assert len(row["description"].split()) >= 6, rule_id
        # one source: a web address, or a document of the project the source column names
        assert re.search(r"https?://|reference facts|billing-rules\.md|docs/cli\.md", row["source"]), rule_id
        for item in row["data"].split(";"):
            name = item.strip().split(" (")[0]
            if name and name != "-" and not name.startswith(("gap", "input column", "modifiers ", "with ")):
                assert name in known_queries, (rule_id, name)


def test_the_rules_of_issue_22_are_in_the_table():
    ids = set(rules())
    assert {
        "variant-in-scope-not-hotspot", "variant-out-of-scope", "variant-other-gene", "diagnosis-non-billable",
        "diagnosis-decimal-free", "diagnosis-before-icd10", "code-before-start", "mcrc-needs-review", "mcrc-by-claim",
        "modifier-combination", "modifier-gx-with-ga-or-gz", "modifier-gy-under-lcd", "modifier-tc-clfs",
        "modifier-qw-not-waived", "modifier-guidance-conflict", "units-above-mue-line", "units-mue-date-of-service",
        "contractor-unknown", "coverage-outside-moldx", "payer-unknown", "dex-z-code-missing", "dex-z-code-not-checked",
        "policy-not-in-force", "units-decimal-read",
    } <= ids  # fmt: skip


def test_unconfirmed_values_make_a_rule_unverified():
    table = rules()
    for rule_id in ("units-above-mue-line", "units-mue-date-of-service", "code-before-start", "modifier-qw-not-waived",
                    "diagnosis-decimal-free", "mcrc-needs-review"):  # fmt: skip
        assert table[rule_id]["status"] == "UNVERIFIED", rule_id
    assert table["units-above-limit"]["status"] == "VERIFIED" and "A57486" in table["units-above-limit"]["source"]


# ---------------------------------------------------------------- the coder's cases


def test_the_cases_are_claim_lines_with_sourced_expectations():
    table = rules()
    lines = case_lines()
    assert len([line for name, _, line in lines if name == "coder-cases.csv"]) >= 60
    for name, number, line in lines:
        assert LINE_COLUMNS <= set(line), name
        assert line["why"].strip(), f"{name}:{number}"
        assert line["expected"].strip(), f"{name}:{number}: write - for no finding"
        for severity, rule_id in findings(line["expected"]) | findings(line["not_expected"]):
            assert rule_id in table, f"{name}:{number}: {rule_id}"
            assert severity in SEVERITY.findall(table[rule_id]["severity"]), f"{name}:{number}: {severity}:{rule_id}"
        assert not findings(line["expected"]) & findings(line["not_expected"]), f"{name}:{number}"


def test_every_rule_is_hit_from_both_sides():
    expected, not_expected = set(), set()
    for _, _, line in case_lines():
        expected |= {rule for _, rule in findings(line["expected"])}
        not_expected |= {rule for _, rule in findings(line["not_expected"])}
    reachable = set(rules()) - set(UNREACHABLE)
    assert sorted(reachable - expected) == [], "rules no line expects"
    assert sorted(reachable - not_expected) == [], "rules no line expects not to fire"


def test_every_payer_and_contractor_name_of_the_cases_is_one_the_graph_holds(ask):
    names = {row["name"].casefold() for row in ask("payer-forms")}
    unknown = {"humana", "novitas jl", ""}  # the lines that expect payer-unknown or contractor-unknown
    for name, number, line in case_lines():
        for column in ("payer", "contractor"):
            value = " ".join(line.get(column, "").split()).casefold()
            expects_unknown = {"payer-unknown", "contractor-unknown"} & {r for _, r in findings(line["expected"])}
            assert value in names or (value in unknown and (expects_unknown or column == "contractor")), (
                f"{name}:{number}: {column} {value!r}"
            )


# ---------------------------------------------------------------- the data the rules read


def test_non_billable_categories_name_their_billable_codes(ask):
    leaves = {}
    for row in ask("billable-codes"):
        leaves.setdefault(row["category"], []).append(row["billable_code"])
    # billing-rules.md: C92.0 (AML) non-billable; C92.00/.01/.02; C18.0-C18.9; C78.0 and C79.5 headers
    assert leaves["C92.0"] == ["C92.00", "C92.01", "C92.02"]
    assert leaves["C94.2"] == ["C94.20", "C94.21", "C94.22"]
    assert leaves["C18"] == [f"C18.{d}" for d in range(10)]
    assert leaves["C78.0"] == ["C78.00", "C78.01", "C78.02"] and leaves["C79.5"] == ["C79.51", "C79.52"]
    assert leaves["C92.1"] == ["C92.10"] and "C43" not in leaves  # only C92.10 is sourced; C43's codes are a gap
    billable = {row["notation"]: row["billable"] for row in ask("diagnosis-codes")}
    assert billable["C19"] is True and billable["C20"] is True and billable["Z85.038"] is True
    assert not any(billable[c] for c in ("C18", "C92.0", "C92.4", "C92.A", "C93.0", "C94.0", "C77", "C78", "C79", "C43"))


def test_diagnosis_groups_make_the_indication_families(ask):
    groups: dict[str, set[str]] = {}
    for row in ask("diagnosis-codes"):
        groups.setdefault(row["notation"], set()).add(row["group"])
    aml = "cptkg:dxgroup-aml"
    for code in ("C92.00", "C92.41", "C92.52", "C92.60", "C92.A1", "C93.02", "C94.00", "C94.21"):
        assert aml in groups[code], code
    assert aml not in groups["C92.10"] and aml not in groups["C92.1"]
    assert "cptkg:dxgroup-colorectal-primary" in groups["C18.7"] & groups["Z85.038"] & groups["C20"]
    assert groups["Z85.048"] == {None}  # only after review (a data gap)
    assert "cptkg:dxgroup-secondary-neoplasm" in groups["C78.00"] & groups["C79.51"]
    assert groups["C77"] == {"cptkg:dxgroup-lymph-node-secondary"}
    required = {}
    for row in ask("indication-groups"):
        required.setdefault(row["indication"], set()).add(row["group"])
    assert required["cptkg:indication-metastatic-colorectal-cancer"] == {
        "cptkg:dxgroup-colorectal-primary", "cptkg:dxgroup-secondary-neoplasm"
    }  # fmt: skip
    assert required["cptkg:indication-aml"] == {aml}
    review = {row["notation"]: row["review_group"] for row in ask("review-points") if row["notation"]}
    assert review == {"C18.1": None, "C77": "cptkg:dxgroup-secondary-neoplasm", "Z85.048": "cptkg:dxgroup-colorectal-primary"}


def test_payer_forms_settle_payer_jurisdiction_and_programme(ask):
    forms = {(row["name"], row["name_kind"]): row for row in ask("payer-forms")}
    moldx = "cptkg:program-moldx"
    assert forms[("MEDICARE PART B", "payer alias")]["payer"] == "cptkg:payer-medicare"
    assert forms[("UHC", "payer alias")]["payer"] == "cptkg:payer-unitedhealthcare"
    assert forms[("Noridian JE", "jurisdiction alias")]["jurisdiction_code"] == "JE"
    assert forms[("CGS J15", "jurisdiction alias")]["program"] == moldx
    assert forms[("01112", "contract number")]["jurisdiction_code"] == "JE"  # A57486's contract list
    assert forms[("15202", "contract number")]["jurisdiction_code"] == "J15"
    assert forms[("Palmetto GBA", "contractor")]["program"] == moldx and forms[("Palmetto GBA", "contractor")]["jurisdiction"] is None
    assert forms[("NGS", "contractor")]["program"] is None and forms[("J6", "jurisdiction code")]["program"] is None
    in_moldx = {row["code"] for row in ask("jurisdictions") if row["program"] == "MolDX"}
    assert in_moldx == {"JE", "JF", "JJ", "JM", "J5", "J8", "J15"}


def test_policies_carry_programme_jurisdiction_and_dates(ask):
    rows = ask("policy-scope", code="81311")
    numbers = {row["number"] for row in rows if row["program_label"] == "MolDX"}
    assert numbers == {"L35073", "L35442", "L36335", "L36339", "L36797", "A57486"}
    assert {row["number"] for row in rows if row["test_identifier"]} == {"A57486"}
    binds = {row["number"]: row["jurisdiction_code"] for row in rows if row["jurisdiction_code"]}
    assert binds == {"L36335": "JE", "A57486": "JE"}
    effective = {row["number"]: str(row["effective"]) for row in rows if row["effective"]}
    assert effective == {"L36339": "2016-07-05", "L36797": "2017-02-16", "A57486": "2019-12-01"}
    missing = {(row["number"], row["missing"]) for row in rows if row["missing"]}
    assert {("L35073", "cptkg:effectiveDate"), ("L36335", "cptkg:effectiveDate"), ("L35442", "cptkg:effectiveDate")} <= missing


def test_unit_limits_say_what_is_unconfirmed(ask):
    limits = {row["limit"]: row for row in ask("unit-limits", code="81311")}
    mue = limits["cptkg:mue-81311"]
    assert (mue["units"], mue["status"], mue["mai"]) == (1, "UNVERIFIED", None)  # billing-rules.md Read first 1
    article = limits["cptkg:unitlimit-A57486-81311"]
    assert (article["units"], article["status"], article["policy_number"], article["jurisdiction_code"]) == (1, "VERIFIED", "A57486", "JE")
    counting = {row["mai"]: (row["counted_per"], row["modifier_lifts"]) for row in ask("adjudication-indicators")}
    assert counting == {"1": ("claim line", True), "2": ("date of service", False), "3": ("date of service", False)}


def test_first_dates_of_use(ask):
    dates = {(row["kind"], row["notation"]): (str(row["valid_from"]), row["status"]) for row in ask("first-dates")}
    assert dates[("code system", "ICD-10-CM")] == ("2015-10-01", "VERIFIED")
    assert dates[("billing code", "81311")] == ("2015-01-01", "UNVERIFIED")
    assert dates[("billing code", "81275")] == ("2012-01-01", "UNVERIFIED")
    assert dates[("modifier", "XS")] == ("2015-01-01", "VERIFIED")
    assert dates[("place of service", "19")] == ("2016-01-01", "VERIFIED")


def test_modifier_rules(ask):
    rows = ask("modifier-rules")
    pairs = {(row["rule"], row["modifier"], row["other"]) for row in rows if row["other"]}
    assert {("claim returned", "GX", "GA"), ("claim returned", "GX", "GZ")} <= pairs
    assert not {p for p in pairs if "GX" in p and "GY" in p}  # GX with GY is allowed
    assert {("not combinable", a, b) for a in ("GA", "GY", "GZ") for b in ("GA", "GY", "GZ") if a != b} <= pairs
    assert ("disallowed", "TC") in {(row["rule"], row["modifier"]) for row in rows}
    assert ("unconfirmed for the code", "QW", "81311") in {(row["rule"], row["modifier"], row["code"]) for row in rows}


# ---------------------------------------------------------------- the cases through the package


def case_ids() -> list[str]:
    return [f"{name}:{number}:{row['claim_id']}:{row['cpt_code']}" for name, number, row in case_lines()]


@pytest.fixture(scope="module")
def checked(kg) -> dict[tuple[str, int], list]:
    """The findings of every case file, each checked whole (lines of one claim_id are one claim)."""
    found: dict[tuple[str, int], list] = {}
    for path in CASE_FILES:
        for finding in kg.check_claims(path):
            found.setdefault((path.name, finding.line), []).append(finding)
    return found


@pytest.mark.parametrize("case", case_lines(), ids=case_ids())
def test_the_package_gives_each_case_its_verdict(checked, case):
    """Every expected finding, none of the not-expected ones, and no other error or warning."""
    name, number, line = case
    found = checked[(name, number)]
    given = {(f.severity, f.rule) for f in found}
    expected, not_expected = findings(line["expected"]), findings(line["not_expected"])
    assert expected <= given, f"missing {sorted(expected - given)}; got {sorted(given)} ({line['why']})"
    assert not given & not_expected, f"unexpected {sorted(given & not_expected)} ({line['why']})"
    extra = {(s, r) for s, r in given - expected if s in ("error", "warning")}
    assert not extra, f"other errors or warnings {sorted(extra)}"
    for f in found:  # one source each; a rule whose value is not confirmed says so
        assert f.source and "\n" not in f.message
        if table_status(f.rule) == "UNVERIFIED" or "believed" in f.message:
            assert "UNVERIFIED" in f.message, (f.rule, f.message)


def table_status(rule: str) -> str:
    return rules()[rule]["status"]
