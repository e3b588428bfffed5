"""The graph over HTTP: a read-only SPARQL 1.1 endpoint with the named queries (``cptkg serve``).

(Talking to other stores, ``push`` and ``--endpoint``, is the core's remote backend:
:mod:`cptkg.core.remote`.)
"""

from .server import DEFAULT_HOST, DEFAULT_PORT, Limits, create_app, serve

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "Limits", "create_app", "serve"]
