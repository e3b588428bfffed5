"""The HTML outputs as a person sees them: the report page and the documentation set, rendered in
headless Chromium (Debian's ``chromium``, driven by Playwright) and checked on the rendered page:
what is visible, how rows are coloured, where links lead, and that nothing is fetched."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from cptkg.report import SECTIONS, build

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# the flags that keep Chromium off the network and quiet on a closed machine
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "the HTML tests need Chromium (Debian: apt-get install chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)  # a fresh profile each time
        yield launched
        launched.close()


class Opened:
    def __init__(self, page, requests: list[str], path: Path) -> None:
        self.page, self.requests, self.path = page, requests, path


def open_page(browser, path: Path, width: int = 1100) -> Opened:
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    return Opened(page, requests, path)


@pytest.fixture(scope="module")
def report(browser, tmp_path_factory):
    from cptkg.cli import main

    target = tmp_path_factory.mktemp("report") / "81311.html"
    assert main(["report", "81311", "--format", "html", "--output", str(target)]) == 0
    opened = open_page(browser, target)
    yield opened
    opened.page.close()


def test_the_page_is_self_contained(report):
    assert report.requests == [report.path.as_uri()]  # the page itself and nothing else
    assert report.page.title() == "CPT 81311 in the cptkg knowledge graph"


def test_every_section_is_visible_with_its_items(kg, report):
    content = build(kg, "81311")
    page = report.page
    for section in SECTIONS:
        heading = page.locator(f"#section-{section.key} h2")
        assert heading.is_visible() and heading.inner_text() == section.title
        groups = {str(row.get(section.group_by)) for row in content["sections"][section.key]}
        assert page.locator(f"#section-{section.key} ul.items > li").count() == max(len(groups), 1)


def test_each_item_names_its_source(kg, report):
    graphs = {row["graph"].removeprefix("cptkg:graph-") for row in kg.query("sources").records()}
    items = report.page.locator("ul.items > li").all()
    assert len(items) > 50
    for item in items:
        text = item.inner_text()
        if text == "(none in the graph)":
            continue
        said = item.locator(".said")
        assert said.is_visible(), text
        named = set(said.locator(".graph").all_inner_texts())
        assert named and named <= graphs, text


def test_a_statement_with_a_source_of_its_own_shows_that_source(kg, report):
    """Which source backs which statement: each link of an indication names the one record it was read in."""
    rows = kg.query("provenance", resource="cptkg:indication-aml").records()
    own = {(r["property"], r["value"]): r for r in rows if r["level"] == "statement"}
    assert len(own) >= 10 and len({r["source"] for r in own.values()}) >= 3
    item = report.page.locator("#section-indications ul.items > li", has_text="acute myeloid leukemia")
    details = item.locator("details.statements")
    assert not details.locator("li").first.is_visible()  # folded until asked for
    details.locator("summary").click()
    for (prop, value), row in own.items():
        line = details.locator("li", has_text=f"{prop} {value}")
        assert line.is_visible() and row["source_label"] in line.inner_text(), (prop, value)
    oncotree = details.locator("li", has_text="ONCOTREE:AML").inner_text()
    assert "AML: SNOMED CT / OMIM / ICD-O-3 / OncoTree" in oncotree and "verified" in oncotree.lower()


def test_the_billing_disagreement_shows_seed_against_cms(report):
    box = report.page.locator(".conflict", has_text="Billing the professional interpretation")
    assert box.is_visible()
    rows = {r.locator("td").first.inner_text(): r for r in box.locator("tbody tr").all()}
    assert "use modifier 26" in rows["seed-81311"].inner_text()
    assert "bill G0452" in box.locator("tbody tr", has_text="G0452").inner_text()
    seed = rows["seed-81311"].locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    cms = (
        box.locator("tbody tr", has_text="G0452")
        .locator("td")
        .first.evaluate("e => getComputedStyle(e).backgroundColor")
    )
    assert seed != cms  # the seed's advice, which disagrees with CMS, stands out


def test_the_coverage_table_shows_what_the_policies_leave_out(kg, report):
    box = report.page.locator(".conflict", has_text="Indications against coverage")
    assert box.is_visible()

    def row(label: str):
        return box.locator("tbody tr").filter(
            has=report.page.locator("td:first-child", has_text=re.compile(f"^{label}$"))
        )

    covered = row("metastatic colorectal cancer")
    assert "L35073" in covered.locator("td").nth(2).inner_text()
    assert "disagree" not in (covered.get_attribute("class") or "")
    for label in ("acute myeloid leukemia", "cutaneous melanoma", "metastatic melanoma"):
        listed = row(label)
        assert listed.locator("td").nth(1).inner_text() == "seed-81311"
        assert listed.locator("td").nth(2).inner_text() == "none"
        assert "disagree" in (listed.get_attribute("class") or "")
        assert listed.locator("td").first.evaluate("e => getComputedStyle(e).fontWeight") == "600"


def test_data_gaps_and_contents_links(kg, report):
    page = report.page
    page.get_by_role("link", name="Not available (data gaps)").click()
    assert page.url.endswith("#section-data-gaps")
    gaps = page.locator("#section-data-gaps ul.items > li")
    assert gaps.first.is_visible()
    assert gaps.count() == len({r["gap"] for r in kg.query("data-gaps", code="81311").records()})
    assert "Payer coverage terms for 81311 are not in the seed" in page.locator("#section-data-gaps").inner_text()


def test_the_page_fits_a_narrow_window(browser, report):
    narrow = open_page(browser, report.path, width=700)
    try:
        assert narrow.page.evaluate("document.documentElement.scrollWidth") <= 700 + 1
        picture = narrow.page.screenshot(full_page=True)
        assert picture[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(picture[20:24], "big") > 3000  # a long page was laid out, not an empty one
    finally:
        narrow.page.close()


def test_the_documentation_set(browser, cli, tmp_path, kg):
    site = tmp_path / "site"
    run = cli("docs", "--output", str(site))
    assert run.code == 0
    names = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {"index.html", "ontology.html", "cli.html", "api.html", "81311.html", "images/cptkg-81311.svg",
            "images/cptkg-ontology.svg"} <= names  # fmt: skip
    # a folder that is not empty is refused without --force, and rewritten with it
    refused = cli("docs", "--output", str(site))
    assert refused.code == 2 and "--force" in refused.err
    assert cli("docs", "--output", str(site), "--force").code == 0

    guide = open_page(browser, site / "index.html")
    try:
        assert guide.page.get_by_role("heading", name="Pointing at a triple store").is_visible()
        picture = guide.page.locator("img").first
        assert picture.evaluate("e => e.complete && e.naturalWidth > 0")  # the guide's picture loads
        assert all(url.startswith("file://") for url in guide.requests)
        guide.page.get_by_role("link", name="Ontology", exact=True).click()
        # pyLODE's page: every class of the ontology, by its label
        text = guide.page.inner_text("body")
        for row in kg.sparql("SELECT ?label WHERE { GRAPH cptkg:graph-ontology { ?c a owl:Class ; rdfs:label ?label "
                             "FILTER(STRSTARTS(STR(?c), 'https://w3id.org/cptkg/')) } }").records():  # fmt: skip
            assert row["label"] in text
        guide.page.go_back()
        guide.page.get_by_role("link", name="Command line").click()
        assert guide.page.get_by_role("heading", name="cptkg report").is_visible()
    finally:
        guide.page.close()
