"""Reading variant expressions into parsed-variant values: :func:`parse`.

HGVS (``c.``, ``g.``, ``p.``), gene-plus-protein shorthand, VCF-style coordinates, SPDI and dbSNP
rs numbers (the forms are listed in :mod:`cptkg.variants.model`).

Two readers give the same values: biocommons ``hgvs`` (``pip install "cptkg[hgvs]"``) and the
rules of :mod:`cptkg.variants.grammar`. ``parser="auto"`` uses biocommons when it is installed.
Text in the wrong case (``nm_002524.5:c.35g>a``, ``nras g12d``, ``p.gly12asp``) is read again in
HGVS case when it does not read as written.

>>> parse("NRAS G12D")
ProteinChange(text='NRAS G12D', accession=None, version=None, gene='NRAS', kind='sub', ref='G', codon=12, alt='D', end_ref=None, end_codon=None, written_alt='D', companion=None)
>>> parse("NM_002524.5:c.35G>A").change
'35G>A'
>>> parse("chr1:114713908:T>C")
GenomicChange(text='chr1:114713908:T>C', chromosome='1', start=114713907, end=114713908, ref='T', alt='C', accession=None)
>>> parse("cancer")
Traceback (most recent call last):
...
cptkg.core.errors.InputError: cannot read 'cancer': expected HGVS (NM_002524.5:c.35G>A, NP_002515.1:p.Gly12Asp, NC_000001.11:g.114716126C>T), gene and protein change (NRAS G12D, NRAS Q61), genomic coordinates (1-114713908-T-C), SPDI (NC_000001.11:114716125:C:T) or a dbSNP rs number
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from ..core.errors import InputError
from . import grammar
from .model import CodingChange, CPos, GenomicChange, ParsedVariant, ProteinChange, RsChange, cds_number
from .sequence import one_letter

#: accessions of reference sequences (anything else before ``:c.`` is read as a gene symbol)
_ACCESSION = re.compile(r"(?P<accession>(?:[A-Z]{2}_\d+|ENS[TPG]\d+|LRG_\d+))(?:\.(?P<version>\d+))?")
_GENE_FORM = re.compile(r"(?P<gene>[A-Za-z][A-Za-z0-9-]*)(?:\s*:\s*|\s+)(?P<rest>\S.*)")
_ANY_CHANGE = re.compile(rf"\(?(?P<ref>{grammar.aa3}|{grammar.aa1})(?P<codon>\d+)(?P<written>X|Xaa)?\)?")
_PROTEIN_TOKENS = re.compile(
    r"delins|del|ins|dup|fs|ext|ter|ala|arg|asn|asp|cys|gln|glu|gly|his|ile|leu|lys|met|phe|pro|ser|thr|trp|"
    r"tyr|val|sec|xaa|asx|glx|[a-z]|\d+|.",
    re.IGNORECASE,
)
_KEYWORDS = {"delins", "del", "ins", "dup", "fs", "ext"}
#: one-letter residues of the standard genetic code, and * for a stop
_READ_RESIDUES = set("ACDEFGHIKLMNPQRSTVWY*")
PARSERS = ("auto", "builtin", "biocommons")


_RS = re.compile(r"rs(\d+)", re.IGNORECASE)
_SPDI = re.compile(r"(?P<ac>N[CTW]_\d+\.\d+):(?P<pos>\d+):(?P<deleted>[ACGTN]*|\d+):(?P<inserted>[ACGTN]*)", re.IGNORECASE)
_VCF_LIKE = re.compile(
    r"(?:chr)?(?P<chrom>[0-9]{1,2}|X|Y|MT?)[-:\s](?P<pos>\d+)[-:\s](?P<ref>[ACGTN]+)[-:>/](?P<alt>[ACGTN]+)", re.IGNORECASE
)
#: a trailing "(...)" that names the same change another way (ClinVar titles, lab reports)
_COMPANION = re.compile(r"(?P<main>.*?\S)\s*\((?P<companion>(?:[cp]\.)?[^()]+|p\.\([^()]+\))\)")
_EXPECTED = (
    "expected HGVS (NM_002524.5:c.35G>A, NP_002515.1:p.Gly12Asp, NC_000001.11:g.114716126C>T), gene and protein "
    "change (NRAS G12D, NRAS Q61), genomic coordinates (1-114713908-T-C), SPDI (NC_000001.11:114716125:C:T) or a "
    "dbSNP rs number"
)


def parse(expression: str, hgvs_parser: str = "auto") -> ParsedVariant:
    """The parsed value of a variant expression, or an :class:`~cptkg.InputError` that says what is expected.

    ``hgvs_parser``: ``biocommons`` (the ``hgvs`` package), ``builtin`` (:mod:`cptkg.variants.grammar`)
    or ``auto`` (biocommons when installed); both give the same values.
    """
    text = " ".join(str(expression).split())
    if not text:
        raise InputError("empty variant expression")
    if match := _RS.fullmatch(text):
        return RsChange(text, f"rs{match[1]}")
    if match := _SPDI.fullmatch(text):
        return _spdi(text, match)
    if match := _VCF_LIKE.fullmatch(text):
        pos, ref = int(match["pos"]), match["ref"].upper()
        return GenomicChange(text, _chromosome(match["chrom"]), pos - 1, pos - 1 + len(ref), ref, match["alt"].upper())
    main, companion = text, None
    if (match := _COMPANION.fullmatch(text)) and read_any(match["main"], hgvs_parser) is not None:
        main, companion = match["main"], match["companion"]
    value = read_any(main, hgvs_parser)
    if value is None:
        if re.fullmatch(r"(?:p\.)?\(?[A-Za-z]{1,3}\d+.*", main):
            raise InputError(f"cannot read {text!r}: name the gene or the protein, such as NRAS G12D")
        raise InputError(f"cannot read {text!r}: {_EXPECTED}")
    if isinstance(value, GenomicChange | RsChange):
        return replace(value, text=text)
    return replace(value, text=text, companion=companion)


def _chromosome(name: str) -> str:
    name = name.upper()
    return "MT" if name == "M" else name


def _spdi(text: str, match: re.Match[str]) -> GenomicChange:
    """SPDI: sequence, interbase position, deleted bases (or their number), inserted bases."""
    start, deleted = int(match["pos"]), match["deleted"].upper()
    length = int(deleted) if deleted.isdigit() else len(deleted)
    ref = None if deleted.isdigit() else deleted
    return GenomicChange(text, "", start, start + length, ref, match["inserted"].upper(), match["ac"].upper())



def read_any(text: str, parser: str = "auto") -> ParsedVariant | None:
    """HGVS with a reference (``NM_002524.5:c.35G>A``) or a gene form (``NRAS G12D``); None if neither."""
    return read(text, parser) or read_gene_form(text, parser)


def read(text: str, parser: str = "auto") -> ParsedVariant | None:
    """An HGVS ``c.``, ``g.`` or ``p.`` expression with its reference, as written or in HGVS case."""
    if parser not in PARSERS:
        raise ValueError(f"unknown HGVS parser {parser!r}; expected one of {', '.join(PARSERS)}")
    for candidate in dict.fromkeys((text, canonical_case(text))):
        match = grammar.VARIANT.fullmatch(candidate)
        if match is None or not grammar.RULES[f"{match['type']}_variant"].fullmatch(candidate):
            continue
        if _use_biocommons(parser):
            return _biocommons(candidate)
        return _builtin(candidate, match)
    return None


def read_gene_form(text: str, parser: str = "auto") -> ParsedVariant | None:
    """``NRAS c.35G>A``, ``NRAS G12D``, ``NRAS p.(Gly12Asp)``, ``NRAS Q61``, ``NRAS Q61X``."""
    match = _GENE_FORM.fullmatch(text)
    if match is None:
        return None
    gene, rest = match["gene"].upper(), match["rest"]
    if rest[:2].lower() == "c.":
        value = read(f"{gene}:c.{rest[2:]}", parser)
        if not isinstance(value, CodingChange):
            return None
        return CodingChange(**{**value.__dict__, "accession": None, "version": None, "gene": gene})
    rest = rest[2:] if rest[:2].lower() == "p." else rest
    for candidate in dict.fromkeys((rest, protein_case(rest))):
        if any_change := _ANY_CHANGE.fullmatch(candidate):
            written = any_change["written"]
            return ProteinChange(text, None, None, gene, "any", one_letter(any_change["ref"]),
                                 int(any_change["codon"]), None, written_alt=written)  # fmt: skip
        value = read(f"{gene}:p.{candidate}", parser)
        if isinstance(value, ProteinChange):
            return ProteinChange(**{**value.__dict__, "accession": None, "version": None, "gene": gene})
    return None


# ---------------------------------------------------------------- case


def canonical_case(text: str) -> str:
    """HGVS in its own case: accession upper, type lower, bases upper, keywords lower, residues Xxx.

    >>> canonical_case("nm_002524.5(nras):c.34_35delggins tt".replace(" ", ""))
    'NM_002524.5(NRAS):c.34_35delGGinsTT'
    >>> canonical_case("np_002515.1:p.gly12asp")
    'NP_002515.1:p.Gly12Asp'
    """
    match = re.fullmatch(r"(?P<ac>[^:()]+)(?P<gene>\([^()]*\))?:(?P<type>[cgpCGP])\.(?P<posedit>.+)", text)
    if match is None:
        return text
    head = match["ac"].upper() + (match["gene"] or "").upper() + ":" + match["type"].lower() + "."
    posedit = match["posedit"]
    if match["type"].lower() == "p":
        return head + protein_case(posedit)
    return head + re.sub(r"DELINS|DEL|INS|DUP|INV|COPY", lambda m: m[0].lower(), posedit.upper())


def protein_case(text: str) -> str:
    """A protein change in HGVS case: ``g12d`` -> ``G12D``, ``gly12asp`` -> ``Gly12Asp``, ``q61ter`` -> ``Q61Ter``.

    >>> protein_case("g12_g13delinsav"), protein_case("(gln61his)")
    ('G12_G13delinsAV', '(Gln61His)')
    """
    out = []
    for token in _PROTEIN_TOKENS.findall(text):
        lower = token.lower()
        if lower in _KEYWORDS:
            out.append(lower)
        elif len(token) == 3 and token.isalpha():
            out.append(lower.capitalize())
        else:
            out.append(token.upper())
    return "".join(out)


# ---------------------------------------------------------------- the built-in reader


def _builtin(text: str, match: re.Match[str]) -> ParsedVariant | None:
    accession, version, gene = _reference(match["ac"], match["gene"])
    posedit = match["posedit"]
    if match["type"] == "c":
        parts = grammar.C_POSEDIT.fullmatch(posedit)
        kind, edit = grammar.edit_kind(parts["edit"], grammar.DNA_EDITS)
        start = cds_number(parts["start"])
        end = cds_number(parts["end"]) if parts["end"] else start
        return coding_change(text, accession, version, gene, start, end, kind, *_bases(edit))
    if match["type"] == "g":
        parts = grammar.G_POSEDIT.fullmatch(posedit)
        if parts is None or "?" in (parts["start"], parts["end"]):
            return None
        kind, edit = grammar.edit_kind(parts["edit"], grammar.DNA_EDITS)
        start = int(parts["start"])
        end = int(parts["end"]) if parts["end"] else start
        return genomic_change(text, match["ac"], start, end, kind, *_bases(edit))
    return _builtin_protein(text, accession, version, gene, posedit)


def _bases(edit: re.Match[str]) -> tuple[str | None, str | None, int | None]:
    found = edit.groupdict()
    length = found.get("length")
    return (found.get("ref") or None), (found.get("alt") or None), (int(length) if length else None)


def _builtin_protein(text, accession, version, gene, posedit: str) -> ProteinChange | None:
    parts = grammar.P_POSEDIT.fullmatch(posedit)
    if parts is None:
        return None  # p.=, p.?, p.0: no residue named
    kind, edit = grammar.edit_kind(parts["edit"], grammar.PRO_EDITS)
    alt = edit.groupdict().get("alt")
    residues = None if alt is None else "".join(_residues(alt))
    end_codon = int(parts["end_codon"]) if parts["end_codon"] else None
    end_ref = one_letter(parts["end_ref"]) if parts["end_ref"] else None
    return protein_change(text, accession, version, gene, kind, one_letter(parts["ref"]), int(parts["codon"]),
                          residues, end_ref, end_codon)  # fmt: skip


def _residues(text: str) -> list[str]:
    if re.fullmatch(rf"(?:{grammar.aa3}|Ter)+", text):
        return [one_letter(r) for r in grammar.THREE_LETTER_RESIDUE.findall(text)]
    return [r if r in "X?" else one_letter(r) for r in text]


# ---------------------------------------------------------------- biocommons hgvs


def biocommons_available() -> bool:
    """Whether biocommons ``hgvs`` is installed (the ``hgvs`` extra)."""
    try:
        _biocommons_parser()
    except ImportError:
        return False
    return True


def _use_biocommons(parser: str) -> bool:
    return parser == "biocommons" or (parser == "auto" and biocommons_available())


@cache
def _biocommons_parser():
    import hgvs.parser

    return hgvs.parser.Parser()


def _biocommons(text: str) -> ParsedVariant | None:
    import hgvs.exceptions

    try:
        variant = _biocommons_parser().parse_hgvs_variant(text)
    except hgvs.exceptions.HGVSError:
        return None
    accession, version, gene = _reference(variant.ac, variant.gene)
    if variant.posedit is None or variant.posedit.pos is None:
        return None
    start, end, edit = variant.posedit.pos.start, variant.posedit.pos.end, variant.posedit.edit
    kind = {"identity": "ident"}.get(edit.type, edit.type)
    ref = getattr(edit, "ref", None) or None
    length = int(ref) if ref and ref.isdigit() else None
    ref = None if length else ref
    if variant.type == "p":
        residues = getattr(edit, "alt", None) or None
        return protein_change(text, accession, version, gene, kind, start.aa, start.pos, residues,
                              end.aa if end != start else None, end.pos if end != start else None)  # fmt: skip
    alt = getattr(edit, "alt", None) or None
    if variant.type == "g":
        if start.base is None or end.base is None:
            return None
        return genomic_change(text, variant.ac, start.base, end.base, kind, ref, alt, length)
    begin, finish = (CPos(p.base, p.offset or 0, p.datum.name == "CDS_END") for p in (start, end))
    return coding_change(text, accession, version, gene, begin, finish, kind, ref, alt, length)


# ---------------------------------------------------------------- values, the same whichever reader


def _reference(ac: str, gene: str | None) -> tuple[str | None, str | None, str | None]:
    """(accession, version, gene) of what precedes ``:c.``: an accession, or a gene symbol written in its place."""
    match = _ACCESSION.fullmatch(ac.upper())
    if match:
        return match["accession"], match["version"], gene.upper() if gene else None
    return None, None, ac.upper()


def coding_change(text, accession, version, gene, start: CPos, end: CPos, kind: str, ref, alt, length):
    """The :class:`CodingChange` of a c. edit read by either reader (bases upper case, the change written alike)."""
    ref, alt = (ref.upper() if ref else ref), (alt.upper() if alt else alt)
    if kind == "delins" and ref and alt and len(ref) == len(alt) == 1:
        kind = "sub"  # delAinsT is A>T (as hgvs reads it)
    if kind == "copy":
        raise InputError(f"{text!r}: copy-number changes (copy) are not variants cptkg classifies")
    return CodingChange(text, accession, version, gene, _format(start, end, kind, ref, alt, length), start, end,
                        kind, ref, alt, length)  # fmt: skip


def genomic_change(text: str, ac: str, first: int, last: int, kind: str, ref, alt, length) -> GenomicChange:
    """A g. change as interbase start and end; ``alt`` empty for a deletion, the bases for dup/inv left to the graph."""
    ref, alt = (ref.upper() if ref else ref), (alt.upper() if alt else alt)
    if last < first:
        raise InputError(f"{text!r}: the range g.{first}_{last} runs backwards")
    if kind == "ins":
        if last != first + 1:
            raise InputError(f"{text!r}: an insertion goes between two neighbouring bases (g.{first}_{first + 1}ins)")
        return GenomicChange(text, "", first, first, "", alt or "", ac.upper())
    if kind in ("ident", "copy", "inv", "dup") and ref is None:
        return GenomicChange(text, "", first - 1, last, None, f"<{kind}>", ac.upper())
    if kind == "dup":
        return GenomicChange(text, "", last, last, "", ref, ac.upper())
    if kind == "inv":
        from .sequence import reverse_complement

        return GenomicChange(text, "", first - 1, last, ref, reverse_complement(ref), ac.upper())
    if kind == "ident":
        return GenomicChange(text, "", first - 1, last, ref, ref, ac.upper())
    return GenomicChange(text, "", first - 1, last, ref, alt or "", ac.upper())


def protein_change(text, accession, version, gene, kind, ref, codon, residues, end_ref, end_codon) -> ProteinChange:
    """The :class:`ProteinChange` of a p. edit read by either reader (``X`` or ``?`` as the new residue: any change)."""
    written = residues
    for residue in (ref, end_ref, *(residues or "")):
        if residue and residue not in _READ_RESIDUES and not (residue in "X?" and residue in (residues or "")):
            raise InputError(f"{text!r}: {residue!r} is not a residue cptkg reads (B, Z, J and U name ambiguous or "
                             "rare residues; X and ? are read as any residue only as the new residue)")  # fmt: skip
    if kind == "sub" and residues in ("?", "X"):
        kind, residues = "any", None
    elif kind == "sub" and residues == ref:
        kind = "syn"
    elif kind == "ident":
        kind, residues = "syn", ref
    return ProteinChange(text, accession, version, gene, kind, ref, codon, residues, end_ref, end_codon, written)


def _format(start: CPos, end: CPos, kind: str, ref, alt, length) -> str:
    where = str(start) if end == start else f"{start}_{end}"
    written = ref or (str(length) if length else "")
    edits = {"sub": f"{ref}>{alt}", "delins": f"del{written}ins{alt}", "del": f"del{written}", "ins": f"ins{alt}",
             "dup": f"dup{ref or ''}", "inv": f"inv{written}", "ident": f"{ref or ''}="}  # fmt: skip
    return where + edits[kind]
