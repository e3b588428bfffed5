"""A VCF header as cptkg reads it: the samples, the contigs, and the genome build the header states.

The build comes from what the header says, checked against the graph's chromosome data:
``##reference=`` names an assembly (``GRCh37.p13``, ``hg19``, ``.../b37/b37.fasta``,
``human_g1k_v37``, ``hs37d5``, ``hg38``), a ``##contig`` line names one (``assembly=GRCh37``,
``assembly=GCF_000001405.26``) or gives chromosome 1's length (249,250,621 on GRCh37,
248,956,422 on GRCh38), or a contig is named by an accession of one build (``NC_000001.10``). When
the clues disagree the header states no build, and :attr:`VcfHeader.conflict` says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .tables import ScopeTables

_CONTIG = re.compile(r"##contig=<(?P<body>.*)>\s*$", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'(?P<key>[A-Za-z_]+)=(?P<value>"[^"]*"|[^,]*)')


@dataclass
class VcfHeader:
    """``lines``: the header lines (without the column line); ``samples``: the sample columns."""

    lines: list[str] = field(default_factory=list)
    columns: list[str] | None = None
    samples: list[str] = field(default_factory=list)
    #: contig ID -> its attributes (length, assembly, ...)
    contigs: dict[str, dict[str, str]] = field(default_factory=dict)
    #: (assembly, the header text that says so), one per clue
    clues: list[tuple[str, str]] = field(default_factory=list)

    @property
    def stated_build(self) -> str | None:
        """The build every clue names, or None (no clue, or clues that disagree)."""
        builds = {build for build, _ in self.clues}
        return builds.pop() if len(builds) == 1 else None

    @property
    def basis(self) -> str:
        """Why the header's build is what it is, in words."""
        if not self.clues:
            return "the header names no build"
        build = self.stated_build
        if build is None:
            return self.conflict or ""
        return f"the header says {build} ({self.clues[0][1]})"

    @property
    def conflict(self) -> str | None:
        """Why the header states no build although it names some, or None."""
        builds = sorted({build for build, _ in self.clues})
        if len(builds) < 2:
            return None
        said = "; ".join(f"{build}: {next(why for b, why in self.clues if b == build)}" for build in builds)
        return f"the header names more than one build ({said})"


def read_header(lines: list[str], tables: ScopeTables) -> VcfHeader:
    """The header of these lines (``##`` lines, then the ``#CHROM`` line if there is one)."""
    header = VcfHeader()
    for line in lines:
        if line.startswith("#CHROM") or line.upper().startswith("#CHROM"):
            header.columns = line.lstrip("#").split("\t")
            header.samples = header.columns[9:]
            continue
        header.lines.append(line)
        if line.lower().startswith("##reference="):
            value = line.split("=", 1)[1].strip()
            for build in sorted(tables.assembly_of_alias(value)):
                header.clues.append((build, f"##reference={value}"))
        elif match := _CONTIG.match(line):
            attributes = {m["key"].lower(): m["value"].strip('"') for m in _ATTRIBUTE.finditer(match["body"])}
            contig = attributes.get("id", "")
            header.contigs[contig] = attributes
            header.clues.extend(_contig_clues(contig, attributes, tables))
    return header


def _contig_clues(contig: str, attributes: dict[str, str], tables: ScopeTables) -> list[tuple[str, str]]:
    clues = []
    known = tables.contigs.get(contig.upper())
    if known and known[1]:
        clues.append((known[1], f"contig {contig}"))
    if known and attributes.get("length", "").isdigit():
        length = int(attributes["length"])
        if (build := tables.lengths.get((known[0], length))) is not None:
            clues.append((build, f"##contig {contig} length {length}"))
    if assembly := attributes.get("assembly"):
        for build in sorted(tables.assembly_of_alias(assembly)):
            clues.append((build, f"##contig {contig} assembly={assembly}"))
    return clues
