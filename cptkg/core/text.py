"""Text from the graph on its way out: each output format carries data as data.

A label, a notation or a claim id may hold anything: a terminal escape, markup, a spreadsheet
formula. Every renderer passes data through one of these functions at the place it writes, so the
terminal shows control characters escaped, HTML and Markdown show markup as text, JSON escapes what
a terminal would act on, and a spreadsheet never runs a cell.

>>> visible("red\\x1b[31m alert\\x07")
'red\\\\x1b[31m alert\\\\x07'
>>> csv_cell("=HYPERLINK(1)"), csv_cell("-2"), csv_cell("NRAS")
("'=HYPERLINK(1)", '-2', 'NRAS')
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterable
from typing import Any, TextIO

#: What a terminal acts on: C0 controls but tab and newline, DEL, C1 (U+009B is CSI), the line and
#: paragraph separators, and the bidirectional overrides that make text read differently than it is.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: What JSON may carry raw but a terminal acts on (JSON escapes C0 itself).
_JSON_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: A cell that starts with one of these is a formula to a spreadsheet (OWASP's list).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
#: A number as a spreadsheet reads one (a sign before it makes no formula).
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*\[\]|])")


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


def visible(text: str) -> str:
    """The text with every control character written as its escape (``\\x1b``); tab and newline kept.

    >>> visible("a\\tb\\r\\x9b2J")
    'a\\tb\\\\r\\\\x9b2J'
    """
    return CONTROLS.sub(_escaped, text)


def html_text(text: object) -> str:
    """Text for HTML: markup escaped (quotes too), control characters shown.

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(visible(str(text)), quote=True)


def markdown_text(text: object) -> str:
    """Text for Markdown: HTML escaped (a Markdown viewer renders raw HTML), and the characters that
    make links, images, emphasis, code and tables written with a backslash (``_`` is left alone:
    inside a word, as in identifiers, it is never emphasis).

    >>> markdown_text("<img src=x> [click](javascript:x) *bold*")
    '&lt;img src=x&gt; \\\\[click\\\\](javascript:x) \\\\*bold\\\\*'
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(visible(str(text)), quote=False))


def json_text(text: str) -> str:
    """JSON text with DEL, C1 and the other characters of :data:`CONTROLS` that JSON leaves raw
    written as ``\\u`` escapes (still the same JSON value).

    >>> json_text('"\\x9b2J"')
    '"\\\\u009b2J"'
    """
    return _JSON_CONTROLS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps`` (non-ASCII text kept readable) with :func:`json_text`'s escapes."""
    return json_text(json.dumps(value, ensure_ascii=False, **options))


def csv_cell(value: object) -> str:
    """A CSV cell no spreadsheet runs: a text that starts a formula gets a leading apostrophe.

    Numbers (``-2``, ``+1.5``) stay numbers, a lone ``-`` stays itself; the raw value is in the JSON form.

    >>> csv_cell("@SUM(A1:A9)"), csv_cell("+1"), csv_cell("\\tx"), csv_cell("-")
    ("'@SUM(A1:A9)", '+1', "'\\tx", '-')
    """
    text = str(value)
    # a lone "-" (a strand, an empty mark) or "+" is no formula; a sign before a number is a number
    if len(text) > 1 and text.startswith(FORMULA_LEADS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


class CsvWriter:
    """CSV rows whose cells are :func:`csv_cell`\\ s, and which always read back: the csv module
    quotes a cell holding the line terminator (``\\n`` here) but not a lone carriage return, so a row
    with one is written with every cell quoted.

    >>> import io
    >>> out = io.StringIO()
    >>> CsvWriter(out).writerow(["=1+1", "a\\rb", "2"])
    >>> print(repr(out.getvalue()))
    '"\\'=1+1","a\\rb","2"\\n'
    """

    def __init__(self, out: TextIO) -> None:
        self.plain = csv.writer(out, lineterminator="\n")
        self.quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, cells: Iterable[object]) -> None:
        """Write one row, its cells defused (:func:`csv_cell`)."""
        row = [csv_cell(cell) for cell in cells]
        (self.quoted if any("\r" in cell for cell in row) else self.plain).writerow(row)
