"""The kg command: help with examples, build end to end, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import COMMANDS, cli
from conftest import SEED, require_shared


def kg_cmd(*args, cwd=None, check=False):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd, check=check)


def test_cli_help_and_every_subcommand_help_have_an_example():
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0 and "Example" in top.output
    assert set(COMMANDS) <= set(top.output.split())
    for name in COMMANDS:
        res = runner.invoke(cli, [name, "--help"])
        assert res.exit_code == 0, name
        assert "Example" in res.output and f"kg {name}" in res.output, f"kg {name} --help lacks an example"


def test_cli_build_seed_writes_turtle_and_offline_html(tmp_path):
    require_shared(SEED)
    res = kg_cmd("build", str(SEED), "-o", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    ttl = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    assert "kg:worksFor" in ttl and "nif:Context" in ttl
    html = (tmp_path / "out" / "graph.html").read_text(encoding="utf-8")
    assert "https://cdn" not in html and 'src="http' not in html
    assert "documents" in res.stdout and "seconds" in res.stdout


def test_cli_build_without_inputs_builds_the_bundled_examples(tmp_path):
    res = kg_cmd("build", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "output" / "graph.ttl").stat().st_size > 1000
    assert (tmp_path / "output" / "graph.html").exists()


def test_cli_build_skips_bad_inputs_names_them_and_exits_3(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("トヨタ自動車は愛知県豊田市に本社を置く。", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    res = kg_cmd("build", str(good), str(empty), str(binary), str(tmp_path / "missing.txt"), "-o", str(tmp_path / "out"))
    assert res.returncode == 3, res.stderr
    for name in ("empty.txt", "blob.txt", "missing.txt"):
        assert name in res.stderr
    assert "Traceback" not in res.stderr
    assert "good.txt" in (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")


def test_cli_build_with_nothing_readable_fails_with_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    res = kg_cmd("build", str(empty), "-o", str(tmp_path / "out"))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_cli_build_malformed_rule_file_is_one_line_error(tmp_path):
    rules = tmp_path / "bad.yaml"
    rules.write_text("rules:\n  - id: broken.v1\n    kind: frame\n    relation: notARelation\n", encoding="utf-8")
    doc = tmp_path / "a.txt"
    doc.write_text("ソニーは東京都に本社を置く。", encoding="utf-8")
    res = kg_cmd("build", str(doc), "--rules", str(rules), "-o", str(tmp_path / "out"))
    assert res.returncode == 1
    lines = [l for l in res.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "bad.yaml" in lines[0] and "broken.v1" in lines[0]


def test_cli_python_dash_m_kg_and_console_script_agree():
    a = kg_cmd("--version")
    assert a.returncode == 0 and "kg" in a.stdout
