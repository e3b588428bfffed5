"""Hypothesis strategies for the parsers of user input, shared by the hardening tests.

Each strategy draws what a user (or an attacker) could type: text that tries to escape a SPARQL
literal or IRI, CURIEs of the package prefix map with awkward local parts, ``KEY=VALUE`` pairs,
query-file headers and raw bytes for RDF files.
"""

from __future__ import annotations

from hypothesis import strategies as st

from cptkg.core.prefixes import NAMESPACES
from cptkg.core.rdfio import FORMATS

#: Fragments that would change a query if a value were pasted into its text.
SPARQL_ESCAPES = (
    '"', "'", '"""', "'''", "\\", "<", ">", "{", "}", "(", ")", "#", "\n", "\r", "\t", ";", ".", ",", "?", "$",
    "^^", "@en", "*", "|", "\x00",
    " UNION { ?s ?p ?o } ", "} UNION {", " FILTER(true) ", "} OPTIONAL {", "DELETE WHERE { ?s ?p ?o }",
    "; DROP ALL ;", "INSERT DATA { <urn:x> <urn:y> <urn:z> }", " SERVICE <http://example.org/sparql> { } ",
    "LOAD <http://example.org/x.ttl>", "VALUES ?code { '81311' }", " BIND(1 AS ?x) ", "LIMIT 0", "#}",
)  # fmt: skip

#: Concrete hostile values: each tries to close a literal or an IRI and add its own graph pattern.
HOSTILE_VALUES = (
    '81311" } UNION { ?s ?p ?o } #',
    "81311' } UNION { ?s ?p ?o } #",
    '81311"""} ?s ?p ?o {"""',
    "81311\n} UNION { ?s ?p ?o }\n#",
    "81311 # comment",
    "81311} DELETE WHERE { ?s ?p ?o } #",
    '81311" . ?code ?p ?o . FILTER(true) #',
    "'81311'",
    '"81311"',
    "81311\\",
    "81311\x00",
    "<https://w3id.org/cptkg/code-81311>",
    "cptkg:code-81311> } UNION { ?s ?p ?o } #",
    "cptkg:gene-NRAS } ?s ?p ?o {",
    "cptkg:gene-NRAS\n} UNION {",
    "https://w3id.org/cptkg/gene-NRAS> ?p ?o } UNION { ?s",
    "https://w3id.org/cptkg/gene-NRAS#>",
    "DROP ALL",
    "} ; CLEAR DEFAULT ; {",
    "1 } UNION { ?s ?p ?o",
    "12 ; DROP ALL",
    "0x10",
    "1e3",
    "",
    " ",
)


def hostile_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any text, weighted towards the characters and keywords that break out of a SPARQL term."""
    piece = st.one_of(st.sampled_from(SPARQL_ESCAPES), st.text(max_size=6), st.sampled_from(["81311", "NRAS", "12"]))
    return st.one_of(
        st.sampled_from(HOSTILE_VALUES),
        st.lists(piece, max_size=6).map("".join).map(lambda text: text[:max_size]),
        st.text(max_size=max_size),
    )


prefix_names = st.sampled_from(sorted(NAMESPACES))

#: Local parts of IRIs that are valid, including the characters RFC 3987 allows beyond letters.
iri_local_parts = st.text(alphabet=st.sampled_from("abcXYZ0129-._~:@!$&'()*+,;=/%é"), min_size=0, max_size=20).filter(
    lambda local: "%" not in local
)


@st.composite
def known_iris(draw) -> str:
    """A full IRI under one of the package's namespaces."""
    return NAMESPACES[draw(prefix_names)] + draw(iri_local_parts)


@st.composite
def curie_like(draw) -> str:
    """A string that looks like a CURIE, with a known or unknown prefix and any local part."""
    prefix = draw(st.one_of(prefix_names, st.text(max_size=8)))
    return f"{prefix}:{draw(hostile_text(20))}"


@st.composite
def param_pairs(draw) -> list[str]:
    """What a user passes as repeated ``--param`` arguments (well-formed or not)."""
    key = st.one_of(st.sampled_from(["code", "resource", "n", "text"]), st.text(max_size=8))
    pair = st.one_of(
        st.tuples(key, hostile_text(20)).map(lambda kv: f"{kv[0]}={kv[1]}"),
        hostile_text(20),
    )
    return draw(st.lists(pair, max_size=4))


header_keys = st.sampled_from(["title", "description", "param", "severity", "why", "fix", "Title", "x_y", ""])
param_declarations = st.one_of(
    st.builds(
        lambda name, kind, optional, text: f"{name} ({kind}{', optional' if optional else ''}) {text}",
        st.sampled_from(["code", "resource", "n", "text", "1bad", ""]),
        st.sampled_from(["code", "string", "resource", "integer", "float", ""]),
        st.booleans(),
        st.text(max_size=10),
    ),
    st.text(max_size=20),
)


@st.composite
def query_files(draw) -> str:
    """The text of a ``.rq`` file: a header of comment lines (valid or not), then a query."""
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["field", "param", "continuation", "junk"]))
        if kind == "field":
            lines.append(f"# {draw(header_keys)}: {draw(st.text(max_size=15))}")
        elif kind == "param":
            lines.append(f"# param: {draw(param_declarations)}")
        elif kind == "continuation":
            lines.append(f"#   {draw(st.text(max_size=10))}")
        else:
            lines.append("#" + draw(st.text(max_size=15)))
    variables = draw(st.sampled_from(["?code", "?n ?text", "?resource", "?x"]))
    body = f"SELECT {variables} WHERE {{ ?s ?p ?o }}"
    return "\n".join([*lines, body]) + "\n"


format_names = st.sampled_from(sorted(FORMATS))
file_names = st.one_of(
    st.sampled_from(["data.ttl", "data.TTL", "x.nt", "x.nq", "x.trig", "x.jsonld", "x.json", "x.rdf", "x.owl",
                     "x.xml", "x.csv", "x.png", "x", ".ttl", "x.ttl.bak", "x.tar.gz", "dir/x.ttl"]),
    st.text(max_size=12),
)  # fmt: skip


def rdf_bytes(fmt: str) -> st.SearchStrategy[bytes]:
    """Bytes for a file of one RDF format: mutations of a small valid document, or noise."""
    valid = {
        "turtle": '@prefix ex: <http://example.org/> .\nex:a ex:p "x" ; ex:q ex:b .\n',
        "n-triples": '<http://example.org/a> <http://example.org/p> "x" .\n',
        "n-quads": '<http://example.org/a> <http://example.org/p> "x" <http://example.org/g> .\n',
        "trig": '@prefix ex: <http://example.org/> .\nex:g { ex:a ex:p "x" . }\n',
        "json-ld": '{"@id": "http://example.org/a", "http://example.org/p": "x"}\n',
        "rdf-xml": '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
        "<ex:p>x</ex:p></rdf:Description></rdf:RDF>\n",
    }[fmt].encode()

    @st.composite
    def mutated(draw) -> bytes:
        data = bytearray(valid)
        for _ in range(draw(st.integers(1, 4))):
            position = draw(st.integers(0, len(data)))
            action = draw(st.sampled_from(["insert", "delete", "truncate"]))
            if action == "insert":
                data[position:position] = draw(
                    st.binary(min_size=1, max_size=4)
                    | st.sampled_from(
                        [b'"', b"<", b">", b"{", b"}", b"\n", b".", b"\xff", b"\xe9", b"\x00", b"@context"]
                    )
                )
            elif action == "delete":
                del data[position : position + draw(st.integers(1, 5))]
            else:
                del data[position:]
        return bytes(data)

    return st.one_of(mutated(), st.binary(max_size=200), st.just(valid))
