"""cptkg: a knowledge graph of molecular-pathology billing codes, starting with CPT 81311.

>>> import cptkg
>>> kg = cptkg.load()
>>> kg.query("covered-codons", code="81311").records()[0]["codon_number"]
12
"""

__version__ = "0.1.0"

from .errors import (
    CptkgError,
    InputError,
    OutputExistsError,
    ParameterError,
    UnknownCodeError,
    UnknownQueryError,
)
from .graph import KnowledgeGraph, load
from .results import Result, Row

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
    "load",
]
