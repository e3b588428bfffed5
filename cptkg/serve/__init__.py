"""The graph over HTTP: a read-only SPARQL 1.1 endpoint with the named queries (``cptkg serve``), and
the graph pushed into any SPARQL 1.1 store (``cptkg push``).

(Querying a store, ``--endpoint`` and :func:`cptkg.connect`, is the core's remote backend:
:mod:`cptkg.core.remote`.)
"""

from .limits import Limits
from .push import push
from .server import DEFAULT_HOST, DEFAULT_PORT, bind, create_app, serve

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "Limits", "bind", "create_app", "push", "serve"]
