"""The HGVS grammar of biocommons ``hgvs`` 1.5.7, the rules cptkg reads, as regular expressions.

biocommons ``hgvs`` (the ``cptkg[hgvs]`` extra) parses HGVS with an OMeta grammar
(``hgvs/_data/hgvs.pymeta``). This module writes the same rules, under the same names, as regular
expressions, so that cptkg reads HGVS without the extra; ``tests/test_variant_names.py`` holds each
rule to the grammar's own test table (``tests/data/external/hgvs``). Only the rules for DNA on a
coding or genomic reference and for proteins are here: RNA, mitochondrial and non-coding
references, conversions (``con``) and uncertain positions are not read.

>>> bool(RULES["c_variant"].fullmatch("NM_002524.5:c.35G>A"))
True
>>> bool(RULES["accn"].fullmatch("NM_"))
False
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- primitives
num = r"\d+"
snum = r"[-+]?\d+"
nnum = r"-\d+"
pm = r"[-+]"
offset = rf"(?:{snum})?"
accn = r"[A-Za-z](?:(?:[A-Za-z0-9]|[-_](?=[A-Za-z0-9]))+)?(?:\.\d+)?"
gene_symbol = r"[A-Za-z](?:[A-Za-z0-9]|[-_](?=[A-Za-z0-9]))+"
opt_gene_expr = rf"(?:\({gene_symbol}\))?"

# ---------------------------------------------------------------- nucleotides
dna_iupac = r"[ACGTRYMKWSBDHVNacgtrymkwsbdhvn]"
dna = dna_iupac
dna_seq = rf"{dna}+"
dna_ident = rf"{dna}*="
dna_subst = rf"{dna}>{dna}"
dna_delins = rf"del(?:{num}|{dna}*)ins{dna}+"
dna_del = rf"del(?:{num}|{dna}*)"
dna_ins = rf"ins{dna}+"
dna_dup = rf"dup{dna}*"
dna_inv = rf"inv(?:{num}|{dna}*)"
dna_copy = rf"copy{num}"
dna_edit = rf"(?:{dna_ident}|{dna_subst}|{dna_delins}|{dna_ins}|{dna_del}|{dna_dup}|{dna_inv}|{dna_copy})"
dna_edit_mu = rf"(?:{dna_edit}|\({dna_edit}\))"

# ---------------------------------------------------------------- amino acids
aa1 = r"[ACDEFGHIKLMNPQRSTVWYBZXU]"
aa3 = r"(?:Ala|Cys|Asp|Glu|Phe|Gly|His|Ile|Lys|Leu|Met|Asn|Pro|Gln|Arg|Ser|Thr|Val|Trp|Tyr|Asx|Glx|Xaa|Sec)"
aa13 = rf"(?:{aa3}|{aa1})"
term1 = r"[X*]"
term3 = r"(?:Ter)"
term13 = rf"(?:{term3}|{term1})"
aat1 = rf"(?:{term1}|{aa1})"
aat3 = rf"(?:{term3}|{aa3})"
aat13 = rf"(?:{aat3}|{aat1})"
aat1_seq = rf"(?:{term1}|{aa1}+{term1}?)"
aat3_seq = rf"(?:{term3}|{aa3}+{term3}?)"
aat13_seq = rf"(?:{aat3_seq}|{aat1_seq})"
fsext_offset = rf"(?:{num}|\?)?"
aa13_fs = rf"{term13}{fsext_offset}"
aa13_ext = rf"(?:{term13}{fsext_offset}|{aa13}?{nnum})"
fs = rf"fs(?:{aa13_fs})?"
ext = rf"ext(?:{aa13_ext})?"
pro_subst = rf"(?:{aat13}|\?)"
pro_delins = rf"delins{aat13_seq}"
pro_del = r"del"
pro_ins = rf"ins{aat13_seq}"
pro_dup = r"dup"
pro_fs = rf"{aat13}?{fs}"
pro_ext = rf"{aat13}?{ext}"
pro_ident = r"="
pro_edit = rf"(?:{pro_fs}|{pro_ext}|{pro_subst}|{pro_delins}|{pro_ins}|{pro_del}|{pro_dup}|{pro_ident})"

# ---------------------------------------------------------------- positions and intervals
def_c_pos = rf"(?:{snum}{offset}|\*{num}{offset})"
def_c_interval = rf"{def_c_pos}(?:_{def_c_pos})?"
c_interval = rf"(?:{def_c_interval}|\({def_c_interval}\))"
def_g_pos = rf"(?:{num}|\?)"
def_g_interval = rf"{def_g_pos}(?:_{def_g_pos})?"
g_interval = rf"(?:{def_g_interval}|\({def_g_interval}\))"
def_p_pos = rf"(?:{term13}|{aa13}){num}"
def_p_interval = rf"{def_p_pos}(?:_{def_p_pos})?"
p_interval = rf"(?:{def_p_interval}|\({def_p_interval}\))"

# ---------------------------------------------------------------- position plus edit, variants
c_posedit = rf"{c_interval}{dna_edit}"
g_posedit = rf"{g_interval}{dna_edit}"
p_posedit_special = r"(?:=|\(=\)|0\?|0|\?)"
p_posedit = rf"(?:{p_interval}{pro_edit}|\({p_interval}{pro_edit}\)|{p_posedit_special})"
c_typed_posedit = rf"c\.{c_posedit}"
g_typed_posedit = rf"g\.{g_posedit}"
p_typed_posedit = rf"p\.{p_posedit}"
c_variant = rf"{accn}{opt_gene_expr}:{c_typed_posedit}"
g_variant = rf"{accn}{opt_gene_expr}:{g_typed_posedit}"
p_variant = rf"{accn}{opt_gene_expr}:{p_typed_posedit}"

_NAMES = ["num", "snum", "nnum", "pm", "offset", "accn", "gene_symbol", "dna_iupac", "dna", "dna_seq", "dna_ident", "dna_subst", "dna_delins", "dna_del", "dna_ins", "dna_dup", "dna_inv", "dna_copy", "dna_edit", "dna_edit_mu", "term1", "term3", "term13", "aat1_seq", "aat3_seq", "aat13_seq", "fsext_offset", "aa13_fs", "aa13_ext", "fs", "ext", "pro_subst", "pro_delins", "pro_del", "pro_ins", "pro_dup", "pro_fs", "pro_ext", "pro_ident", "pro_edit", "def_c_pos", "def_c_interval", "c_interval", "def_g_pos", "def_g_interval", "g_interval", "def_p_pos", "def_p_interval", "p_interval", "c_posedit", "g_posedit", "p_posedit_special", "p_posedit", "c_typed_posedit", "g_typed_posedit", "p_typed_posedit", "c_variant", "g_variant", "p_variant"]

class _Rules(dict):
    """Rule name (as in hgvs 1.5.7's grammar) -> compiled pattern, compiled on first use (the grammar's
    patterns are large: compiling them all costs more than starting the command line)."""

    def __missing__(self, name: str) -> re.Pattern[str]:
        if name not in _NAMES:
            raise KeyError(name)
        self[name] = pattern = re.compile(globals()[name])
        return pattern

    def __contains__(self, name: object) -> bool:
        return name in _NAMES

    def __iter__(self):
        return iter(_NAMES)

    def __len__(self) -> int:
        return len(_NAMES)


#: Rule name -> compiled pattern; use ``fullmatch``.
RULES: dict[str, re.Pattern[str]] = _Rules()

# ---------------------------------------------------------------- capturing forms, for reading the parts
_CAPTURING = {
    "VARIANT": rf"(?P<ac>{accn})(?:\((?P<gene>{gene_symbol})\))?:(?P<type>[cgp])\.(?P<posedit>.+)",
    "C_POSEDIT": rf"(?P<uncertain>\()?(?P<start>{def_c_pos})(?:_(?P<end>{def_c_pos}))?\)?(?P<edit>{dna_edit})",
    "G_POSEDIT": rf"\(?(?P<start>{def_g_pos})(?:_(?P<end>{def_g_pos}))?\)?(?P<edit>{dna_edit})",
    "P_POSEDIT": (rf"(?P<open>\()?(?P<ref>{term13}|{aa13})(?P<codon>{num})(?:_(?P<end_ref>{term13}|{aa13})"
                  rf"(?P<end_codon>{num}))?(?P<edit>{pro_edit})(?(open)\))"),
    "THREE_LETTER_RESIDUE": rf"{term3}|{aa3}",
}
_EDITS = {
    "DNA_EDITS": {
        "ident": rf"(?P<ref>{dna}*)=",
        "sub": rf"(?P<ref>{dna})>(?P<alt>{dna})",
        "delins": rf"del(?:(?P<length>{num})|(?P<ref>{dna}*))ins(?P<alt>{dna}+)",
        "del": rf"del(?:(?P<length>{num})|(?P<ref>{dna}*))",
        "ins": rf"ins(?P<alt>{dna}+)",
        "dup": rf"dup(?P<ref>{dna}*)",
        "inv": rf"inv(?:(?P<length>{num})|(?P<ref>{dna}*))",
        "copy": rf"copy(?P<copies>{num})",
    },
    "PRO_EDITS": {
        "fs": rf"(?P<alt>{aat13})?{fs}",
        "ext": rf"(?P<alt>{aat13})?{ext}",
        "sub": rf"(?P<alt>{aat13}|\?)",
        "delins": rf"delins(?P<alt>{aat13_seq})",
        "ins": rf"ins(?P<alt>{aat13_seq})",
        "del": r"del",
        "dup": r"dup",
        "ident": r"=",
    },
}


def __getattr__(name: str):
    """The capturing patterns (VARIANT, C_POSEDIT, DNA_EDITS...), compiled on first use."""
    if name in _CAPTURING:
        value = re.compile(_CAPTURING[name])
    elif name in _EDITS:
        value = {kind: re.compile(pattern) for kind, pattern in _EDITS[name].items()}
    else:
        raise AttributeError(name)
    globals()[name] = value
    return value


def edit_kind(edit: str, edits: dict[str, re.Pattern[str]]) -> tuple[str, re.Match[str]]:
    """The first edit rule (in the grammar's order) that reads the whole edit, and its match.

    >>> from cptkg.variants import grammar
    >>> edit_kind("delAinsT", grammar.DNA_EDITS)[0], edit_kind("del5", grammar.DNA_EDITS)[0]
    ('delins', 'del')
    """
    for kind, pattern in edits.items():
        if match := pattern.fullmatch(edit):
            return kind, match
    raise ValueError(edit)
