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
