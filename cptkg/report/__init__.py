"""What the graph says about a code, for people: the report (text, Markdown, JSON), its HTML page,
diagrams and the documentation set.

>>> import cptkg
>>> from cptkg.report import build, render
>>> print(render(build(cptkg.load(), "81311")).splitlines()[0])
CPT 81311 in the cptkg knowledge graph
"""

from .sections import SECTIONS, Section, build, render

__all__ = ["SECTIONS", "Section", "build", "render"]
