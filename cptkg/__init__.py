"""cptkg: a knowledge graph of molecular-pathology billing codes, starting with CPT 81311.

>>> import cptkg
>>> kg = cptkg.load()
>>> kg.query("covered-codons", code="81311").records()[0]["codon_number"]
12
"""

from .api import KnowledgeGraph, connect, load
from .core.errors import (
    CptkgError,
    InputError,
    OutputExistsError,
    ParameterError,
    UnknownCodeError,
    UnknownQueryError,
)
from .core.results import Result, Row
from .core.version import __version__

__all__ = [
    "CptkgError",
    "InputError",
    "KnowledgeGraph",
    "OutputExistsError",
    "ParameterError",
    "Result",
    "Row",
    "UnknownCodeError",
    "UnknownQueryError",
    "__version__",
    "connect",
    "load",
]
