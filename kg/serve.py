"""``kg serve``: a SPARQL 1.1 Protocol endpoint over a graph or store, plus mountable pages.

The server is ``http.server`` with a route table: ``App.routes`` maps a path to a handler, a
function ``handler(request: Request) -> Response``. ``/sparql`` is the SPARQL endpoint; ``/``
lists the mounted pages. To add a page (the view's SPARQL editor does this), write a module
with a function ``mount(app)`` that calls ``app.mount("/editor", handler)`` (paths other than
``/sparql``), and add the module's name to ``PAGE_MODULES`` below; ``make_server`` imports each
and calls its ``mount``. A page talks to the endpoint with ``fetch("/sparql", {method: "POST",
body: new URLSearchParams({query})})`` and an ``Accept`` header.

The endpoint (https://www.w3.org/TR/sparql11-protocol/):

- GET ``/sparql?query=...`` and POST (``application/x-www-form-urlencoded`` with ``query=`` or
  ``update=``, or a body of ``application/sparql-query`` / ``application/sparql-update``), with
  ``default-graph-uri`` / ``named-graph-uri``; without them the default graph is the union of
  all graphs. The project's prefixes are predeclared.
- Results by content negotiation: SPARQL JSON (default), XML, CSV, TSV for SELECT and ASK;
  Turtle (default), N-Triples, JSON-LD, RDF/XML for CONSTRUCT and DESCRIBE.
- Read-only unless started with ``allow_update``: an update gets 403.
- Each query runs in a worker process that is killed when it passes the time limit (503);
  results are cut at ``max_results`` rows (header ``X-KG-Truncated: true``); request bodies over
  ``max_body`` bytes get 413; malformed requests 400 with a one-line message.
- Binds 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import html
import importlib
import io
import logging
import multiprocessing
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

PAGE_MODULES: tuple[str, ...] = ("kg.view.pages",)  # modules with a mount(app) function

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RESULTS = 10_000
DEFAULT_MAX_BODY = 1 << 20

RESULT_TYPES = {  # media type -> kg.query result format, for SELECT and ASK
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {  # media type -> pyoxigraph RdfFormat name, for CONSTRUCT and DESCRIBE
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
}
_CONTENT_TYPE = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values"}


# ---------------------------------------------------------------- requests and routes


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]


def text_response(status: int, message: str) -> Response:
    return Response(status, (message.rstrip("\n") + "\n").encode("utf-8"))


class App:
    """The route table. ``mount(path, handler)`` adds a page; ``/sparql`` is the endpoint."""

    def __init__(self, endpoint: SparqlEndpoint, title: str = "kg"):
        self.endpoint = endpoint
        self.title = title
        self.routes: dict[str, Handler] = {"/sparql": endpoint.handle, "/": self._index}

    def mount(self, path: str, handler: Handler) -> None:
        if path == "/sparql":
            raise ValueError("/sparql is the SPARQL endpoint; mount pages elsewhere")
        self.routes[path] = handler

    def dispatch(self, request: Request) -> Response:
        handler = self.routes.get(request.path)
        if handler is None:
            return text_response(404, f"no page at {request.path}; see / for what this server has")
        return handler(request)

    def _index(self, request: Request) -> Response:
        links = "".join(f'<li><a href="{html.escape(p)}">{html.escape(p)}</a></li>' for p in sorted(self.routes) if p != "/")
        body = (f"<!doctype html><meta charset=utf-8><title>{html.escape(self.title)}</title>"
                f"<h1>{html.escape(self.title)}</h1><p>SPARQL 1.1 endpoint: <code>/sparql</code></p><ul>{links}</ul>")
        return Response(200, body.encode("utf-8"), "text/html; charset=utf-8")


# ---------------------------------------------------------------- content negotiation


def _accepted(accept: str | None) -> list[str]:
    """Media types of an Accept header, best first (q=0 dropped)."""
    if not accept:
        return ["*/*"]
    items = []
    for n, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if fields[0] and q > 0:
            items.append((-q, n, fields[0].lower()))
    return [t for _q, _n, t in sorted(items)]


def negotiate(accept: str | None, kind: str) -> tuple[str, str] | None:
    """(format, content type) for a result of ``kind`` ("select", "ask", "graph"), or None."""
    table = GRAPH_TYPES if kind == "graph" else RESULT_TYPES
    default = "text/turtle" if kind == "graph" else "application/sparql-results+json"
    for t in _accepted(accept):
        if t in table:
            return table[t], t if kind == "graph" else _CONTENT_TYPE[table[t]]
        if t in ("*/*", "application/*", "text/*") or (kind == "graph" and t == "application/json"):
            return table[default], default
    return None


# ---------------------------------------------------------------- workers


def _worker(conn, location: str, writable: bool) -> None:
    """A query worker: opens the dataset, answers requests until the pipe closes."""
    from .store import open_dataset

    store = open_dataset(location, writable=writable)
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        try:
            conn.send(_answer(store, msg))
        except Exception as e:  # noqa: BLE001 - a worker reports, never dies, on a bad request
            log.exception("query worker failed")
            conn.send(("error", 500, f"the server failed on this request: {e.__class__.__name__}: {e}"))


def _answer(store, msg: dict):
    import pyoxigraph as ox

    from . import query as q
    from .errors import KGError
    from .vocab import PREFIXES

    if msg["op"] == "update":
        try:
            store.update(msg["text"], prefixes=PREFIXES)
        except SyntaxError as e:
            return ("error", 400, str(q.syntax_error("update", msg["text"], e)))
        except OSError as e:
            return ("error", 500, f"the update failed: {e}")
        return ("ok", 204, "", b"", False)
    default = [ox.NamedNode(g) for g in msg["default"]] or None
    named = [ox.NamedNode(g) for g in msg["named"]] or None
    try:
        result = q.run(store, msg["text"], limit=msg["limit"], default_graph=default, named_graphs=named, sparql_only=True)
    except KGError as e:
        return ("error", 400, str(e).replace("query: ", "", 1))
    chosen = negotiate(msg["accept"], result.kind)
    if chosen is None:
        offered = ", ".join(GRAPH_TYPES if result.kind == "graph" else RESULT_TYPES)
        return ("error", 406, f"cannot answer in {msg['accept']!r}; this result can be {offered}")
    fmt, content_type = chosen
    buf = io.BytesIO()
    if result.kind == "graph":
        from .oxi import restored_triples

        rdf = getattr(ox.RdfFormat, fmt)
        triples = list(restored_triples(result.triples))
        if rdf == ox.RdfFormat.JSON_LD:
            from .export import jsonld_bytes

            buf.write(jsonld_bytes(ox.Quad(t.subject, t.predicate, t.object) for t in triples))
        else:
            buf.write(ox.serialize(triples, format=rdf, prefixes=PREFIXES if rdf == ox.RdfFormat.TURTLE else None))
    else:
        q.write_results(result, fmt, buf)
    charset = "; charset=utf-8" if content_type.startswith("text/") else ""
    return ("ok", 200, content_type + charset, buf.getvalue(), result.truncated)


class _Worker:
    def __init__(self, ctx, location: str, writable: bool):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, location, writable), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryRunner:
    """A pool of worker processes over one dataset; a query past the time limit kills its
    worker (and a fresh one takes its place)."""

    def __init__(self, location: str, *, workers: int, writable: bool, timeout: float):
        self.location, self.writable, self.timeout = location, writable, timeout
        self.ctx = multiprocessing.get_context("spawn")
        self.idle: queue.Queue = queue.Queue()
        self.all: list[_Worker] = []
        for _ in range(1 if writable else max(1, workers)):
            self._add()

    def _add(self) -> None:
        w = _Worker(self.ctx, self.location, self.writable)
        self.all.append(w)
        self.idle.put(w)

    def ask(self, msg: dict):
        w = self.idle.get()
        try:
            w.conn.send(msg)
            if not w.conn.poll(self.timeout):
                raise TimeoutError
            answer = w.conn.recv()
        except TimeoutError:
            w.kill()
            self.all.remove(w)
            self._add()
            return ("error", 503, f"the query ran past the time limit of {self.timeout:g} s and was stopped; "
                                  "narrow it (LIMIT, more specific patterns)")
        except (EOFError, OSError, BrokenPipeError):
            w.kill()
            self.all.remove(w)
            self._add()
            return ("error", 500, "the query worker died on this request")
        self.idle.put(w)
        return answer

    def close(self) -> None:
        for w in self.all:
            w.kill()


class SparqlEndpoint:
    def __init__(self, runner: QueryRunner, *, allow_update: bool, max_results: int, max_body: int):
        self.runner = runner
        self.allow_update = allow_update
        self.max_results = max_results
        self.max_body = max_body

    def handle(self, request: Request) -> Response:
        if request.method not in ("GET", "POST"):
            return Response(405, b"use GET or POST\n", headers={"Allow": "GET, POST"})
        params = {k: list(v) for k, v in request.params.items()}
        query = update = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                return text_response(400, "the request body is not UTF-8")
            if ctype == "application/x-www-form-urlencoded":
                for k, v in parse_qs(body, keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-query":
                query = body
            elif ctype == "application/sparql-update":
                update = body
            else:
                return text_response(415, f"unsupported Content-Type {ctype or '(none)'!r}; use application/x-www-form-urlencoded, "
                                          "application/sparql-query or application/sparql-update")
        for name in ("query", "update"):
            values = params.get(name, [])
            if len(values) > 1:
                return text_response(400, f"more than one {name} parameter")
            if values:
                if name == "query":
                    query = values[0] if query is None else None
                else:
                    update = values[0] if update is None else None
        if query is not None and update is not None:
            return text_response(400, "give a query or an update, not both")
        if update is not None:
            if request.method == "GET":
                return text_response(400, "updates must be sent with POST")
            if not self.allow_update:
                return text_response(403, "this endpoint is read-only; start kg serve with --allow-update to accept updates")
            return self._reply(self.runner.ask({"op": "update", "text": update}))
        if query is None or not query.strip():
            return text_response(400, "missing query: use GET /sparql?query=... or POST (SPARQL 1.1 Protocol)")
        from .query import is_update

        if is_update(query):
            return text_response(400, "this is a SPARQL Update; send it as update= (POST), not query=")
        msg = {"op": "query", "text": query, "accept": request.headers.get("accept"), "limit": self.max_results,
               "default": params.get("default-graph-uri", []), "named": params.get("named-graph-uri", [])}
        return self._reply(self.runner.ask(msg))

    @staticmethod
    def _reply(answer) -> Response:
        if answer[0] == "error":
            return text_response(answer[1], answer[2])
        _ok, status, content_type, body, truncated = answer
        headers = {"X-KG-Truncated": "true"} if truncated else {}
        return Response(status, body, content_type or "text/plain", headers)


# ---------------------------------------------------------------- the HTTP server


class _HTTPHandler(BaseHTTPRequestHandler):
    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        app: App = self.server.app  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = b""
        if self.command == "POST":
            length = headers.get("content-length")
            if length is None or not length.isdigit():
                return self._send(text_response(411, "POST needs a Content-Length"))
            if int(length) > app.endpoint.max_body:
                self.close_connection = True
                return self._send(text_response(413, f"the request body is over the limit of {app.endpoint.max_body} bytes"))
            body = self.rfile.read(int(length))
        try:
            params = parse_qs(url.query, keep_blank_values=True, strict_parsing=False, errors="strict")
        except (UnicodeDecodeError, ValueError):
            return self._send(text_response(400, "the query string is not valid UTF-8 URL encoding"))
        try:
            response = app.dispatch(Request(self.command, url.path or "/", params, headers, body))
        except Exception as e:  # noqa: BLE001 - one bad request must not take the server down
            log.exception("request failed")
            response = text_response(500, f"the server failed on this request: {e.__class__.__name__}")
        self._send(response)

    do_GET = do_POST = _handle

    def do_PUT(self) -> None:  # noqa: N802
        self._send(Response(405, b"use GET or POST\n", headers={"Allow": "GET, POST"}))

    do_DELETE = do_PATCH = do_PUT

    def _send(self, r: Response) -> None:
        self.send_response(r.status)
        self.send_header("Content-Type", r.content_type)
        self.send_header("Content-Length", str(len(r.body)))
        for k, v in r.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(r.body)

    def log_message(self, format, *args) -> None:  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, app: App, cleanup: Callable[[], None]):
        super().__init__(address, _HTTPHandler)
        self.app = app
        self._cleanup = cleanup

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def server_close(self) -> None:
        super().server_close()
        self._cleanup()


def make_server(graph, *, host: str = "127.0.0.1", port: int = 7878, allow_update: bool = False,
                timeout: float = DEFAULT_TIMEOUT, max_results: int = DEFAULT_MAX_RESULTS,
                max_body: int = DEFAULT_MAX_BODY, workers: int = 2) -> Server:
    """A server over ``graph`` (file or store directory), not yet serving: call
    ``serve_forever()``; ``shutdown()`` and ``server_close()`` stop it and its workers."""
    import pyoxigraph as ox

    from .store import DATASET, is_store_dir, open_dataset

    path = Path(graph)
    tmp = None
    if path.is_dir():
        location = str(path / DATASET) if is_store_dir(path) else str(path)
        open_dataset(path)  # fails early, with a message, when it is not a store
    else:
        # a file: load it once into a temporary on-disk store the workers open
        loaded = open_dataset(path)
        tmp = tempfile.mkdtemp(prefix="kg-serve-")
        disk = ox.Store(str(Path(tmp) / "store"))
        disk.bulk_extend(loaded)
        disk.flush()
        del disk, loaded
        location = str(Path(tmp) / "store")
    runner = QueryRunner(location, workers=workers, writable=allow_update, timeout=timeout)
    endpoint = SparqlEndpoint(runner, allow_update=allow_update, max_results=max_results, max_body=max_body)
    app = App(endpoint, title=f"kg: {path.name}")
    for name in PAGE_MODULES:
        importlib.import_module(name).mount(app)

    def cleanup() -> None:
        runner.close()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    try:
        server = Server((host, port), app, cleanup)
    except OSError:
        cleanup()
        raise
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("kg serve is listening on %s: reachable from other machines", host)
    return server


def serve_in_thread(server: Server) -> threading.Thread:
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return t
