"""SPARQL over a kg dataset with pyoxigraph: ready queries, parameters, results in every format.

``run(store, query, params)`` runs SPARQL text or the name of a ready query (queries/*.rq,
shipped as ``kg.queries``) against a pyoxigraph store whose default graph is the union of all
graphs. The project's prefixes (kg:, person:, org:, nif:, rdfs:...) are predeclared.

A ready query starts with comment lines: the first says what it does; ``# param NAME KIND:
text`` declares a parameter, bound to the variable ``?NAME``
(``VALUES ?NAME { term }`` at the start of the WHERE group; unbound, it matches anything). KIND ``entity`` takes a label, alias or IRI and is
looked up in the graph; ``name`` a label or alias as it is written (the language tag is the
one the graph uses); ``iri`` an IRI or prefixed name; ``string`` a plain literal.

Invalid SPARQL raises QueryError with the line and column.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox

from .errors import QueryError
from .vocab import PREFIXES, resource_path

RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
_POSITION = re.compile(r"error at (\d+):(\d+):?\s*(.*)", re.S)
_PARAM = re.compile(r"^#\s*param\s+(\w+)\s+(entity|name|iri|string)\s*:\s*(.*)$")
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX|BASE)\b[^\n]*\n\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    help: str


@dataclass(frozen=True)
class ReadyQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    text: str


@dataclass
class Result:
    """A query result: ``kind`` is "select" (``variables``, ``rows``), "ask" (``boolean``) or
    "graph" (``triples``). ``truncated`` says a row limit cut it."""

    kind: str
    variables: list[str]
    rows: list
    boolean: bool | None = None
    triples: list | None = None
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples or ()) if self.kind == "graph" else 1

    def records(self) -> list[dict[str, str]]:
        """SELECT rows as dicts of readable values (prefixed IRIs, literal values; "" unbound)."""
        return [{v: display(row[v]) for v in self.variables} for row in self.rows]

    def to_pandas(self):
        """SELECT rows as a pandas DataFrame of readable values (needs pandas installed)."""
        import pandas as pd

        return pd.DataFrame(self.records(), columns=self.variables)


# ---------------------------------------------------------------- ready queries


@lru_cache(maxsize=1)
def ready_queries() -> dict[str, ReadyQuery]:
    out = {}
    folder = resource_path("kg.queries", "")
    for f in sorted(folder.iterdir(), key=lambda p: p.name):
        if f.name.endswith(".rq"):
            text = f.read_text(encoding="utf-8")
            out[f.name[:-3]] = parse_ready_query(f.name[:-3], text)
    return out


def parse_ready_query(name: str, text: str) -> ReadyQuery:
    description, params = "", []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _PARAM.match(line)
        if m:
            params.append(Param(*m.groups()))
        elif not description:
            description = line.lstrip("# ").strip()
    return ReadyQuery(name, description, tuple(params), text)


def query_text(query: str) -> tuple[str, str, ReadyQuery | None]:
    """(label for messages, SPARQL text, ready query or None) for a ready-query name,
    ``@file.rq`` or SPARQL text."""
    if query.startswith("@"):
        path = Path(query[1:])
        try:
            return str(path), path.read_text(encoding="utf-8"), None
        except (OSError, UnicodeDecodeError) as e:
            raise QueryError(f"{path}: cannot read the query file ({e.__class__.__name__}: {e})") from e
    ready = ready_queries().get(query.strip())
    if ready is not None:
        return f"ready query {ready.name}", ready.text, ready
    if re.fullmatch(r"[\w-]+", query.strip()):
        raise QueryError(f"no ready query named {query.strip()!r}; see `kg query --list` (or give SPARQL text or @file.rq)")
    return "query", query, None


# ---------------------------------------------------------------- parameters and lookup


def expand_iri(text: str) -> str | None:
    """An IRI from ``<iri>``, ``http(s)://...``, ``urn:...`` or a prefixed name of the project."""
    t = text.strip()
    if t.startswith("<") and t.endswith(">"):
        return t[1:-1]
    prefix, sep, local = t.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if re.match(r"^(https?|urn|file):", t):
        return t
    return None


_LOOKUP = """SELECT DISTINCT ?entity WHERE { { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name } }"""
_WHERE = re.compile(r"\bWHERE\s*\{|\{", re.I)
_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.M)


def bind_values(text: str, bindings: Mapping) -> str:
    """The query with ``VALUES ?name { term }`` at the start of its top-level WHERE group, for
    each binding. (Oxigraph's own substitution only binds projected variables.)"""
    if not bindings:
        return text
    at = _where_end(text)
    values = " ".join(f"VALUES ?{var.value} {{ {term} }}" for var, term in bindings.items())
    return f"{text[:at]} {values} {text[at:]}"


@lru_cache(maxsize=256)
def _where_end(text: str) -> int:
    m = _WHERE.search(_COMMENT_LINE.sub(lambda m: " " * len(m.group()), text))
    if m is None:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    return m.end()


def name_literal(text: str) -> ox.Literal:
    """A label as the graph writes it (the language tag the builder gives it)."""
    from .graph import lang_literal

    lit = lang_literal(text.strip())
    return ox.Literal(str(lit), language=lit.language)


def find_entities(store: ox.Store, text: str) -> list[ox.NamedNode]:
    """Entities named ``text``: an IRI or prefixed name as is, else by exact label or alias."""
    iri = expand_iri(text)
    if iri is not None:
        return [ox.NamedNode(iri)]
    sols = store.query(bind_values(_LOOKUP, {ox.Variable("name"): name_literal(text)}), prefixes=PREFIXES,
                       use_default_graph_as_union=True)
    return sorted((s["entity"] for s in sols), key=lambda n: n.value)


def resolve_entity(store: ox.Store, text: str) -> ox.NamedNode:
    found = find_entities(store, text)
    if not found:
        raise QueryError(f"no entity is labelled {text!r}; give its label or alias as written, or its IRI")
    if len(found) > 1:
        names = ", ".join(shorten(n.value) for n in found[:5])
        raise QueryError(f"{text!r} names {len(found)} entities ({names}); give the IRI of the one you mean")
    return found[0]


def bind_params(store: ox.Store, ready: ReadyQuery | None, params: Mapping[str, str]) -> dict:
    if not params:
        return {}
    declared = {p.name: p for p in ready.params} if ready else {}
    subs = {}
    for name, value in params.items():
        p = declared.get(name)
        if ready is not None and p is None:
            known = ", ".join(declared) or "none"
            raise QueryError(f"ready query {ready.name} has no parameter {name!r} (parameters: {known})")
        kind = p.kind if p else ("iri" if expand_iri(value) else "string")
        if kind == "entity":
            term = resolve_entity(store, value)
        elif kind == "name":
            term = name_literal(value)
        elif kind == "iri":
            iri = expand_iri(value)
            if iri is None:
                raise QueryError(f"parameter {name}: {value!r} is not an IRI or prefixed name (e.g. kg:worksFor)")
            term = ox.NamedNode(iri)
        else:
            term = ox.Literal(value)
        subs[ox.Variable(name)] = term
    return subs


# ---------------------------------------------------------------- running


def run(store: ox.Store, query: str, params: Mapping[str, str] | None = None, *, limit: int | None = None,
        default_graph=None, named_graphs=None, sparql_only: bool = False) -> Result:
    """Run SPARQL text, ``@file.rq`` or a ready query's name (only SPARQL text when
    ``sparql_only``); ``limit`` caps the rows kept."""
    label, text, ready = ("query", query, None) if sparql_only else query_text(query)
    try:
        text = bind_values(text, bind_params(store, ready, params or {}))
        if default_graph is not None:
            results = store.query(text, prefixes=PREFIXES, default_graph=default_graph, named_graphs=named_graphs)
        else:
            results = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True, named_graphs=named_graphs)
    except SyntaxError as e:
        raise syntax_error(label, text, e) from e
    except OSError as e:
        raise QueryError(f"{label}: the query failed: {_squash(str(e))}") from e
    return collect(results, limit)


def collect(results, limit: int | None = None) -> Result:
    """Materialise pyoxigraph results (at most ``limit`` rows or triples)."""
    if isinstance(results, ox.QueryBoolean):
        return Result("ask", [], [], boolean=bool(results))
    if isinstance(results, ox.QuerySolutions):
        variables = [v.value for v in results.variables]
        rows = list(results) if limit is None else list(itertools.islice(results, limit + 1))
        truncated = limit is not None and len(rows) > limit
        return Result("select", variables, rows[:limit] if truncated else rows, truncated=truncated)
    triples = list(results) if limit is None else list(itertools.islice(results, limit + 1))
    truncated = limit is not None and len(triples) > limit
    return Result("graph", [], [], triples=triples[:limit] if truncated else triples, truncated=truncated)


def syntax_error(label: str, text: str, e: SyntaxError) -> QueryError:
    """A one-line QueryError: where (line, column) and what, from pyoxigraph's message."""
    msg = _squash(str(e))
    m = _POSITION.match(msg)
    if m is None:
        return QueryError(f"{label}: invalid SPARQL: {msg}")
    line, col, what = m.groups()
    if "Prefix not found" in what:
        what = "unknown prefix (declare it with PREFIX; predeclared: " + ", ".join(PREFIXES) + ")"
    elif len(what) > 160:
        what = what[:157] + "..."
    if _UPDATE.match(text):
        what = "this is a SPARQL Update; kg query only reads (kg serve --allow-update takes updates)"
    return QueryError(f"{label}: invalid SPARQL at line {line}, column {col}: {what}")


def is_update(text: str) -> bool:
    return bool(_UPDATE.match(text))


def _squash(s: str) -> str:
    return " ".join(s.split())


# ---------------------------------------------------------------- output


def shorten(iri: str) -> str:
    """``person:サム・アルトマン`` for an IRI under a project prefix, else the IRI."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best and not iri[len(PREFIXES[best]):].startswith("//"):
        return f"{best}:{iri[len(PREFIXES[best]):]}"
    return iri


def display(term) -> str:
    """A term as a person reads it: prefixed IRIs, literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def write_results(result: Result, fmt: str, out) -> None:
    """Write ``result`` to the binary stream ``out``: SPARQL 1.1 results as json, xml, csv or
    tsv; table is a plain aligned text table. Graph results are Turtle (table), N-Triples
    (csv, tsv) or JSON-LD (json)."""
    if result.kind == "graph":
        from .export import jsonld_bytes

        if fmt == "json":
            out.write(jsonld_bytes(ox.Quad(t.subject, t.predicate, t.object) for t in result.triples))
        else:
            rdf = ox.RdfFormat.TURTLE if fmt in ("table", "xml") else ox.RdfFormat.N_TRIPLES
            out.write(ox.serialize(result.triples, format=rdf, prefixes=PREFIXES if rdf == ox.RdfFormat.TURTLE else None))
        return
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv, "table": _table}.get(fmt)
    if writer is None:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(RESULT_FORMATS)}")
    writer(result, out)


def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": str(t)}


def _json(result: Result, out) -> None:
    if result.kind == "ask":
        doc = {"head": {}, "boolean": result.boolean}
    else:
        vs = result.variables
        bindings = []
        for row in result.rows:
            b = {}
            for v in vs:
                t = row[v]
                if t is not None:
                    b[v] = _json_term(t)
            bindings.append(b)
        doc = {"head": {"vars": vs}, "results": {"bindings": bindings}}
    out.write(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    out.write(b"\n")


def _xml_term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    if t.language:
        return f'<literal xml:lang="{xml_escape(t.language)}">{xml_escape(t.value)}</literal>'
    if t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f'<literal datatype="{xml_escape(t.datatype.value)}">{xml_escape(t.value)}</literal>'
    return f"<literal>{xml_escape(t.value)}</literal>"


def _xml(result: Result, out) -> None:
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    if result.kind == "ask":
        parts.append(f"</head>\n<boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n")
    else:
        parts.extend(f'<variable name="{v}"/>' for v in result.variables)
        parts.append("</head>\n<results>\n")
        for row in result.rows:
            parts.append("<result>")
            for v in result.variables:
                t = row[v]
                if t is not None:
                    parts.append(f'<binding name="{v}">{_xml_term(t)}</binding>')
            parts.append("</result>\n")
        parts.append("</results>\n</sparql>\n")
    out.write("".join(parts).encode("utf-8"))


def _csv(result: Result, out) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ask":
        w.writerow(["_askResult"])
        w.writerow(["true" if result.boolean else "false"])
    else:
        w.writerow(result.variables)
        for row in result.rows:
            w.writerow(["" if (t := row[v]) is None else f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value
                        for v in result.variables])
    out.write(buf.getvalue().encode("utf-8"))


def _tsv(result: Result, out) -> None:
    if result.kind == "ask":
        out.write(b"?_askResult\n" + (b"true\n" if result.boolean else b"false\n"))
        return
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if (t := row[v]) is None else str(t) for v in result.variables))
    out.write(("\n".join(lines) + "\n").encode("utf-8"))


def _table(result: Result, out) -> None:
    if result.kind == "ask":
        out.write(b"true\n" if result.boolean else b"false\n")
        return
    rows = [[display(row[v]) for v in result.variables] for row in result.rows]
    out.write(text_table(result.variables, rows).encode("utf-8"))
    n = len(rows)
    out.write(f"({n} row{'s' if n != 1 else ''}{', cut at the limit' if result.truncated else ''})\n".encode("utf-8"))


def text_table(header: list[str], rows: Iterable[list[str]]) -> str:
    """A plain aligned table (East Asian wide characters count double)."""
    from unicodedata import east_asian_width

    def width(s: str) -> int:
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in s)

    rows = [[c.replace("\n", " ") for c in r] for r in rows]
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths)).rstrip() + "\n"

    return line(header) + line(["-" * w for w in widths]) + "".join(line(r) for r in rows)
