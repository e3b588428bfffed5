"""What a user's input may cost: lines of bounded length, no XML entities, streams read once.

A file given on the command line may be anything: a pipe (``/dev/stdin``), an endless device
(``/dev/zero``), a kilobyte of XML that expands to gigabytes. The readers of the package go through
these functions so that each such input gets a one-line :class:`~cptkg.core.errors.InputError`
naming the file and line, in bounded memory, instead of a crash.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

from .errors import InputError

T = TypeVar("T")

#: Characters of one line of a text input (a claim line, a VCF record): far more than any real one.
MAX_LINE = 8 << 20
#: Bytes kept from a stream that must be read twice (RDF/XML from a pipe: screened, then parsed).
MAX_STREAM_BYTES = 256 << 20
#: Bytes of a stream (a pipe) read once into a temporary file for readers that open a file more than once.
MAX_SPOOL_BYTES = 4 << 30
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


def bounded_lines(handle: IO[str], path: Path | str, limit: int = MAX_LINE, first: int = 1) -> Iterator[str]:
    """The lines of a text stream, each refused past ``limit`` characters (an endless input such as
    ``/dev/zero``), as an InputError naming the file and line; a NUL in the first line or in an
    endless one means the file is not text. A NUL in a later, ended line passes: that one line is
    bad, and the format's reader reports it without giving up the rest of the file. ``first`` is the
    number of the stream's first line in its file (a stream that begins inside the file)."""
    number = first - 1
    while True:
        line = handle.readline(limit)
        if not line:
            return
        number += 1
        endless = len(line) >= limit and not line.endswith(("\n", "\r"))
        if "\x00" in line and (number == 1 or endless):
            raise InputError("holds a NUL character: not a text file", path=path, line=number)
        if endless:
            raise InputError(f"the line is longer than {limit:,} characters", path=path, line=number)
        yield line


# ---------------------------------------------------------------- streams read as files


class Spool:
    """A stream (a pipe, ``/dev/stdin``) read once into a temporary file, for a reader that opens its
    file more than once (to sniff its kind, then to read it): from a pipe, what the first opening
    read would be gone. At most :data:`MAX_SPOOL_BYTES` and no NUL (``/dev/zero`` is refused at once);
    an InputError about the temporary file is told with the stream's name (:meth:`renamed`).
    Close it (or let :meth:`closing` close it) when the reading is done."""

    def __init__(self, path: Path | str, what: str = "text") -> None:
        import tempfile

        self.path = Path(path)
        self.file = tempfile.NamedTemporaryFile(prefix=".cptkg-stream-", suffix=self.path.suffix)  # noqa: SIM115
        self.name = self.file.name
        try:
            self._copy(what)
        except BaseException:
            self.file.close()
            raise

    def _copy(self, what: str) -> None:
        size, compressed = 0, None
        try:
            with open(self.path, "rb") as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if compressed is None:  # gzip (a bgzipped VCF, a BCF) is binary by nature
                        compressed = chunk.startswith(b"\x1f\x8b")
                    if not compressed and b"\x00" in chunk:
                        raise InputError(f"holds binary data (a NUL byte), not {what}", path=self.path)
                    if size > MAX_SPOOL_BYTES:
                        raise InputError(f"the stream is longer than {MAX_SPOOL_BYTES:,} bytes", path=self.path)
                    self.file.write(chunk)
        except OSError as error:
            raise InputError(f"cannot read: {error.strerror or error}", path=self.path) from None
        self.file.flush()

    def renamed(self, error: InputError) -> InputError:
        """The error told with the stream's name when it names the temporary file."""
        if error.path != self.name:
            return error
        return InputError(error.reason, path=self.path, line=error.line)

    def call(self, make: Callable[[], T]) -> T:
        """``make()``, its InputErrors told with the stream's name."""
        try:
            return make()
        except InputError as error:
            raise self.renamed(error) from None

    def closing(self, items: Iterator) -> Iterator:
        """The items, errors told with the stream's name; the temporary file goes at the end."""
        try:
            while True:
                item = self.call(lambda: next(items, _END))
                if item is _END:
                    return
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Remove the temporary file."""
        self.file.close()


_END = object()


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
