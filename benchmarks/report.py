"""Render the benchmark suite's ``results.json`` as ``BENCHMARKS.md`` (targets first, then every figure).

python benchmarks/run.py --render /tmp/cptkg-bench-xyz/results.json
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

#: Query cases faster than this (ms) on pyoxigraph are dominated by per-call overhead and timer noise.
TINY_MS = 0.5


def _runs(results: dict, op: str, tool: str) -> dict:
    """size -> the runs of one operation and tool."""
    found: dict = defaultdict(list)
    for run in results["runs"]:
        if run["op"] == op and run["tool"] == tool:
            found[run["size"]].append(run)
    return found


def _median(runs: list[dict]) -> dict | None:
    """The run with the median time (timed-out runs count as the slowest)."""
    if not runs:
        return None
    ordered = sorted(runs, key=lambda r: (r["timed_out"], r["seconds"]))
    return ordered[(len(ordered) - 1) // 2]


def _time(run: dict | None, cap: float) -> str:
    if run is None:
        return "—"
    if run["timed_out"]:
        return f"> {cap:.0f} s"
    return f"{run['seconds']:.2f} s"


def _mem(run: dict | None) -> str:
    """Peak memory; unknown for a process stopped at the cap (GNU time reports nothing then)."""
    return "—" if run is None or run["timed_out"] else f"{run['peak_rss_mib']:.0f} MiB"


def _ratio(slow: dict | None, fast: dict | None) -> tuple[str, float | None]:
    """How many times ``fast`` is faster than ``slow``, as text and number (None when unknown)."""
    if slow is None or fast is None or fast["timed_out"]:
        return "—", None
    value = slow["seconds"] / max(fast["seconds"], 1e-9)
    return (f"> {value:.1f}×" if slow["timed_out"] else f"{value:.1f}×"), value


def _triples(results: dict, size) -> int:
    return results["graphs"].get(str(size), {}).get("triples", 0)


def _verdict(ok: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[ok]


def render(results: dict) -> str:
    cap = results["cap_s"]
    m = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    out = [
        "# Benchmarks",
        "",
        "Speed and memory of cptkg against the naive use of its own libraries, on the same input in the same run.",
        "Written by `python benchmarks/run.py` (see `benchmarks/README.md`); do not edit by hand.",
        "",
        "## Machine and run",
        "",
        f"- {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['system']}, Python {m['python']}",
        f"- {versions}",
        f"- run {results['started']} to {results.get('finished', '?')}, commit {m['commit']}",
        f"- load average at start {', '.join(f'{x:.1f}' for x in m['load_average_start'])}"
        + (f", at end {', '.join(f'{x:.1f}' for x in m['load_average_end'])}" if "load_average_end" in m else "")
        + " (a shared 2-core VM: expect ±10–20 % run to run, more on sub-second figures)",
        (
            f"- every figure is one process measured from outside: wall time including interpreter start-up, peak RSS"
            f' of the process; a process still running at {cap:.0f} s was stopped ("> {cap:.0f} s"); cptkg\'s'
            " modules compiled to bytecode first, as an installed package is (`benchmarks/bytecode.py`)"
        ),
        *[f"- {note}" for note in results.get("notes", [])],
        "",
        "## Graphs",
        "",
        "| codes | triples (ontology + data) | synthetic triples | codes with injected defects | all.ttl |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, g in sorted(results["graphs"].items(), key=lambda kv: int(kv[0])):
        out.append(
            f"| {size} | {g['triples']:,} | {g['synthetic_triples']:,} | {len(g['defective_codes'])} | {g['all_ttl_mib']} MiB |"
        )
    out += [
        "",
        *_targets(results),
        "",
        *_graph_tables(results),
        "",
        *_query_tables(results),
        "",
        *_line_tables(results),
        *_export_tables(results),
    ]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- targets


def _targets(results: dict) -> list[str]:
    cap = results["cap_s"]
    rows = []
    sizes = sorted(int(s) for s in results["graphs"])

    # check vs owlrl
    check, naive = _runs(results, "check", "cptkg"), _runs(results, "check", "naive")
    for size in sizes:
        if not (check.get(size) and naive.get(size)):
            continue
        text, value = _ratio(_median(naive.get(size, [])), _median(check.get(size, [])))
        need = 5 if size == 1 else 10
        ok = None if value is None else value >= need
        rows.append(
            (f"check ≥ {need}× faster than owlrl closure ({size} codes, {_triples(results, size):,} triples)", text, ok)
        )
    skip = _runs(results, "check", "cptkg-skip")
    for size in sizes:
        run = _median(skip.get(size, []))
        if run:
            text, value = _ratio(_median(naive.get(size, [])), run)
            need = 5 if size == 1 else 10
            rows.append(
                (
                    f"check without {', '.join(run['skipped'])} ≥ {need}× faster than owlrl ({size} codes)",
                    text,
                    None if value is None else value >= need,
                )
            )
    if sizes:
        for tool, runs in (
            ("", check),
            (
                " (without " + ", ".join(_median(skip[sizes[-1]])["skipped"]) + ")" if skip.get(sizes[-1]) else None,
                skip,
            ),
        ):
            big = _median(runs.get(sizes[-1], [])) if tool is not None else None
            if big:
                rows.append(
                    (
                        f"check of {sizes[-1]} codes under 30 s{tool}",
                        _time(big, cap),
                        not big["timed_out"] and big["seconds"] < 30,
                    )
                )
                rows.append((f"check of {sizes[-1]} codes under 2 GiB{tool}", _mem(big), big["peak_rss_mib"] < 2048))
    for size in sizes:
        c, n = _median(check.get(size, [])), _median(naive.get(size, []))
        if c and n and "owlrl" in n and "findings" in c:
            missed = sorted(set(n["owlrl"]["individuals"]) - set(c["findings"]["error_resources"]))
            extra = len(set(c["findings"]["error_resources"]) - set(n["owlrl"]["individuals"]))
            rows.append((f"check finds every individual owlrl reports ({size} codes)",
                         (f"owlrl {len(n['owlrl']['individuals'])}, cptkg {len(c['findings']['error_resources'])} "
                          f"({extra} more); missed: {', '.join(missed) or 'none'}"), not missed))  # fmt: skip
        elif c and n and n["timed_out"] and "findings" in c:
            rows.append(
                (
                    f"check findings ({size} codes)",
                    f"owlrl did not finish; cptkg: {_count_errors(c)} error findings",
                    None,
                )
            )

    # validate vs pyshacl
    val, shacl = _runs(results, "validate", "cptkg"), _runs(results, "validate", "naive")
    for size in sizes:
        if not shacl.get(size):
            continue
        text, value = _ratio(_median(shacl.get(size, [])), _median(val.get(size, [])))
        need = 2 if _triples(results, size) >= 100_000 else 1
        rows.append(
            (
                f"validate ≥ {need}× pyshacl ({size} codes)",
                text if value else "cptkg validate not run",
                None if value is None else value >= need,
            )
        )

    # queries vs pyoxigraph
    for size in sizes:
        summary = _query_summary(results, size, "cptkg", "pyoxigraph")
        if summary:
            rows.append((f"named queries within 2× of pyoxigraph ({size} codes)",
                         (f"geometric mean {summary['geomean']:.2f}×; {summary['over']} of {summary['cases']} cases over 2×"
                          f" ({summary['over_big']} of them over {TINY_MS} ms on pyoxigraph)"), summary["over_big"] == 0))  # fmt: skip

    # cold report vs import rdflib + parse
    rep, base = _runs(results, "report", "cptkg"), _runs(results, "report", "naive")
    for size in sizes:
        r, b = _median(rep.get(size, [])), _median(base.get(size, []))
        if r and b:
            value = r["seconds"] / b["seconds"]
            rows.append(
                (
                    f"cold report 81311 within 1.5× of import rdflib + parse ({size} codes)",
                    f"{value:.2f}× ({r['seconds']:.2f} s vs {b['seconds']:.2f} s)",
                    value <= 1.5,
                )
            )

    # memory flat in file size: the streaming readers (the row engine of claims; the columnar engine's
    # memory is bounded by its batch instead, its own target below)
    for op, tool, name in (("variant", "cptkg", "variant"), ("claims", "row", "claims --engine row")):
        runs = {size: _median(r) for size, r in _runs(results, op, tool).items()}
        if len(runs) >= 2:
            small, large = min(runs), max(runs)
            growth = runs[large]["peak_rss_mib"] - runs[small]["peak_rss_mib"]
            rows.append((f"{name}: memory flat from {small:,} to {large:,} lines",
                         f"{runs[small]['peak_rss_mib']:.0f} → {runs[large]['peak_rss_mib']:.0f} MiB", growth < 0.1 * runs[small]["peak_rss_mib"] + 16))  # fmt: skip
    rows += _columnar_targets(results)

    # push
    push = _runs(results, "push", "cptkg")
    if push:
        size = max(push)
        rows.append((f"push of {size} codes into the oxigraph server measured", _time(_median(push[size]), cap), True))
    lines = ["## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {target} | {measured} | {_verdict(ok)} |" for target, measured, ok in rows]
    return lines


def _columnar_targets(results: dict) -> list[tuple[str, str, bool]]:
    """Issue 19's goals for the columnar claims engine: memory bounded by its batch (1M lines under
    1 GiB), and within 4x of a bare ``csv.reader`` pass at 400k lines or more."""
    columnar, floor = _runs(results, "claims", "columnar"), _runs(results, "claims", "floor")
    rows = []
    for size in sorted(s for s in columnar if s >= 400_000):
        run, bare = _median(columnar[size]), _median(floor.get(size, [])) or {}
        rows.append((f"claims --engine columnar: {size:,} lines under 1 GiB", f"{run['peak_rss_mib']:.0f} MiB",
                     not run["timed_out"] and run["peak_rss_mib"] < 1024))  # fmt: skip
        if bare.get("read_s") and not run["timed_out"]:
            ratio = run["seconds"] / bare["read_s"]
            rows.append((f"claims --engine columnar within 4× of a csv.reader pass ({size:,} lines)",
                         f"{ratio:.1f}× ({run['seconds']:.2f} s vs {bare['read_s']:.2f} s)", ratio <= 4))  # fmt: skip
    return rows


def _export_tables(results: dict) -> list[str]:
    """The readers of exported files (issue 16), each against a bare pass over the same file."""
    runs = [r for r in results["runs"] if r["op"] == "exports" and r.get("figures")]
    if not runs:
        return []
    f = runs[-1]["figures"]
    rif, sssom, x12 = f.get("rif", {}), f.get("sssom", {}), f.get("x12", {})
    return [
        "## Readers of exported files",
        "",
        "Timed inside one process (`benchmarks/bench_exports.py`), each reader against a bare pass over the same file.",
        "",
        "| file | size | cptkg's reader | bare pass | ratio |",
        "|---|---:|---:|---:|---:|",
        (f"| CMS RIF carrier claims (read through the layout) | {rif.get('lines', 0):,} lines | {rif.get('layout_read_s', 0):.2f} s "
         f"| `csv.reader` {rif.get('bare_csv_s', 0):.2f} s | {rif.get('ratio', 0):.1f}× |"),
        (f"| the same file, whole `cptkg claims` process | {rif.get('lines', 0):,} lines ({rif.get('skipped_other_codes', 0):,} for other codes) "
         f"| {rif.get('command_s', 0):.2f} s | | |"),
        (f"| SSSOM mapping set (`cptkg link`) | {sssom.get('rows', 0):,} rows | sssom-py {sssom.get('sssom-py_s', 0):.2f} s "
         f"| plain reader {sssom.get('csv_s', 0):.2f} s | {sssom.get('sssom-py_s', 0) / max(sssom.get('csv_s', 0), 1e-9):.1f}× |"),
        (f"| X12 837P (pyx12 segment walk) | {x12.get('service_lines', 0):,} service lines | {x12.get('walk_s', 0):.2f} s "
         f"| split on `~` {x12.get('bare_split_s', 0):.3f} s | {x12.get('ratio', 0):.1f}× |"),
        "",
    ]  # fmt: skip


def _count_errors(run: dict) -> int:
    return sum(v for k, v in run["findings"]["counts"].items() if k.startswith("error:"))


# ---------------------------------------------------------------- graph operations


def _graph_tables(results: dict) -> list[str]:
    cap = results["cap_s"]
    out = ["## Operations on graphs of N codes", ""]
    pairs = [
        ("report", "cold `cptkg report 81311`", "import rdflib + parse the same files", "cptkg", "naive"),
        ("check", "`cptkg check`", "rdflib + owlrl RDFS_OWLRL closure", "cptkg", "naive"),
        ("validate", "`cptkg validate`", "`pyshacl` command line", "cptkg", "naive"),
        ("push", "`cptkg push` (oxigraph server)", "Graph Store Protocol POST of all.ttl", "cptkg", "naive"),
    ]
    for op, ours, theirs, a, b in pairs:
        mine, base = _runs(results, op, a), _runs(results, op, b)
        sizes = sorted(set(mine) | set(base))
        if not sizes:
            continue
        out += [
            f"### {op}",
            "",
            f"| codes | triples | {ours} | memory | {theirs} | memory | speed-up |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size in sizes:
            x, y = _median(mine.get(size, [])), _median(base.get(size, []))
            out.append(
                f"| {size} | {_triples(results, size):,} | {_time(x, cap)} | {_mem(x)} | {_time(y, cap)} | {_mem(y)} | {_ratio(y, x)[0]} |"
            )
        if op == "report":
            imp = _runs(results, "report", "import")
            out.append("")
            out.append(
                '`python -c "import rdflib"` alone: '
                + ", ".join(f"{s} codes {_time(_median(r), cap)}" for s, r in sorted(imp.items()))
                + "."
            )
        if op == "check":
            skip = _runs(results, "check", "cptkg-skip")
            if skip:
                rules = ", ".join(next(iter(skip.values()))[0]["skipped"])
                out += [
                    "",
                    f"`cptkg check --skip {rules}` (the other rules' cost):",
                    "",
                    "| codes | time | memory | speed-up over owlrl |",
                    "|---:|---:|---:|---:|",
                ]
                for size in sorted(skip):
                    x = _median(skip[size])
                    out.append(
                        f"| {size} | {_time(x, cap)} | {_mem(x)} | {_ratio(_median(base.get(size, [])), x)[0]} |"
                    )
            out += [
                "",
                "| codes | cptkg findings | cptkg inferred triples | owlrl errors | owlrl inferred triples |",
                "|---:|---|---:|---:|---:|",
            ]
            for size in sizes:
                x, y = _median(mine.get(size, [])), _median(base.get(size, []))
                if (x is None or "findings" not in x) and skip.get(size):
                    x = _median(skip[size])
                counts = (
                    ", ".join(f"{k} {v}" for k, v in sorted(x["findings"]["counts"].items()))
                    if x and "findings" in x
                    else "—"
                )
                inferred = f"{x['findings']['inferred']:,}" if x and "findings" in x else "—"
                owl = y.get("owlrl") if y else None
                out.append(f"| {size} | {counts} | {inferred} | {owl['errors'] if owl else '—'} | {owl['inferred']:,} |" if owl else
                           f"| {size} | {counts} | {inferred} | — | — |")  # fmt: skip
        out.append("")
    return out


# ---------------------------------------------------------------- queries


def _cases(results: dict, size, tool: str) -> dict:
    run = _median(_runs(results, "queries", tool).get(size, []))
    if not run:
        return {}
    return {c["case"]: c for c in run.get("cases", []) if "case" in c}


def _load(results: dict, size, tool: str) -> str:
    run = _median(_runs(results, "queries", tool).get(size, []))
    if not run:
        return "—"
    loads = [c["load_s"] for c in run.get("cases", []) if "load_s" in c]
    return f"{loads[0]:.2f} s" if loads else ("> cap" if run["timed_out"] else "—")


def _query_summary(results: dict, size, tool: str, base: str) -> dict | None:
    mine, theirs = _cases(results, size, tool), _cases(results, size, base)
    common = [c for c in mine if c in theirs]
    if not common:
        return None
    ratios = {c: mine[c]["median_ms"] / max(theirs[c]["median_ms"], 1e-6) for c in common}
    over = [c for c, r in ratios.items() if r > 2]
    return {
        "cases": len(common),
        "geomean": math.exp(statistics.fmean(math.log(max(r, 1e-6)) for r in ratios.values())),
        "over": len(over),
        "over_big": sum(theirs[c]["median_ms"] >= TINY_MS for c in over),
        "worst": max(ratios, key=ratios.get),
        "ratios": ratios,
        "total_ms": sum(mine[c]["median_ms"] for c in common),
        "base_total_ms": sum(theirs[c]["median_ms"] for c in common),
    }


def _ms(case: dict | None) -> str:
    return "—" if case is None else f"{case['median_ms']:.2f}"


def _query_tables(results: dict) -> list[str]:
    sizes = sorted({r["size"] for r in results["runs"] if r["op"] == "queries"})
    if not sizes:
        return []
    out = ["## Named queries", "",
           ("Every named query, warm (median of up to 10 runs after the first, within about a second, each materialising all rows), after one load."
           " `name` binds code 81311 (or the required parameter); `name*` leaves the optional code free: every code of"
           " the graph. pyoxigraph: the same SPARQL text and bindings on a `pyoxigraph.Store` holding the same files"
           " (each in its named graph and in the default graph, so the rows are the same). rdflib: `Dataset.query` of"
           " the text each call, as a user would. remote: cptkg's remote backend against the oxigraph server that"
           " `cptkg push` filled."), "",
           "| codes | load: cptkg | pyoxigraph | rdflib | sum of medians: cptkg | pyoxigraph | rdflib | remote | cptkg ÷ pyoxigraph (geometric mean) | cases over 2× |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for size in sizes:
        s = _query_summary(results, size, "cptkg", "pyoxigraph")
        rdf, remote = _cases(results, size, "rdflib"), _cases(results, size, "remote")
        rdf_total = f"{sum(c['median_ms'] for c in rdf.values()):,.0f} ms ({len(rdf)} cases)" if rdf else "—"
        remote_total = f"{sum(c['median_ms'] for c in remote.values()):,.0f} ms" if remote else "—"
        if s:
            out.append(f"| {size} | {_load(results, size, 'cptkg')} | {_load(results, size, 'pyoxigraph')} | {_load(results, size, 'rdflib')} | "
                       f"{s['total_ms']:,.0f} ms | {s['base_total_ms']:,.0f} ms | {rdf_total} | {remote_total} | {s['geomean']:.2f}× | "
                       f"{s['over']} (worst {s['worst']} {s['ratios'][s['worst']]:.1f}×) |")  # fmt: skip
    out += [
        "",
        'Per case, median ms: cptkg / pyoxigraph / rdflib (rdflib "—" = not reached before the cap); ≠ marks a row count that differs from pyoxigraph\'s.',
        "",
    ]
    out.append("| case | " + " | ".join(f"{s} codes" for s in sizes) + " |")
    out.append("|---|" + "---:|" * len(sizes))
    every = sorted({c for s in sizes for c in _cases(results, s, "cptkg")})
    for case in every:
        cells = []
        for size in sizes:
            mine, theirs, rdf = (_cases(results, size, t).get(case) for t in ("cptkg", "pyoxigraph", "rdflib"))
            if not mine:
                cells.append("—")
                continue
            flag = " ≠" if theirs and theirs["rows"] != mine["rows"] else ""
            cells.append(f"{mine['median_ms']:.2f} / {theirs['median_ms']:.2f} / {rdf['median_ms']:.1f}{flag}" if theirs and rdf else
                         f"{mine['median_ms']:.2f} / {_ms(theirs)} / —{flag}")  # fmt: skip
        out.append(f"| {case} | " + " | ".join(cells) + " |")
    return out


# ---------------------------------------------------------------- files of N lines


def _line_tables(results: dict) -> list[str]:
    cap = results["cap_s"]
    out = ["## Files of N lines (the shipped graph)", ""]
    for op, title, floor in (("variant", "`cptkg variant --vcf FILE --format json`", "read and split the VCF"),
                             ("claims", "`cptkg claims FILE --format json --output`", "`csv.reader` pass")):  # fmt: skip
        mine, base = _runs(results, op, "cptkg"), _runs(results, op, "floor")
        if not mine:
            continue
        out += [
            f"### {op}",
            "",
            f"| lines | file | {title} | lines/s | peak memory | {floor} (process) |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for size in sorted(mine):
            x, y = _median(mine[size]), _median(base.get(size, []))
            rate = "—" if x["timed_out"] else f"{size / x['seconds']:,.0f}"
            out.append(
                f"| {size:,} | {x.get('file_mib', '?')} MiB | {_time(x, cap)} | {rate} | {_mem(x)} | {_time(y, cap)}, {_mem(y)} |"
            )
        out.append("")
        if op == "claims":
            out += _claim_engines(results)
        if op == "variant":
            out += _variant_against_htslib(results, mine, cap)
    return out


def _claim_engines(results: dict) -> list[str]:
    """The claim engines side by side, with the bare reads of the same file (timed inside their process)."""
    cap = results["cap_s"]
    engines = {tool: _runs(results, "claims", tool) for tool in ("row", "columnar", "floor", "polars")}
    if not engines["columnar"]:
        return []
    out = [
        "| lines | `--engine row` | `--engine columnar` | `csv.reader` pass | polars read | columnar ÷ csv.reader pass |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sorted(engines["columnar"]):
        row, columnar = (_median(engines[t].get(size, [])) for t in ("row", "columnar"))
        floor, polars = (_median(engines[t].get(size, [])) or {} for t in ("floor", "polars"))
        passes = [f"{r['read_s']:.2f} s" if r.get("read_s") else "—" for r in (floor, polars)]
        ratio = columnar["seconds"] / floor["read_s"] if floor.get("read_s") and not columnar["timed_out"] else None
        out.append(f"| {size:,} | {_time(row, cap)}, {_mem(row)} | {_time(columnar, cap)}, {_mem(columnar)} | "
                   f"{passes[0]} | {passes[1]} | {f'{ratio:.1f}×' if ratio else '—'} |")  # fmt: skip
    return [*out, ""]


def _variant_against_htslib(results: dict, mine: dict, cap: float) -> list[str]:
    """cptkg's full scan against cyvcf2's, and its region read of the indexed file against cyvcf2's query and
    one expression (all whole processes)."""
    hts, region, hts_region = (_runs(results, "variant", t) for t in ("cyvcf2", "region", "region-cyvcf2"))
    single = _runs(results, "variant", "expression")
    if not hts:
        return []
    out = [("| lines | cptkg full scan | cyvcf2 full scan | cptkg / cyvcf2 | cptkg region read (tabix) | cyvcf2 region query "
            "| `cptkg variant 'NRAS G12D'` | region read / one expression |"),
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for size in sorted(mine):
        x, h, r, hr, s = (_median(runs.get(size, [])) for runs in (mine, hts, region, hts_region, single))
        scan = "—" if x is None or h is None else f"{x['seconds'] / max(h['seconds'], 1e-9):.2f}×"
        answer = "—" if r is None or s is None else f"{r['seconds'] / max(s['seconds'], 1e-9):.2f}×"
        out.append(f"| {size:,} | {_time(x, cap)} | {_time(h, cap)} | {scan} | {_time(r, cap)} | {_time(hr, cap)} "
                   f"| {_time(s, cap)} | {answer} |")  # fmt: skip
    return out + [""]
