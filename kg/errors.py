"""The errors kg raises for problems a user can fix.

Every message says what was wrong, with which input, and what to do. The CLI prints
``str(error)`` on one line and exits non-zero; no traceback is shown for these.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error caused by input, configuration or environment."""


class InputError(KGError):
    """An input document or path cannot be read (missing, binary, undecodable, empty, bad JSONL)."""


class RuleError(KGError):
    """A relation rule file is malformed: names the file, the rule id and the problem."""


class QueryError(KGError):
    """A SPARQL query is invalid or failed; names the position where known."""


class ModelError(KGError):
    """The GiNZA model (or another required resource) is missing or unusable."""


class StoreError(KGError):
    """A graph file or store directory cannot be opened, read or written."""
