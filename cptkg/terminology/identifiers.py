"""CURIEs of outside terminologies: split, expanded and checked against the registry patterns."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from ..core.errors import InputError
from ..core.prefixes import PREFIXES

if TYPE_CHECKING:
    import curies


#: Local-identifier patterns by prefix: the Bioregistry patterns kept in the package prefix map.
IDENTIFIER_PATTERNS: dict[str, str] = {row.prefix: row.pattern for row in PREFIXES if row.pattern}
_NO_SPACE = re.compile(r"^\S+$")


def parse_curie(text: str, converter: curies.Converter | None = None) -> tuple[str, str, str]:
    """Check a CURIE against a prefix map; returns (prefix, local identifier, IRI).

    The prefix must be in the map (the package's by default) and the local identifier must match
    the prefix's registered pattern where cptkg knows it, and hold no white space otherwise.

    >>> parse_curie("MONDO:0005575")
    ('MONDO', '0005575', 'http://purl.obolibrary.org/obo/MONDO_0005575')
    >>> parse_curie("MONDO:5575")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: malformed identifier 'MONDO:5575': the local part '5575' does not match the MONDO pattern ^\\d{7}$
    >>> parse_curie("NOPE:1")
    Traceback (most recent call last):
    ...
    cptkg.core.errors.InputError: unknown prefix 'NOPE' in 'NOPE:1'
    """
    from ..core.prefixes import converter as package_converter

    convert = converter or package_converter()
    value = str(text).strip()
    prefix, sep, local = value.partition(":")
    if not sep or not prefix or not local:
        raise InputError(f"malformed CURIE {text!r}: expected PREFIX:IDENTIFIER, such as MONDO:0005575")
    if not convert.has_prefix(prefix):
        raise InputError(f"unknown prefix {prefix!r} in {text!r}")
    prefix = convert.standardize_prefix(prefix) or prefix
    pattern = IDENTIFIER_PATTERNS.get(prefix)
    if pattern and not re.match(pattern, local):
        raise InputError(
            f"malformed identifier {text!r}: the local part {local!r} does not match the {prefix} pattern {pattern}"
        )
    if not _NO_SPACE.match(local) or any(c in local for c in '<>"{}|\\^`'):
        raise InputError(f"malformed identifier {text!r}: the local part holds a space or a character IRIs forbid")
    return prefix, local, convert.expand_pair(prefix, local)


#: Where an outside file gave a prefix an address that is no address (Mondo's placeholder for
#: prefixes it has no IRI for): such a prefix is reported, never expanded.
PLACEHOLDER_MARK = "/unknown_prefix/"


def _read_synonyms() -> dict[str, dict[str, list[str]]]:
    """``prefix-synonyms.tsv`` (generated from Bioregistry): package prefix -> kind -> synonyms."""
    from importlib.resources import files

    table: dict[str, dict[str, list[str]]] = {}
    text = files(__package__).joinpath("prefix-synonyms.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines[0].split("\t") == ["prefix", "kind", "synonym"], lines[0]
    for line in lines[1:]:
        prefix, kind, synonym = line.split("\t")
        table.setdefault(prefix, {"prefix": [], "uri_prefix": []})[kind].append(synonym)
    return table


@cache
def known_records() -> tuple[curies.Record, ...]:
    """The package prefix map with the synonyms Bioregistry knows for each record.

    A synonym that another record already claims (a spelling or an address of two records) is
    left out, so that no CURIE or IRI is ambiguous.

    >>> record = next(r for r in known_records() if r.prefix == "ICD10CM")
    >>> "http://purl.bioontology.org/ontology/ICD10CM/" in record.uri_prefix_synonyms
    True
    """
    import curies

    synonyms = _read_synonyms()
    taken_prefixes = {row.prefix.lower() for row in PREFIXES}
    taken_uris = {row.uri_prefix for row in PREFIXES}
    records = []
    for row in PREFIXES:
        own = synonyms.get(row.prefix, {"prefix": [], "uri_prefix": []})
        spellings = [p for p in own["prefix"] if p.lower() not in taken_prefixes or p.lower() == row.prefix.lower()]
        spellings = [p for p in dict.fromkeys(spellings) if p != row.prefix]
        addresses = [u for u in dict.fromkeys(own["uri_prefix"]) if u not in taken_uris]
        taken_prefixes |= {p.lower() for p in spellings}
        taken_uris |= set(addresses)
        records.append(curies.Record(prefix=row.prefix, uri_prefix=row.uri_prefix, prefix_synonyms=spellings,
                                     uri_prefix_synonyms=addresses))
    return tuple(records)


class PrefixResolution:
    """The prefixes of one outside file: the converter its CURIEs expand with, and the prefixes refused.

    Built from the file's own prefix map (an SSSOM ``curie_map``) and the user's ``--prefix-map``,
    which wins. A prefix is accepted when its address is the package's or one Bioregistry knows
    for the same record (CURIEs then expand to the package's address, so they meet the graph's
    identifiers), or when neither prefix nor address is the package's (a vocabulary of the file's
    own). Refused, with a reason: an address that is a placeholder, and a package prefix given an
    address of another resource.

    >>> resolution = PrefixResolution({"ICD10CM": "http://purl.bioontology.org/ontology/ICD10CM/"})
    >>> resolution.converter.expand("ICD10CM:C92.0")
    'https://www.icd10data.com/search?s=C92.0'
    >>> PrefixResolution({"ONCOTREE": "http://purl.obolibrary.org/obo/mondo/mappings/unknown_prefix/ONCOTREE/"}).refused
    {'ONCOTREE': "the file's address for ONCOTREE is a placeholder ...unknown_prefix/ONCOTREE/ (give the prefix an address with --prefix-map)"}
    """

    def __init__(self, file_map: dict[str, str] | None = None, user_map: dict[str, str] | None = None) -> None:
        import curies

        records = {  # copies: a file's own spellings must not reach the shared records
            r.prefix: curies.Record(prefix=r.prefix, uri_prefix=r.uri_prefix, prefix_synonyms=list(r.prefix_synonyms),
                                    uri_prefix_synonyms=list(r.uri_prefix_synonyms))
            for r in known_records()
        }
        spelled = {p.lower(): r.prefix for r in records.values() for p in (r.prefix, *r.prefix_synonyms)}
        addressed = {u: r.prefix for r in records.values() for u in (r.uri_prefix, *r.uri_prefix_synonyms)}
        self.refused: dict[str, str] = {}
        extra: dict[str, str] = {}
        for prefix, uri in {**(file_map or {}), **(user_map or {})}.items():
            prefix, uri = str(prefix).strip(), str(uri).strip()
            by_name, by_address = spelled.get(prefix.lower()), addressed.get(uri)
            if PLACEHOLDER_MARK in uri:
                short = uri[uri.index(PLACEHOLDER_MARK) + 1 :]
                self.refused[prefix] = (
                    f"the file's address for {prefix} is a placeholder ...{short} (give the prefix an address with --prefix-map)"
                )
            elif by_name and by_address != by_name:
                self.refused[prefix] = (
                    f"the curie_map gives prefix {prefix!r} the URI {uri!r}, but it is {records[by_name].uri_prefix!r} "
                    "(neither the package's address nor a synonym Bioregistry knows; map it with --prefix-map)"
                )
            elif by_address and prefix != by_address and prefix not in records[by_address].prefix_synonyms:
                records[by_address].prefix_synonyms.append(prefix)
                spelled[prefix.lower()] = by_address
            elif not by_name and not by_address:
                extra[prefix] = uri
        merged = list(records.values()) + [curies.Record(prefix=p, uri_prefix=u) for p, u in extra.items()]
        self.converter = curies.Converter(merged, strict=False)
        self._spelled = spelled

    def standard(self, prefix: str) -> str | None:
        """The package spelling of a prefix written any way Bioregistry knows (``ncit`` -> ``NCIT``)."""
        return self.converter.standardize_prefix(prefix) or self._spelled.get(prefix.lower())

    def expand(self, curie: str) -> str:
        """A CURIE of the file as the IRI the graph uses; :class:`InputError` says why not."""
        value = str(curie).strip()
        if value.startswith(("http://", "https://")) and not any(c in value for c in ' <>"{}|\\^`'):
            return value
        prefix, sep, local = value.partition(":")
        if sep and prefix in self.refused:
            raise InputError(self.refused[prefix])
        standard = self.standard(prefix) if sep else None
        if standard and standard != prefix:
            value = f"{standard}:{local}"
        return parse_curie(value, self.converter)[2]
