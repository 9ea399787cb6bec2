"""The guard (tests/ci_guard.py): under CI=true a skipped test fails the run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, body: str, ci: bool) -> int:
    test = tmp_path / "test_sample.py"
    test.write_text(body)
    env = {**os.environ, "CI": "true" if ci else "false"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "tests.ci_guard",
        "--rootdir",
        str(tmp_path),
        "-c",
        os.devnull,
        str(test),
    ]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True).returncode


def test_a_skip_fails_the_run_under_ci(tmp_path):
    body = "import pytest\n\ndef test_needs_a_tool():\n    pytest.skip('tool missing')\n"
    assert _run(tmp_path, body, ci=False) == 0
    assert _run(tmp_path, body, ci=True) == 1


def test_a_module_skipped_at_import_fails_the_run_under_ci(tmp_path):
    body = "import pytest\n\npytest.importorskip('no_such_module')\n\ndef test_x():\n    pass\n"
    assert _run(tmp_path, body, ci=True) == 1
