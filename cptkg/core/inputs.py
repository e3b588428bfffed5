"""What a user's input may cost: lines of bounded length, no XML entities, streams read once.

A file given on the command line may be anything: a pipe (``/dev/stdin``), an endless device
(``/dev/zero``), a kilobyte of XML that expands to gigabytes. The readers of the package go through
these functions so that each such input gets a one-line :class:`~cptkg.core.errors.InputError`
naming the file and line, in bounded memory, instead of a crash.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO

from .errors import InputError

#: Characters of one line of a text input (a claim line, a VCF record): far more than any real one.
MAX_LINE = 8 << 20
#: Bytes kept from a stream that must be read twice (RDF/XML from a pipe: screened, then parsed).
MAX_STREAM_BYTES = 256 << 20
#: Values a YAML document may stand for once its aliases are expanded (a real SSSOM header or
#: prefix map has dozens; an alias bomb of a few hundred bytes stands for billions).
MAX_YAML_VALUES = 100_000
_CHUNK = 1 << 20


def is_regular(path: Path | str) -> bool:
    """Whether ``path`` is a regular file (following links), not a pipe, a device or a folder."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def bounded_lines(handle: IO[str], path: Path | str, limit: int = MAX_LINE) -> Iterator[str]:
    """The lines of a text stream, each refused past ``limit`` characters or when it holds a NUL
    (an endless input such as ``/dev/zero``, or a file that is not text), as an InputError naming
    the file and line."""
    number = 0
    while True:
        line = handle.readline(limit)
        if not line:
            return
        number += 1
        if "\x00" in line:
            raise InputError("holds a NUL character: not a text file", path=path, line=number)
        if len(line) >= limit and not line.endswith(("\n", "\r")):
            raise InputError(f"the line is longer than {limit:,} characters", path=path, line=number)
        yield line


# ---------------------------------------------------------------- XML without entities


class _EntityRefused(Exception):
    pass


def refuse_xml_entities(
    stream: BinaryIO, path: Path | str, keep: bytearray | None = None, what: str = "rdf-xml"
) -> None:
    """Read an XML document once with expat and refuse any DTD entity declaration (internal,
    external, parameter: the billion-laughs bomb and XXE alike), and anything that is not
    well-formed XML, as an InputError naming the file and line. Memory stays bounded: nothing is
    expanded or kept, except the bytes read into ``keep`` (up to :data:`MAX_STREAM_BYTES`) when given.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise _EntityRefused

    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        while chunk := stream.read(_CHUNK):
            if keep is not None:
                keep += chunk
                if len(keep) > MAX_STREAM_BYTES:
                    raise InputError(f"the stream is longer than {MAX_STREAM_BYTES:,} bytes", path=path)
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _EntityRefused:
        raise InputError(
            "the XML declares DTD entities, which cptkg refuses (they can expand without bound or read "
            "other files); write the values out",
            path=path,
            line=parser.CurrentLineNumber,
        ) from None
    except expat.ExpatError as error:
        raise InputError(f"not valid {what}: {expat.ErrorString(error.code)}", path=path, line=error.lineno) from None


# ---------------------------------------------------------------- YAML without alias bombs


def safe_yaml(text: str, path: Path | str, line: int = 1) -> object:
    """A YAML document read by YAML's safe loader, refused when its aliases (``*name``) would stand
    for more than :data:`MAX_YAML_VALUES` values (a YAML "billion laughs"), before any code walks or
    prints it; ``line`` is the file line of the document's first line. ``yaml.YAMLError`` passes."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_YAML_VALUES:
            raise InputError(
                f"the YAML's aliases stand for more than {MAX_YAML_VALUES:,} values; write it out plainly",
                path=path,
                line=line,
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(root: object) -> int:
    """How many nodes a YAML node graph holds with every alias expanded (a shared node counted once
    per use), each node's size computed once: linear in the graph, never in its expansion."""
    import yaml

    sizes: dict[int, int] = {}

    def size(node: object) -> int:
        if id(node) not in sizes:
            sizes[id(node)] = 1  # a node that holds itself counts once
            if isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            elif isinstance(node, yaml.MappingNode):
                children = [item for pair in node.value for item in pair]
            else:
                children = []
            sizes[id(node)] = 1 + sum(size(child) for child in children)
        return sizes[id(node)]

    return size(root)
