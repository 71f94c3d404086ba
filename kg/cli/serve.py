"""``kg serve``: a SPARQL 1.1 Protocol endpoint over a graph file or a store."""

from __future__ import annotations

import click

from ..serve import DEFAULT_MAX_BODY, DEFAULT_MAX_RESULTS, DEFAULT_TIMEOUT


@click.command("serve")
@click.argument("graph", type=click.Path(path_type=str))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (other machines reach it only if you change this).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port (0 picks a free one).")
@click.option("--allow-update", is_flag=True, help="Accept SPARQL Update (refused by default). On a graph file, changes live only while the server runs.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT, show_default=True, help="Seconds a query may run before it is stopped (503).")
@click.option("--max-results", type=click.IntRange(min=1), default=DEFAULT_MAX_RESULTS, show_default=True, help="Rows (or triples) at most in one answer; more are cut (X-KG-Truncated: true).")
@click.option("--max-body", type=click.IntRange(min=1), default=DEFAULT_MAX_BODY, show_default=True, help="Largest request body in bytes (413 above).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Query worker processes (1 with --allow-update).")
def command(graph, host, port, allow_update, timeout, max_results, max_body, workers):
    """Serve GRAPH (a graph file or a store directory) as a SPARQL endpoint at /sparql.

    SPARQL 1.1 Protocol: GET or POST, results as JSON, XML, CSV or TSV (SELECT, ASK) or Turtle,
    N-Triples, JSON-LD (CONSTRUCT, DESCRIBE) by the Accept header. The default graph is the
    union of all graphs; the project's prefixes are predeclared. A store is served as it was when
    the server started (restart it after kg build --store). Ctrl-C stops it.

    \b
    Examples:
      kg serve output/graph.ttl
      kg serve kg-store/ --port 8000 --timeout 10
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s a kg:Person }' http://127.0.0.1:7878/sparql
    """
    from ..errors import StoreError
    from ..serve import make_server

    try:
        server = make_server(graph, host=host, port=port, allow_update=allow_update, timeout=timeout,
                             max_results=max_results, max_body=max_body, workers=workers)
    except OSError as e:
        raise StoreError(f"cannot listen on {host}:{port} ({e.strerror or e}); try another --port") from e
    click.echo(f"kg serve: {graph} at {server.url}/sparql ({'read-write' if allow_update else 'read-only'}); Ctrl-C stops", err=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
