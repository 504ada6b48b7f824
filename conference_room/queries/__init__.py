"""Every SQL statement, grouped by table in one module each. Plain dicts in and out; no Flask.

Callers use ``queries.name(...)``; each submodule's functions are gathered here.
"""

from .core import *  # noqa: F403
from .dashboard import *  # noqa: F403
from .decisions import *  # noqa: F403
from .live import *  # noqa: F403
from .plans import *  # noqa: F403
from .reports import *  # noqa: F403
from .reviews import *  # noqa: F403
from .scaling import *  # noqa: F403
