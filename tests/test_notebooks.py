"""The notebooks in notebooks/ run top to bottom in a real Jupyter kernel, use only the public API,
and are stored without outputs.

Each notebook runs in its own kernel (this interpreter, so the kg under test), in a temporary
directory (the notebooks write output/ where they run). The bundled examples are built once first
(``examples_graph``), so the kernels read their parses from the session's parse cache instead of
parsing them again. The inline view of notebook 4 is opened in Chromium.
"""

from __future__ import annotations

import ast
import json
import sys
import time
from pathlib import Path

import nbformat
import pytest

import kg

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHROMIUM = "/usr/bin/chromium"
CELL_TIMEOUT = 300  # seconds for one cell; a first GiNZA load on a slow machine takes ~20


def test_notebooks_are_numbered_and_linked_from_the_readme():
    names = [p.name for p in NOTEBOOKS]
    assert len(names) >= 6 and names == sorted(names)
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(1, len(names) + 1)], names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for n in names:
        assert f"notebooks/{n}" in readme, f"README.md does not link notebooks/{n}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, (f"{path.name}: cells {dirty} have outputs or execution counts; clear them "
                       f"(Jupyter: Edit > Clear Outputs of All Cells) before committing")


def _kg_names(tree: ast.AST) -> set[str]:
    """The attributes read from ``kg`` (kg.build -> build); fails on any other import of kg."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name == "kg" or not alias.name.startswith("kg."), f"imports {alias.name}: use kg.NAME"
                assert alias.name != "kg" or alias.asname is None, "import kg as another name"
        elif isinstance(node, ast.ImportFrom):
            assert node.module != "kg" and not (node.module or "").startswith("kg."), f"from {node.module} import ...: use kg.NAME"
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "kg":
            names.add(node.attr)
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_only_the_public_api(path):
    nb = nbformat.read(path, as_version=4)
    used = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            used |= _kg_names(ast.parse(cell.source))
    assert used, f"{path.name} does not use kg"
    assert used <= set(kg.__all__), f"{path.name} uses kg names outside kg.__all__: {sorted(used - set(kg.__all__))}"


def test_public_api_names_resolve_and_shadow_no_submodule():
    import pkgutil

    for name in kg.__all__:
        assert getattr(kg, name) is not None, name
    submodules = {m.name for m in pkgutil.iter_modules(kg.__path__)}
    assert not set(kg.__all__) & submodules


@pytest.fixture(scope="session")
def kernel_dir(tmp_path_factory):
    """A kernelspec for this interpreter, so the notebooks run against the kg under test whatever
    kernels the machine has installed."""
    path = tmp_path_factory.mktemp("kernels") / "kg-test"
    path.mkdir()
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "kg test", "language": "python"}
    (path / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return path.parent


@pytest.fixture(scope="session")
def executed(kernel_dir, examples_graph, tmp_path_factory):
    """Run a notebook once per session: name -> (executed notebook, seconds, working directory)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    done: dict = {}

    def run(path: Path):
        if path.name not in done:
            nb = nbformat.read(path, as_version=4)
            workdir = tmp_path_factory.mktemp(path.stem)
            km = KernelManager(kernel_name="kg-test", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)]),
                               transport="ipc", ip=str(workdir / "kernel"))
            client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(workdir)}})
            t0 = time.perf_counter()
            try:
                client.execute()
            finally:
                if km.has_kernel:
                    km.shutdown_kernel(now=True)
            done[path.name] = (nb, time.perf_counter() - t0, workdir)
        return done[path.name]

    return run


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_without_errors_or_warnings(executed, path):
    nb, seconds, _ = executed(path)
    print(f"{path.name}: {seconds:.1f} s")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            assert out.output_type != "error", f"{path.name} cell {i}: {out.ename}: {out.evalue}"
            text = out.get("text", "")
            assert out.get("name") != "stderr", f"{path.name} cell {i} wrote to stderr:\n{text}"


def _output_text(nb, marker: str) -> str:
    """The text/plain (or stream) output of the first cell whose source contains ``marker``."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and marker in c.source)
    parts = [o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs]
    return "".join(parts)


def test_notebook_rules_new_rule_asserts_facts_and_keeps_the_denial_negated(executed):
    nb, _, workdir = executed(ROOT / "notebooks" / "06-rules.ipynb")
    assert (workdir / "output" / "my-rules.yaml").exists()
    after = _output_text(nb, "after = kg.build")
    assert "presidentOf" in after and "presidentOf" not in _output_text(nb, "before = kg.build")
    statements = _output_text(nb, '?st kg:rule "lead_org.v1"')
    assert statements.count("presidentOf") == 4 and "true" in statements
    assert "presidentOff" in _output_text(nb, "bad-rules.yaml")


def test_notebook_view_shows_the_graph_inline_in_chromium(executed, tmp_path):
    """The HTML that notebook 4 puts in the notebook, opened in a browser: the view starts inside
    its frame, draws every entity and fetches nothing."""
    from playwright.sync_api import sync_playwright

    nb, _, workdir = executed(ROOT / "notebooks" / "04-view.ipynb")
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.rstrip().endswith("kg.show(g)"))
    html = next(o.data["text/html"] for o in cell.outputs if "text/html" in o.get("data", {}))
    assert html.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in html
    page_file = tmp_path / "notebook-output.html"
    page_file.write_text(f"<!DOCTYPE html><html><body>{html}</body></html>", encoding="utf-8")
    assert (workdir / "output" / "graph.html").stat().st_size > 100_000
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk (scripts/test installs them)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requests, errors = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(page_file.as_uri())
            frame = page.frame_locator("iframe")
            frame.locator("[data-kg-ready]").wait_for(timeout=30_000)
            inner = next(f for f in page.frames if f != page.main_frame)
            shown = inner.evaluate("kgView.nodes.get({filter: n => !n.hidden}).length")
            assert shown == inner.evaluate("kgView.data.entities.length") > 10
            assert frame.locator(".kg-canvas canvas").bounding_box()["height"] > 300
        finally:
            browser.close()
    assert [u for u in requests if u != page_file.as_uri() and not u.startswith("about:")] == []
    assert errors == []
