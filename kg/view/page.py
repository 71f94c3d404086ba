"""Self-contained HTML pages: a template, inlined scripts and styles, and the data as JSON.

Every script is inlined (vis-network from pyvis's bundled copy, the view's own code from
kg/view/assets/) and a Content-Security-Policy allows exactly those scripts by hash and no
network access, so a page makes no request and text from the input cannot run as code.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def json_for_html(data) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    (so no ``</script>`` or ``<!--``), and no U+2028/2029 line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_UNSAFE_RE.sub(lambda m: _JSON_UNSAFE[m.group()], text)


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    """A file of kg/view/assets/ (shipped as package data)."""
    return resources.files("kg.view").joinpath("assets", name).read_text(encoding="utf-8")


def _version(path) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path.name))


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    """vis-network as pyvis ships it (the newest copy in pyvis/lib). pyvis is found, not
    imported: importing it pulls in IPython and networkx, which a build does not need."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("pyvis is not installed; run `pip install 'pyvis>=0.3.2,<0.4'`")
    lib = Path(spec.submodule_search_locations[0]) / "lib"
    copies = sorted((d for d in lib.iterdir() if d.name.startswith("vis-")), key=_version)
    for d in reversed(copies):
        js = d.joinpath("vis-network.min.js")
        if js.is_file():
            return js.read_text(encoding="utf-8")
    raise FileNotFoundError("pyvis ships no vis-network.min.js; reinstall pyvis (pip install 'pyvis>=0.3.2,<0.4')")


def _script_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"


def render_page(page: str, *, title: str, data, scripts: dict[str, str], connect: str = "'none'") -> str:
    """One self-contained page: ``data`` as JSON in ``#PAGE-data``, an empty ``#PAGE-root``
    for the scripts to fill, and ``scripts`` (name -> code) inlined in order.

    The page's CSP allows only these scripts (by hash), inline styles, and ``connect`` for
    fetch (``'self'`` for the SPARQL page, nothing for a file). The template's slots are filled
    in one pass, so inserted text is never read as a slot.
    """
    for name, code in scripts.items():
        if re.search(r"</script", code, re.I):
            raise ValueError(f"script {name} contains '</script' and cannot be inlined")
    csp = "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(_script_hash(code) for code in scripts.values()),
        "style-src 'unsafe-inline'",
        "img-src data:",
        f"connect-src {connect}",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    slots = {
        "page": page, "title": html.escape(title), "csp": html.escape(csp, quote=False), "css": asset("view.css"),
        "data": json_for_html(data), "scripts": "\n".join(f"<script>{code}</script>" for code in scripts.values()),
    }
    return _PLACEHOLDER.sub(lambda m: slots[m.group(1)], asset("page.html"))
