"""Bases and residues: the other strand, the standard genetic code (from Biopython), residue names."""

from __future__ import annotations

from functools import cache

from ..core.errors import InputError

_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def reverse_complement(bases: str) -> str:
    """The bases of the other strand, read 5' to 3'.

    >>> reverse_complement("GGT")
    'ACC'
    """
    return bases.translate(_COMPLEMENT)[::-1]


@cache
def _genetic_code() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Codon -> one-letter residue ('*' for stop), and the one- <-> three-letter residue codes."""
    from Bio.Data.CodonTable import standard_dna_table
    from Bio.Data.IUPACData import protein_letters_1to3

    table = dict(standard_dna_table.forward_table)
    table.update({codon: "*" for codon in standard_dna_table.stop_codons})
    one_to_three = {letter: name for letter, name in protein_letters_1to3.items() if letter.isupper()}
    one_to_three["*"] = "Ter"
    three_to_one = {name.upper(): letter for letter, name in one_to_three.items()}
    return table, one_to_three, three_to_one


def translate(codon: str) -> str:
    """The one-letter residue a codon encodes with the standard genetic code ('*' for stop).

    >>> translate("GGT"), translate("CAA"), translate("TAA")
    ('G', 'Q', '*')
    """
    return _genetic_code()[0][codon]


def three_letter(residue: str) -> str:
    """A one-letter residue in three-letter code ('Ter' for a stop).

    >>> three_letter("G"), three_letter("*")
    ('Gly', 'Ter')
    """
    return _genetic_code()[1][residue]


def one_letter(residue: str) -> str:
    """A residue in one- or three-letter code as one letter ('*' for a stop, '=' for no change).

    >>> one_letter("Gln"), one_letter("Q"), one_letter("Ter"), one_letter("*")
    ('Q', 'Q', '*', '*')
    """
    if residue in ("*", "="):
        return residue
    if len(residue) == 1 and residue.upper() in _genetic_code()[1]:
        return residue.upper()
    try:
        return _genetic_code()[2][residue.upper()]
    except KeyError:
        raise InputError(f"{residue!r} is not an amino-acid code") from None
