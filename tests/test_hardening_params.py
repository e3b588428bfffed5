"""Parsers of user input either give the right answer or fail with cptkg's own error; values never change a query.

Property-based (hypothesis) over CURIEs and IRIs, query parameters, ``--param`` pairs, query-file
headers and RDF format names; then every named query of the catalogue, on both backends, bound to
values that try to break out of a SPARQL term: the answer is exactly the rows of the unbound query
whose variable equals the value, and the graph is unchanged afterwards.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

import cptkg
from cptkg.cli.query import parse_params
from cptkg.core.errors import CptkgError, InputError, ParameterError
from cptkg.core.prefixes import NAMESPACES, curie, expand
from cptkg.core.queries import PARAMETER_KINDS, NamedQuery, Parameter, catalog, parse_header, read_query
from cptkg.core.rdfio import FORMATS, format_for

from . import strategies as s

FEW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_own_error(error: BaseException, kind: type[CptkgError] = CptkgError) -> None:
    assert isinstance(error, kind), f"{type(error).__name__}: {error}"
    message = str(error)
    assert message and "\n" not in message, repr(message)


# ------------------------------------------------------------------ CURIEs and IRIs


@FEW
@given(st.one_of(s.curie_like(), s.hostile_text(), s.known_iris()))
def test_expand_gives_a_valid_iri_or_an_input_error(text):
    try:
        iri = expand(text)
    except Exception as error:  # noqa: BLE001 - the point is which kind
        assert_own_error(error, InputError)
        return
    ox.NamedNode(iri)  # a valid IRI, or this raises
    value = text.strip()
    prefix, _, local = value.partition(":")
    if prefix in NAMESPACES and not value.startswith(("http://", "https://", "urn:")):
        assert iri == NAMESPACES[prefix] + local
    else:
        assert iri == value


@FEW
@given(s.known_iris())
def test_curie_and_expand_round_trip(iri):
    try:
        ox.NamedNode(iri)
    except ValueError:
        return  # not an IRI to begin with
    compact = curie(iri)
    assert compact is not None and compact.split(":", 1)[0] in NAMESPACES
    assert expand(compact) == iri


@FEW
@given(st.text(max_size=40))
def test_curie_of_any_text_is_none_or_expands_back(text):
    compact = curie(text)
    if compact is not None:
        assert compact.split(":", 1)[0] in NAMESPACES
        assert NAMESPACES[compact.split(":", 1)[0]] + compact.split(":", 1)[1] == text


# ------------------------------------------------------------------ parameters


@FEW
@given(kind=st.sampled_from(sorted(PARAMETER_KINDS)), value=st.one_of(s.hostile_text(), s.curie_like()))
def test_parameter_to_term_is_exact_or_a_parameter_error(kind, value):
    parameter = Parameter("p", kind, "", True)
    try:
        term = parameter.to_term(value)
    except Exception as error:  # noqa: BLE001
        assert_own_error(error, ParameterError)
        assert "'p'" in str(error)
        if kind == "integer":
            assert not re.fullmatch(r"\s*[+-]?[0-9]{1,30}\s*", value)
        return
    if kind == "code":
        assert term == Literal(value.strip())
    elif kind == "string":
        assert term == Literal(value) and str(term) == value
    elif kind == "integer":
        assert re.fullmatch(r"\s*[+-]?[0-9]+\s*", value) and term == Literal(int(value))
    else:
        assert isinstance(term, URIRef) and str(term) == expand(value)


def test_integer_parameters_take_ascii_whole_numbers_only():
    parameter = Parameter("n", "integer", "", True)
    assert parameter.to_term(" -12 ") == Literal(-12)
    for text in ["1_000", "١٢", "12.0", "1e3", "0x10", "", "12; DROP ALL"]:
        with pytest.raises(ParameterError, match="must be a whole number"):
            parameter.to_term(text)


QUERY_WITH_EVERY_KIND = NamedQuery(
    "every-kind",
    "SELECT ?code ?text ?resource ?n WHERE { }",
    Path("every-kind.rq"),
    {"title": "Every kind"},
    (
        Parameter("code", "code", "", True),
        Parameter("text", "string", "", False),
        Parameter("resource", "resource", "", False),
        Parameter("n", "integer", "", False),
    ),
)


@FEW
@given(st.dictionaries(st.sampled_from(["code", "text", "resource", "n", "other", ""]), s.hostile_text(), max_size=4))
def test_bind_checks_every_value(values):
    try:
        bound = QUERY_WITH_EVERY_KIND.bind(values)
    except Exception as error:  # noqa: BLE001
        assert_own_error(error, ParameterError)
        return
    assert set(bound) == set(values) <= {"code", "text", "resource", "n"}
    assert values.get("code") not in (None, "")
    for name, value in values.items():
        parameter = next(p for p in QUERY_WITH_EVERY_KIND.parameters if p.name == name)
        assert bound[name] == parameter.to_term(value)


@FEW
@given(s.param_pairs())
def test_parse_params_splits_at_the_first_equals_sign(pairs):
    try:
        params = parse_params(pairs)
    except Exception as error:  # noqa: BLE001
        assert_own_error(error, ParameterError)
        return
    assert len(params) == len(pairs)
    for pair in pairs:
        key, _, value = pair.partition("=")
        assert key.strip() and params[key.strip()] == value


def test_parse_params_rejects_what_is_not_a_pair():
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        parse_params(["code"])
    with pytest.raises(ParameterError, match="given twice"):
        parse_params(["code=1", " code =2"])
    assert parse_params(["text=a=b#c"]) == {"text": "a=b#c"}


# ------------------------------------------------------------------ query files


@FEW
@given(s.query_files())
def test_read_query_gives_a_query_or_an_input_error(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "q.rq"
        path.write_text(text, encoding="utf-8")
        try:
            query = read_query(path)
        except Exception as error:  # noqa: BLE001
            assert_own_error(error, InputError)
            assert error.path == str(path)
            return
    header, params, count = parse_header(text, path)
    assert query.header == header and query.title == header["title"]
    assert [p.name for p in query.parameters] == [re.match(r"\w+", raw)[0] for raw in params]
    for parameter in query.parameters:
        assert parameter.kind in PARAMETER_KINDS
        assert re.search(rf"[?$]{parameter.name}\b", text)
    assert all(line.startswith("#") for line in text.splitlines()[:count])


@FEW
@given(st.binary(max_size=60))
def test_read_query_of_any_bytes_never_raises_a_foreign_error(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "q.rq"
        path.write_bytes(b"# title: t\n" + data)
        try:
            read_query(path)
        except Exception as error:  # noqa: BLE001
            assert_own_error(error, InputError)


def test_read_query_names_the_line_of_an_encoding_error(tmp_path):
    path = tmp_path / "latin.rq"
    path.write_bytes("# title: t\n# description: caf\u00e9\nSELECT ?x WHERE { ?x ?p ?o }\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_query(path)
    assert caught.value.line == 2 and "UTF-8" in str(caught.value)


@FEW
@given(name=s.file_names, explicit=st.one_of(st.none(), s.format_names, st.text(max_size=8)))
def test_format_for_is_the_extension_or_the_explicit_format(name, explicit):
    try:
        fmt = format_for(name, explicit)
    except Exception as error:  # noqa: BLE001
        if name.isprintable():  # a file name with a newline in it is printed as it is (errors.InputError)
            assert_own_error(error, InputError)
        else:
            assert isinstance(error, InputError) and str(error)
        return
    if explicit:
        assert fmt == explicit
    else:
        assert Path(name).suffix.lower() in FORMATS[fmt][0]


# ------------------------------------------------------------------ hostile values cannot change a named query

PARAMETERISED = [(named.name, parameter.name) for named in catalog().values() for parameter in named.parameters]


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def backend_kg(request):
    return cptkg.load(backend=request.param)


def key(rows) -> list:
    return sorted(repr(sorted(row.plain().items())) for row in rows)


def quad_count(kg) -> int:
    return sum(1 for _ in kg.backend.quads())


def assert_binding_is_a_filter(kg, named: NamedQuery, variable: str, value: object, unbound) -> None:
    """Bound to ``value``, the query answers exactly the unbound rows whose variable equals the value."""
    try:
        bindings = named.bind({variable: value})
    except ParameterError:
        return  # refused before it reaches the engine
    answer = kg.backend.execute(named.text, bindings)
    expected = [row for row in unbound if row.term(variable) == bindings[variable]]
    assert key(answer) == key(expected), (named.name, variable, value)


@pytest.mark.parametrize(("query", "variable"), PARAMETERISED, ids=[f"{q}-{v}" for q, v in PARAMETERISED])
def test_hostile_values_cannot_change_a_named_query(backend_kg, query, variable):
    named = backend_kg.queries[query]
    before = quad_count(backend_kg)
    unbound = backend_kg.backend.execute(named.text, {})
    controls = list(dict.fromkeys(row[variable] for row in unbound if row[variable] is not None))[:2]
    values = s.HOSTILE_VALUES if backend_kg.backend.name == "oxigraph" else s.HOSTILE_VALUES[::3]
    for value in [*controls, *values]:
        assert_binding_is_a_filter(backend_kg, named, variable, value, unbound)
        try:
            backend_kg.query(query, **{variable: value})  # the public way: refused or answered, never broken
        except CptkgError as error:
            assert_own_error(error)
    assert quad_count(backend_kg) == before


@pytest.fixture(scope="module")
def every_kind_query(tmp_path_factory) -> NamedQuery:
    """A query with a string and an integer parameter (the catalogue has only code and resource ones)."""
    path = tmp_path_factory.mktemp("queries") / "codon-labels.rq"
    path.write_text(
        "# title: Codon labels\n"
        "# param: label (string, optional) A label.\n"
        "# param: n (integer, optional) A codon number.\n"
        "SELECT ?codon ?label ?n WHERE { ?codon cptkg:codonNumber ?n ; rdfs:label ?label }\n",
        encoding="utf-8",
    )
    return read_query(path)


@pytest.mark.parametrize("variable", ["label", "n"])
def test_hostile_string_and_integer_values_cannot_change_a_query(backend_kg, every_kind_query, variable):
    unbound = backend_kg.backend.execute(every_kind_query.text, {})
    controls = [row[variable] for row in unbound][:2]
    assert controls, "the graph has labelled codons"
    for value in [*controls, *s.HOSTILE_VALUES]:
        assert_binding_is_a_filter(backend_kg, every_kind_query, variable, value, unbound)
    answer = backend_kg.run(every_kind_query, {variable: str(controls[0])})
    assert len(answer) >= 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=s.hostile_text())
def test_any_text_bound_to_provenance_is_refused_or_a_filter(kg, value):
    named = kg.queries["provenance"]
    unbound = _unbound_provenance(kg)
    assert_binding_is_a_filter(kg, named, "resource", value, unbound)


_UNBOUND: dict[int, object] = {}


def _unbound_provenance(kg):
    if id(kg) not in _UNBOUND:
        _UNBOUND[id(kg)] = kg.backend.execute(kg.queries["provenance"].text, {})
    return _UNBOUND[id(kg)]


# ------------------------------------------------------------------ nesting (issue 17)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=s.nested_queries())
def test_any_nesting_is_answered_or_refused_before_the_engine(kg, query):
    """A query nested past the limit is refused in one line before an engine parses it (pyoxigraph's
    parser crashed the process at 5,000 levels); one within it is answered (``LIMIT 1``: deep blank
    nodes match exponentially many paths of the real graph)."""
    from cptkg.core.errors import QueryError
    from cptkg.core.screening import MAX_NESTING, shape_of

    try:
        kg.sparql(query + "\nLIMIT 1")
    except QueryError as error:
        assert_own_error(error)
        assert "nests deeper" in str(error) and shape_of(query).depth > MAX_NESTING
    else:
        assert shape_of(query).depth <= MAX_NESTING
