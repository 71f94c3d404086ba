"""Build cache: a document's GiNZA parse, and its extraction, are computed once and kept on disk.

Parsing is nearly all of a build's time. So parses are kept, one file per document text::

    <cache dir>/parse/<signature>/<2 hex>/<sha256 of the text>.spacy

Each file is a spaCy DocBin of the document's parser chunks (see ``parse.split_for_parser``) with
``user_data`` kept: GiNZA stores bunsetsu and clauses there. ``<signature>`` is a digest of
``parse.parse_signature``: model name, version and components, spaCy/GiNZA/SudachiPy versions and
the chunk size, so a parse by another model or version is never reused (its ``signature.json``
says which). Reading needs no model: Docs are rebuilt on a Japanese vocabulary alone, so a
rebuild whose documents are all cached never loads GiNZA.

Extractions (``DocExtraction``: mentions, entities, facts) are kept too, under
``<cache dir>/extract/<fingerprint>/``, where the fingerprint covers the parse signature, every
file of the kg package and its data (code, gazetteer, built-in rules), the user's rule files and
the versions of kg's dependencies. A rebuild with nothing changed reads them back and only makes
the graph; after a rule or code change the fingerprint differs, so extraction re-runs on the
cached parses. Only the few most recent fingerprints are kept. They are pickles: like any cache,
the directory must be the user's own.

The cache directory is ``--cache DIR``, else ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/kg``
(``~/.cache/kg``). Files are written to a temporary name and renamed (without fsync), so
concurrent workers and killed runs never leave half a file; an unreadable or mismatching file
counts as a miss and is written again. Deleting the directory is always safe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from .errors import StoreError
from .parse import DEFAULT_MODEL, parse_signature, split_for_parser
from .store_io import atomic_write_bytes

log = logging.getLogger(__name__)

ENV_VAR = "KG_CACHE_DIR"
FORMAT = "1"  # bump when the file layout changes
KEEP_FINGERPRINTS = 4  # extraction caches of older code or rules beyond these are deleted


def default_cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kg"


def open_cache(cache, model: str = DEFAULT_MODEL) -> ParseCache | None:
    """A ParseCache from what a caller passed: a ParseCache, a directory, True for the default
    directory, or None/False for none."""
    if cache is None or cache is False:
        return None
    if isinstance(cache, ParseCache):
        return cache
    return ParseCache(default_cache_dir() if cache is True else cache, model)


class ParseCache:
    """Parses of ``model`` stored under ``root``; ``get`` and ``put`` by document text."""

    def __init__(self, root, model: str = DEFAULT_MODEL):
        self.root = Path(root).expanduser()
        self.model = model
        signature = dict(parse_signature(model), format=FORMAT)
        digest = hashlib.sha256(json.dumps(signature, sort_keys=True).encode("utf-8")).hexdigest()[:16]
        self.dir = self.root / "parse" / digest
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            stamp = self.dir / "signature.json"
            if not stamp.exists():
                atomic_write_bytes(stamp, json.dumps(signature, indent=1, sort_keys=True).encode("utf-8"), durable=False)
        except OSError as e:
            raise StoreError(f"cannot use the parse cache directory {self.root} ({e.strerror or e}): "
                             "pass --cache DIR with a writable directory, or --no-cache") from None
        self._vocab = None
        self._writable = True

    def __reduce__(self):  # workers get the place and the model, not the vocabulary
        return ParseCache, (self.root, self.model)

    def __repr__(self) -> str:
        return f"ParseCache({str(self.dir)!r})"

    def path(self, text: str) -> Path:
        key = _digest(text)
        return self.dir / key[:2] / f"{key}.spacy"

    @property
    def vocab(self):
        """A Japanese vocabulary for rebuilding Docs: lexical attributes without the model."""
        if self._vocab is None:
            from spacy.lang.ja import Japanese
            from spacy.vocab import create_vocab

            self._vocab = create_vocab("ja", Japanese.Defaults)
        return self._vocab

    def get(self, text: str) -> list | None:
        """The (offset, Doc) chunks of ``text``'s parse, or None when it is not cached."""
        path = self.path(text)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        from spacy.tokens import DocBin

        try:
            docs = list(DocBin().from_bytes(data).get_docs(self.vocab))
        except Exception as e:  # a torn or foreign file: parse again and overwrite it
            log.warning("parse cache: ignoring unreadable %s (%s)", path, e)
            return None
        chunks = split_for_parser(text)
        if len(docs) != len(chunks) or any(d.text != t for d, (_o, t) in zip(docs, chunks)):
            log.warning("parse cache: ignoring %s, it does not match its text", path)
            return None
        return [(offset, doc) for (offset, _t), doc in zip(chunks, docs)]

    def put(self, text: str, chunks: list) -> None:
        """Store the (offset, Doc) chunks of ``text``'s parse. A failed write is logged once and
        turns writing off; the build goes on."""
        if not self._writable:
            return
        from spacy.tokens import DocBin

        data = DocBin(docs=[doc for _offset, doc in chunks], store_user_data=True).to_bytes()
        try:
            atomic_write_bytes(self.path(text), data, durable=False)
        except OSError as e:
            self._writable = False
            log.warning("parse cache: cannot write to %s (%s); going on without storing parses", self.dir, e.strerror or e)


class ExtractionCache:
    """Extractions of documents by one version of the code and rules (``fingerprint``), kept
    beside the parses in ``parse_cache``'s directory."""

    def __init__(self, parse_cache: ParseCache, fingerprint: str):
        self.parse_cache = parse_cache
        self.fingerprint = fingerprint
        base = parse_cache.root / "extract"
        self.dir = base / fingerprint
        self._writable = True
        if not self.dir.exists():
            try:
                self.dir.mkdir(parents=True)
            except OSError as e:
                self._writable = False
                log.warning("extraction cache: cannot create %s (%s)", self.dir, e.strerror or e)
            _prune(base, keep=self.dir)
        else:
            os.utime(self.dir)  # most recently used

    def path(self, document) -> Path:
        key = _digest(f"{document.id}\x00{document.text}")
        return self.dir / key[:2] / f"{key}.pickle"

    def get(self, document):
        """The cached DocExtraction of ``document`` (with this Document), or None."""
        try:
            data = self.path(document).read_bytes()
        except OSError:
            return None
        try:
            ex = pickle.loads(data)
        except Exception as e:  # a torn or foreign file: extract again
            log.warning("extraction cache: ignoring unreadable %s (%s)", self.path(document), e)
            return None
        if ex.document.id != document.id or ex.document.text != document.text:
            return None
        return replace(ex, document=document)

    def put(self, ex) -> None:
        if not self._writable:
            return
        try:
            atomic_write_bytes(self.path(ex.document), pickle.dumps(replace(ex, stats={}), protocol=pickle.HIGHEST_PROTOCOL), durable=False)
        except OSError as e:
            self._writable = False
            log.warning("extraction cache: cannot write to %s (%s); going on without storing extractions", self.dir, e.strerror or e)


def extraction_fingerprint(model: str, rules: str = "") -> str:
    """What an extraction depends on besides the text: the parse signature, this kg package
    (code and data, including the built-in rules), the versions of kg's dependencies and
    ``rules``, the ``rules_digest`` of the user's rule files."""
    parts = [FORMAT, parse_signature(model), _package_digest(), rules]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()[:16]


def rules_digest(rule_files: Sequence[str] = (), learned: bool = True) -> str:
    """A digest of the contents of the user's rule files (an unreadable one is named instead:
    loading the rules reports it), and of whether the pair classifier runs beside them."""
    h = hashlib.sha256()
    if not learned:
        h.update(b"rules only\x00")
    for path in rule_files:
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(f"unreadable:{path}".encode())
        h.update(b"\x00")
    return h.hexdigest()


@lru_cache(maxsize=1)
def _package_digest() -> str:
    h = hashlib.sha256()
    roots = {"kg": Path(__file__).parent}
    for pkg in ("kg.ontologies",):
        roots[pkg] = Path(str(resources.files(pkg)))
    for name, root in sorted(roots.items()):
        for f in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"):
            h.update(f"{name}/{f.relative_to(root).as_posix()}\x00".encode())
            h.update(f.read_bytes())
    try:
        requires = metadata.requires("kg") or []
    except metadata.PackageNotFoundError:
        requires = []
    for req in sorted(r for r in requires if "extra ==" not in r):
        dist = req.split(";")[0].split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip()
        try:
            h.update(f"{dist}={metadata.version(dist)}\x00".encode())
        except metadata.PackageNotFoundError:
            continue
    return h.hexdigest()


def _prune(base: Path, keep: Path) -> None:
    """Delete all but the ``KEEP_FINGERPRINTS`` most recently used extraction caches."""
    try:
        dirs = sorted((d for d in base.iterdir() if d.is_dir()), key=lambda d: d.stat().st_mtime, reverse=True)
    except OSError:
        return
    for d in [d for d in dirs if d != keep][KEEP_FINGERPRINTS - 1:]:
        shutil.rmtree(d, ignore_errors=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
