"""Parse stage: GiNZA dependency trees and bunsetsu for each Document.

Texts longer than the parser accepts (Sudachi refuses inputs over ~49,000 bytes) are split at
sentence boundaries into chunks; each chunk keeps its code-point offset into the document, so
later stages report offsets into the whole text. spaCy objects made here stay inside the NLP
stages (mentions, entities, relations).

Documents go through in batches; a document already in the parse cache (``kg.cache``) is read
from there, and the model is loaded only when some document is not.

``load_model`` adds one small component before GiNZA's parser, ``kg_bracket_sentences``: a
sentence starts only after 。！？ (always, outside brackets), a line break or a bracket closing a
sentence — never inside a closed pair of brackets nor mid-text, so 「片岡一則(かたおかかずのり、
1950年11月27日-)は…」, 「最大の投資家(…と考えられている)であるMicrosoft」 and 「カナダの都市トロントで
育った」 stay one sentence (spaCy's parser keeps a preset ``is_sent_start``). Its name and version
are part of the parse signature.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from itertools import islice
from pathlib import Path

from .errors import ModelError
from .model import Document

log = logging.getLogger(__name__)

DEFAULT_MODEL = "ja_ginza"
# Sudachi's limit is 49,149 bytes; stay well under it so a chunk never reaches it.
MAX_CHUNK_BYTES = 40_000
_BOUNDARY = re.compile(r"(?<=[。！？!?\n])")
# Documents parsed together in one nlp.pipe call (and the unit a worker takes): measured in
# BENCHMARKS.md, larger batches gain nothing and hold more Docs in memory.
BATCH_DOCUMENTS = 16
# The component kg adds before GiNZA's parser, and the version of its logic (bump on change: the
# parse cache is keyed by it).
BRACKET_COMPONENT = "kg_bracket_sentences"
BRACKET_COMPONENT_VERSION = "3"
_BRACKETS = {"(": ")", "（": "）", "「": "」", "『": "』", "〈": "〉", "《": "》", "【": "】", "［": "］", "[": "]"}
PARENS_OPEN = frozenset("(（")
PARENS_CLOSE = frozenset(")）")
_BRACKET_MAX_CHARS = 200  # a longer "bracket" is more likely an unclosed one than a parenthesis
# Installed packages whose versions a parse depends on, besides the model itself.
_PARSER_PACKAGES = ("spacy", "thinc", "ginza", "sudachipy", "sudachidict-core", "sudachidict-small", "sudachidict-full")
# Thread pools of numpy's BLAS, OpenMP and friends. GiNZA's matrices are small: a second
# OpenBLAS thread does no work, yet with it the same parse costs about 8% more CPU (BENCHMARKS.md,
# Throughput); and worker processes already use every core.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextmanager
def one_thread_pools(override: bool = True):
    """Within the block, the thread-pool variables say one thread (``override=False``: only
    those the user has not set); they are restored after. Libraries read them when they start."""
    saved = {k: os.environ.get(k) for k in THREAD_VARS}
    os.environ.update({k: "1" for k, v in saved.items() if override or v is None})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def start_numpy_single_threaded() -> None:
    """Load numpy with one BLAS thread (unless the user sized the pools), before spaCy or e2k do.
    Does nothing once numpy is loaded; the environment is left as it was."""
    if "numpy" not in sys.modules:
        with one_thread_pools(override=False):
            import numpy  # noqa: F401


@dataclass
class Parsed:
    """A document with its parse: ``chunks`` are (offset, spaCy Doc) pairs in text order.
    ``cached`` says the parse came from the parse cache; ``seconds`` is the time it took
    (reading the cache, or this document's share of its batch's parse)."""

    document: Document
    chunks: list
    cached: bool = False
    seconds: float = 0.0


@lru_cache(maxsize=2)
def load_model(name: str = DEFAULT_MODEL):
    """Load the GiNZA pipeline once per process (models come from PyPI, never downloaded here)."""
    start_numpy_single_threaded()
    try:
        import spacy
    except ImportError as e:  # pragma: no cover - spaCy is a hard dependency
        raise ModelError(f"spaCy is not installed ({e}): run `pip install -e .`") from None
    try:
        nlp = spacy.load(name)
    except OSError:
        raise ModelError(
            f"the GiNZA model {name!r} is not installed: run `pip install ja-ginza` (it comes from PyPI)"
        ) from None
    nlp.max_length = max(nlp.max_length, MAX_CHUNK_BYTES * 2)
    if "parser" in nlp.pipe_names and BRACKET_COMPONENT not in nlp.pipe_names:
        _register_bracket_component()
        nlp.add_pipe(BRACKET_COMPONENT, before="parser")
    log.info("loaded %s (%s)", name, ", ".join(nlp.pipe_names))
    return nlp


def after_paren(tokens, j: int, limit: int | None = None) -> int:
    """The index after the parenthesis opening at ``tokens[j]`` closes (nested ones counted), or
    ``len(tokens)`` if it does not close (within ``limit`` tokens of ``j``, when given)."""
    n = len(tokens)
    stop = n if limit is None else min(n, j + limit)
    depth = 0
    for k in range(j, stop):
        text = tokens[k].text
        if text in PARENS_OPEN:
            depth += 1
        elif text in PARENS_CLOSE:
            depth -= 1
            if depth == 0:
                return k + 1
    return n


def bracket_spans(tokens) -> list[tuple[int, int]]:
    """(open, close) token indexes of the outermost bracket pairs that close on the same line
    within ``_BRACKET_MAX_CHARS`` characters; ``tokens`` are spaCy tokens (text, idx)."""
    spans, stack = [], []
    for i, t in enumerate(tokens):
        text = t.text
        if "\n" in text:
            stack.clear()
        elif text in _BRACKETS:
            stack.append((i, _BRACKETS[text], t.idx))
        elif any(text == close for _o, close, _a in stack):
            while stack[-1][1] != text:
                stack.pop()  # a mismatched closing bracket: drop the pairs opened after its own
            start, _close, at = stack.pop()
            if not stack and t.idx - at <= _BRACKET_MAX_CHARS:
                spans.append((start, i))
    return spans


SENTENCE_END = frozenset({"。", "．", "！", "？", "!", "?"})  # what ends a sentence (outside brackets)


def mark_bracket_sentences(doc):
    """Sentences start only where one can: after 。！？ outside brackets (always: GiNZA sometimes
    runs 「…実業家。元…選手。」 together), after a line break, or after a bracket closing a sentence
    (「…。」次の文) — never inside a bracket pair nor mid-text (GiNZA cuts 「カナダの都市|トロントで
    育った。」). The parser keeps a preset ``is_sent_start``."""
    spans = bracket_spans(doc)
    inside = {i for start, end in spans for i in range(start + 1, end + 1)}
    ended = {end for start, end in spans if doc[end - 1].text in SENTENCE_END or start > 0 and doc[start - 1].text in SENTENCE_END}
    for t in doc[1:]:
        prev = doc[t.i - 1]
        if t.i in inside:
            t.is_sent_start = False
        elif prev.text in SENTENCE_END:
            if not t.is_space and not t.is_punct:
                t.is_sent_start = True
        elif not (prev.is_space or "\n" in prev.text or t.is_space or prev.i in ended):
            t.is_sent_start = False
    return doc


def _register_bracket_component() -> None:
    from spacy.language import Language

    if not Language.has_factory(BRACKET_COMPONENT):
        Language.component(BRACKET_COMPONENT, func=mark_bracket_sentences)


@lru_cache(maxsize=4)
def parse_signature(model: str = DEFAULT_MODEL) -> tuple[tuple[str, str], ...]:
    """What a parse by ``model`` depends on, read from package metadata without loading the model:
    model name, version and enabled components (with kg's bracket component and its version), the
    versions of spaCy, GiNZA, SudachiPy and its dictionary, and how texts are cut into chunks. The parse cache is keyed by it."""
    path = Path(model)
    if path.is_dir():
        meta_file = path / "meta.json"
    else:
        spec = importlib.util.find_spec(model) if model.isidentifier() else None
        if spec is None or spec.origin is None:
            raise ModelError(f"the GiNZA model {model!r} is not installed: run `pip install ja-ginza` (it comes from PyPI)")
        meta_file = Path(spec.origin).parent / "meta.json"
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot read the model metadata {meta_file} ({e}): reinstall the model") from None
    disabled = set(meta.get("disabled", ()))
    pipeline = [p for p in meta.get("pipeline", ()) if p not in disabled]
    if "parser" in pipeline:
        pipeline.insert(pipeline.index("parser"), BRACKET_COMPONENT)  # as load_model adds it
    items = {
        "model": f"{meta.get('lang')}_{meta.get('name')}",
        "model_version": str(meta.get("version")),
        "pipeline": ",".join(pipeline),
        BRACKET_COMPONENT: BRACKET_COMPONENT_VERSION,
        "max_chunk_bytes": str(MAX_CHUNK_BYTES),
    }
    for package in _PARSER_PACKAGES:
        try:
            items[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return tuple(sorted(items.items()))


def model_name(nlp) -> str:
    """The name a loaded pipeline was installed under (``ja_ginza``), for ``parse_signature``."""
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}"


def split_for_parser(text: str, max_bytes: int = MAX_CHUNK_BYTES) -> list[tuple[int, str]]:
    """Cut ``text`` into (offset, chunk) pairs of at most ``max_bytes`` UTF-8 bytes each,
    at sentence ends where possible. Offsets are code-point offsets; the chunks joined give ``text``.
    """
    if len(text.encode("utf-8")) <= max_bytes:
        return [(0, text)]
    pieces = [p for p in _BOUNDARY.split(text) if p]
    chunks: list[tuple[int, str]] = []
    start, buf, size, pos = 0, [], 0, 0
    for piece in pieces:
        for part in _hard_split(piece, max_bytes):
            n = len(part.encode("utf-8"))
            if buf and size + n > max_bytes:
                chunks.append((start, "".join(buf)))
                start, buf, size = pos, [], 0
            buf.append(part)
            size += n
            pos += len(part)
    if buf:
        chunks.append((start, "".join(buf)))
    return chunks


def _hard_split(piece: str, max_bytes: int) -> list[str]:
    """Split a single over-long sentence at commas, spaces, or anywhere, to fit ``max_bytes``."""
    if len(piece.encode("utf-8")) <= max_bytes:
        return [piece]
    out, cur, size = [], [], 0
    for ch in piece:
        n = len(ch.encode("utf-8"))
        if cur and size + n > max_bytes:
            # prefer to cut just after the last comma or space in the current run
            text = "".join(cur)
            cut = max(text.rfind("、"), text.rfind("，"), text.rfind(" "), text.rfind(","))
            if cut > len(text) // 2:
                out.append(text[: cut + 1])
                cur = list(text[cut + 1:])
                size = len("".join(cur).encode("utf-8"))
            else:
                out.append(text)
                cur, size = [], 0
        cur.append(ch)
        size += n
    if cur:
        out.append("".join(cur))
    return out


def in_batches(items: Iterable, size: int) -> Iterator[list]:
    """Lists of ``size`` consecutive items (the last one shorter), read lazily."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def parse_documents(nlp, documents: Iterable[Document], batch_size: int = BATCH_DOCUMENTS, cache=None) -> Iterator[Parsed]:
    """Parse documents in a stream, in input order; each Parsed holds all chunks of one document.

    ``nlp`` is a loaded pipeline or a model name; a name is loaded (once per process) only when
    some document is not in ``cache``. ``cache`` is a ``kg.cache.ParseCache``, a directory, True
    for the default directory (``KG_CACHE_DIR``, see ``kg.cache``), or None for no cache.
    Documents go through ``batch_size`` at a time, so memory holds one batch of Docs.
    """
    from .cache import open_cache

    cache = open_cache(cache, nlp if isinstance(nlp, str) else model_name(nlp))
    for batch in in_batches(documents, batch_size):
        yield from parse_batch(nlp, batch, cache)


def parse_batch(nlp, documents: list[Document], cache=None) -> list[Parsed]:
    """Parse one batch: documents found in ``cache`` are read from it, the others are parsed
    together in one ``nlp.pipe`` call (loading the model if ``nlp`` is a name) and stored."""
    out: list[Parsed | None] = [None] * len(documents)
    todo = []
    for i, doc in enumerate(documents):
        t0 = time.perf_counter()
        chunks = cache.get(doc.text) if cache is not None else None
        if chunks is None:
            todo.append(i)
        else:
            out[i] = Parsed(doc, chunks, cached=True, seconds=time.perf_counter() - t0)
    if todo:
        if isinstance(nlp, str):
            nlp = load_model(nlp)
        pieces = [(text, (i, offset)) for i in todo for offset, text in split_for_parser(documents[i].text)]
        parsed: dict[int, list] = {i: [] for i in todo}
        t0 = time.perf_counter()
        for spacy_doc, (i, offset) in nlp.pipe(pieces, as_tuples=True, batch_size=len(pieces)):
            parsed[i].append((offset, spacy_doc))
        seconds = time.perf_counter() - t0
        total = sum(len(documents[i].text) for i in todo) or 1
        for i in todo:
            t0 = time.perf_counter()
            if cache is not None:
                cache.put(documents[i].text, parsed[i])
            share = seconds * len(documents[i].text) / total
            out[i] = Parsed(documents[i], parsed[i], seconds=share + time.perf_counter() - t0)
    return out
