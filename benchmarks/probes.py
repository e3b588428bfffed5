"""One measurement per process: the children the benchmark suite (``benchmarks/run.py``) starts.

    python benchmarks/probes.py NAME ARGS...

Each probe does one job the way its user would and prints JSON on standard output (the last
line; ``queries`` prints one line per query as it goes, so a run stopped at the time cap keeps
what it measured). The parent measures wall time and peak memory from the outside.

Probes: ``rdflib-parse`` (the cold-report baseline), ``queries`` (every named query on one engine:
``cptkg``, ``pyoxigraph`` or ``rdflib``), ``paired-queries`` (cptkg and pyoxigraph in one process,
each query on both by turns: the fair ratio on a shared machine), ``remote-queries`` (the named queries against a store's
endpoint), ``owlrl`` (the naive consistency check), ``vcf-floor`` and ``csv-floor`` (reading a
file and nothing more), ``gsp-post`` (loading a Turtle file into a store by the Graph Store
Protocol, the baseline of ``cptkg push``).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

#: Values for the named queries' parameters: a code every generated graph holds, and resources of it.
PARAMETER_VALUES = {"code": "81311", "resource": "cptkg:gene-NRAS", "target": "MONDO:0005012", "indication": None}
#: Repeats per query: at least this many runs, or until this many seconds have passed.
MIN_RUNS, MIN_SECONDS = 10, 1.0


def query_cases() -> Iterator[tuple[str, str, dict[str, str]]]:
    """(case name, query name, parameters) for every named query.

    A query with an optional ``code`` runs twice: for 81311 (``name``) and for every code of the graph
    (``name*``), the case that grows with the graph. Required parameters get :data:`PARAMETER_VALUES`.
    """
    from cptkg.core.queries import catalog

    for name, named in sorted(catalog().items()):
        params = {p.name: PARAMETER_VALUES[p.name] for p in named.parameters if p.required}
        optional_code = any(p.name == "code" and not p.required for p in named.parameters)
        if optional_code:
            yield name, name, {**params, "code": PARAMETER_VALUES["code"]}
            yield name + "*", name, params
        else:
            yield name, name, params


def _timed(run: Callable[[], int]) -> dict:
    """First-run and median time (ms) of ``run`` (which returns its row count)."""
    return _timed_by_turns({"run": run})["run"]


def _timed_by_turns(calls: dict[str, Callable[[], int]]) -> dict[str, dict]:
    """:func:`_timed` of several calls, one run of each in turn, until each has run :data:`MIN_RUNS`
    times or one has spent :data:`MIN_SECONDS`."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    rows: dict[str, int] = {}
    while True:
        for name, call in calls.items():
            start = time.perf_counter()
            rows[name] = call()
            times[name].append(time.perf_counter() - start)
        if len(times[next(iter(calls))]) >= MIN_RUNS or max(sum(t) for t in times.values()) >= MIN_SECONDS:
            break
    figures = {}
    for name, measured in times.items():
        repeats = measured[1:] or measured
        figures[name] = {"rows": rows[name], "first_ms": round(measured[0] * 1000, 3),
                         "median_ms": round(statistics.median(repeats) * 1000, 3),
                         "min_ms": round(min(repeats) * 1000, 3), "runs": len(measured)}  # fmt: skip
    return figures


def _emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def data_files(codes: str | None) -> list[tuple[Path, str]]:
    """(file, named graph) of the ontology and data of the generated graph whose ``codes/`` folder is ``codes``."""
    from cptkg.core.resources import data_sources, ontology_sources

    return [
        (s.path, s.graph) for s in ontology_sources() + data_sources() + (data_sources(Path(codes)) if codes else [])
    ]


def probe_rdflib_parse(codes: str = "") -> None:
    """Import rdflib and parse every file of the graph into its named graph (the report baseline)."""
    from rdflib import Dataset, URIRef

    dataset = Dataset()
    for path, graph in data_files(codes or None):
        dataset.graph(URIRef(graph)).parse(path, format="turtle")
    _emit({"quads": len(dataset)})


def _query_engine(engine: str, codes: str = "") -> tuple[float, Callable]:
    """Load the graph with one engine: (load seconds, a function (named query, params) -> a timed call)."""
    start = time.perf_counter()
    if engine == "cptkg":
        import cptkg

        kg = cptkg.load(codes) if codes else cptkg.load()
        run_case = lambda named, params: lambda: len(kg.run(named, params))
    elif engine == "pyoxigraph":
        import pyoxigraph as ox

        from cptkg.core.prefixes import NAMESPACES
        from cptkg.core.rdfio import to_oxigraph

        # Each file into its named graph, then their union into the default graph: pyoxigraph's own
        # union default graph repeats a triple once per graph holding it, which changes the rows of
        # most queries (and loading a file twice would give its blank nodes two names).
        store = ox.Store()
        for path, graph in data_files(codes or None):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")

        def run_case(named, params):
            substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in named.bind(params).items()}
            return lambda: len(list(store.query(named.text, prefixes=NAMESPACES, substitutions=substitutions)))
    elif engine == "rdflib":
        from rdflib import Dataset, URIRef

        from cptkg.core.prefixes import NAMESPACES

        dataset = Dataset(default_union=True)
        for path, graph in data_files(codes or None):
            dataset.graph(URIRef(graph)).parse(path, format="turtle")

        def run_case(named, params):
            bindings = named.bind(params)
            return lambda: len(list(dataset.query(named.text, initNs=NAMESPACES, initBindings=bindings)))
    else:
        raise SystemExit(f"unknown engine {engine!r}")
    return time.perf_counter() - start, run_case


def probe_queries(engine: str, codes: str = "") -> None:
    """Load the graph with one engine, then run every named query (one JSON line each)."""
    from cptkg.core.queries import catalog

    load_s, run_case = _query_engine(engine, codes)
    _emit({"load_s": round(load_s, 3)})
    queries = catalog()
    for case, name, params in query_cases():
        _emit({"case": case, **_timed(run_case(queries[name], params))})


def probe_paired_queries(codes: str = "") -> None:
    """cptkg and pyoxigraph in one process, each query timed on both by turns (cptkg, pyoxigraph,
    cptkg ...), so that the two see the same load of a shared machine and their ratio is fair.
    One JSON line per engine and case, with an ``engine`` field."""
    from cptkg.core.queries import catalog

    engines = {}
    for engine in ("cptkg", "pyoxigraph"):
        load_s, engines[engine] = _query_engine(engine, codes)
        _emit({"engine": engine, "load_s": round(load_s, 3)})
    queries = catalog()
    for case, name, params in query_cases():
        calls = {engine: run_case(queries[name], params) for engine, run_case in engines.items()}
        for engine, figures in _timed_by_turns(calls).items():
            _emit({"engine": engine, "case": case, **figures})


def probe_remote_queries(endpoint: str) -> None:
    """The named queries against a store that ``cptkg push`` filled (cptkg's remote backend)."""
    from cptkg import connect
    from cptkg.core.queries import catalog

    start = time.perf_counter()
    kg = connect(endpoint)
    _emit({"load_s": round(time.perf_counter() - start, 3)})
    queries = catalog()
    for case, name, params in query_cases():
        named = queries[name]
        _emit({"case": case, **_timed(lambda named=named, params=params: len(kg.run(named, params)))})


#: owlrl error messages name the individual as a full IRI; classes are CamelCase, individuals not.
_INDIVIDUAL = re.compile(r"https://w3id\.org/cptkg/([a-z][^\s'\",)]*)")


def probe_owlrl(merged: str) -> None:
    """The naive consistency check: rdflib parse, owlrl RDFS + OWL RL closure, read the error nodes."""
    import owlrl
    from rdflib import RDF, Graph, URIRef

    graph = Graph()
    graph.parse(merged, format="turtle")
    size = len(graph)
    owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics).expand(graph)
    error = "http://www.daml.org/2002/03/agents/agent-ont#"
    messages = sorted(
        str(m)
        for node in graph.subjects(RDF.type, URIRef(error + "ErrorMessage"))
        for m in graph.objects(node, URIRef(error + "error"))
    )
    individuals = sorted({"cptkg:" + match for message in messages for match in _INDIVIDUAL.findall(message)})
    _emit({"triples": size, "inferred": len(graph) - size, "errors": len(messages), "individuals": individuals})


def probe_vcf_floor(path: str) -> None:
    """Open, decompress and split every VCF record, nothing more (``bench_variants.read_only``)."""
    from bench_variants import read_only

    start = time.perf_counter()
    records = read_only(Path(path))
    _emit({"records": records, "read_s": round(time.perf_counter() - start, 3)})


def probe_vcf_cyvcf2(path: str) -> None:
    """htslib's own full scan through cyvcf2: every record parsed, CHROM and POS read (``bench_variants.cyvcf2_scan``)."""
    from bench_variants import cyvcf2_scan

    start = time.perf_counter()
    records = cyvcf2_scan(Path(path))
    _emit({"records": records, "read_s": round(time.perf_counter() - start, 3)})


def probe_vcf_region(path: str) -> None:
    """cyvcf2's region query of an indexed VCF over the interval cptkg reads (NRAS on GRCh38, from the graph)."""
    from bench_variants import cyvcf2_region, nras_region

    import cptkg
    from cptkg.variants import classifier

    region = nras_region(classifier(cptkg.load()))
    start = time.perf_counter()
    records = cyvcf2_region(Path(path), region)
    _emit({"records": records, "read_s": round(time.perf_counter() - start, 3)})


def probe_csv_floor(path: str) -> None:
    """A plain ``csv.reader`` pass over the claim file (``bench_claims.csv_floor``)."""
    from bench_claims import csv_floor

    _emit({"read_s": round(csv_floor(Path(path)), 3)})


def probe_polars_floor(path: str) -> None:
    """A bare polars read of the claim file (every column as text), nothing more."""
    import polars as pl

    start = time.perf_counter()
    frame = pl.read_csv(path, infer_schema=False)
    _emit({"rows": frame.height, "read_s": round(time.perf_counter() - start, 3)})


def probe_gsp_post(store: str, path: str) -> None:
    """POST a Turtle file into the store's default graph (Graph Store Protocol), as a user would with an HTTP client."""
    import httpx

    with open(path, "rb") as body:
        answer = httpx.post(store + "?default", content=body, headers={"Content-Type": "text/turtle"}, timeout=600)
    answer.raise_for_status()
    _emit({"status": answer.status_code})


PROBES: dict[str, Callable[..., None]] = {
    "rdflib-parse": probe_rdflib_parse,
    "queries": probe_queries,
    "paired-queries": probe_paired_queries,
    "remote-queries": probe_remote_queries,
    "owlrl": probe_owlrl,
    "vcf-floor": probe_vcf_floor,
    "vcf-cyvcf2": probe_vcf_cyvcf2,
    "vcf-region": probe_vcf_region,
    "csv-floor": probe_csv_floor,
    "polars-floor": probe_polars_floor,
    "gsp-post": probe_gsp_post,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in PROBES:
        raise SystemExit(f"usage: probes.py {{{','.join(PROBES)}}} ARGS...")
    PROBES[sys.argv[1]](*sys.argv[2:])
