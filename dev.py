#!/usr/bin/env python3
"""Set up and run the service or its tests with nothing but Python 3.11+.

    python3 dev.py demo   # virtualenv, install, SQLite database with demo data, serve
    python3 dev.py test   # virtualenv, install with test tools, ruff + mypy + pytest

Extra arguments after ``test`` go to pytest; after ``demo`` to ``evidence-service serve``.
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def setup(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs on any python3 to say so)
        sys.exit("Python 3.11 or newer is needed")
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f".{extras}")


def main() -> None:
    command, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "demo":
        setup("")
        os.execv(
            BIN / "evidence-service", [str(BIN / "evidence-service"), "serve", "--demo", *rest]
        )
    elif command == "test":
        setup("[test]")
        run(BIN / "ruff", "check", "evidence_service", "tests", "bench", "dev.py")
        run(BIN / "ruff", "format", "--check", "evidence_service", "tests", "bench", "dev.py")
        run(BIN / "mypy", "evidence_service")
        run(BIN / "python", "-m", "pytest", *(rest or ["-q"]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
