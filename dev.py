#!/usr/bin/env python3
"""Set up and run the service or its tests with nothing but Python 3.11+.

    python3 dev.py demo          # virtualenv, locked install, SQLite with demo data, serve
    python3 dev.py test          # virtualenv, locked install with test tools, lock check,
                                 # ruff + mypy + pytest
    python3 dev.py lock          # after editing dependencies: rewrite the requirements
                                 # files from pyproject.toml, keeping every other pin
    python3 dev.py lock --check  # fail if a requirements file is out of date

Extra arguments after ``test`` go to pytest, after ``demo`` to ``evidence-service serve``,
after ``lock`` to ``uv pip compile`` (e.g. ``--upgrade-package fastapi``, ``--upgrade``).

Installs come from the lock only. The lock is the two requirements files, made by
``uv pip compile --universal --generate-hashes`` (every platform, Python 3.11+, the hash of
every file): ``requirements.txt`` (the service, for ``demo`` and the Dockerfile) and
``requirements-test.txt`` (with the ``test`` extra). Plain pip installs one with
``--require-hashes``, then the project itself without its dependencies. pip and setuptools
are in the lock too (group ``build``), so the project is built with the locked setuptools
(``--no-build-isolation``). uv itself is a locked test tool, installed by pip like the
others: nothing but Python is needed.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"

# Each requirements file and what it holds besides the service's own dependencies.
LOCKS = {
    "requirements.txt": ["--group", "build"],
    "requirements-test.txt": ["--group", "build", "--extra", "test"],
}
# No index URL is written (uv's default), and the header names this command instead of
# the temporary output path: the files hold no host and no path of this machine.
COMPILE = (
    *("pip", "compile", "pyproject.toml", "--universal", "--generate-hashes"),
    *("--python-version", "3.11", "--custom-compile-command", "python3 dev.py lock", "--quiet"),
)


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env=env)


def setup(requirements: str) -> None:
    """Make .venv match the lock; skipped when the file was already installed as it is."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs on any python3 to say so)
        sys.exit("Python 3.11 or newer is needed")
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / requirements).read_bytes()).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    pip = (PYTHON, "-m", "pip", "install", "--quiet")
    run(*pip, "--require-hashes", "-r", requirements)
    run(*pip, "--no-deps", "--no-build-isolation", "-e", ".")
    stamp.write_text(digest)


def uv(*args: str) -> None:
    """Run the locked uv on this project; never let it fetch a Python of its own."""
    env = {**os.environ, "UV_PYTHON": str(PYTHON), "UV_PYTHON_DOWNLOADS": "never"}
    run(BIN / "uv", *args, env=env)


def pins(lock: str) -> str:
    """The requirement lines of a lock without their hashes."""
    lines = (line for line in lock.splitlines() if line and line[0] not in " #")
    return "".join(line.removesuffix(" \\") + "\n" for line in lines)


def compiled(name: str, rest: list[str]) -> str:
    """What uv makes of pyproject.toml for one file, starting from the versions it pins.

    uv keeps the versions pinned in an existing output file unless told to upgrade, so
    nothing moves just because a newer release is out. It would keep that file's hashes
    too, unchecked; the pins are handed over without them, so the hashes always come
    fresh from the index and a hand-edited pin or hash shows up as a difference.
    """
    current = ROOT / name
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / name
        output.write_text(pins(current.read_text()) if current.exists() else "")
        uv(*COMPILE, *LOCKS[name], *rest, "-o", str(output))
        return output.read_text()


def lock(rest: list[str]) -> None:
    for name in LOCKS:
        (ROOT / name).write_text(compiled(name, rest))
        print(f"wrote {name}")


def check_lock() -> None:
    """Fail, saying how to fix it, when a lock file no longer matches pyproject.toml."""
    for name in LOCKS:
        if compiled(name, []) != (ROOT / name).read_text():
            sys.exit(f"{name} is out of date with pyproject.toml: run `python3 dev.py lock`")
    print("lock is up to date")


def main() -> None:
    command, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "demo":
        setup("requirements.txt")
        os.execv(
            BIN / "evidence-service", [str(BIN / "evidence-service"), "serve", "--demo", *rest]
        )
    elif command == "test":
        setup("requirements-test.txt")
        check_lock()
        run(BIN / "ruff", "check", "evidence_service", "tests", "bench", "dev.py")
        run(BIN / "ruff", "format", "--check", "evidence_service", "tests", "bench", "dev.py")
        run(BIN / "mypy", "evidence_service")
        run(PYTHON, "-m", "pytest", *(rest or ["-q"]))
    elif command == "lock":
        setup("requirements-test.txt")
        if rest == ["--check"]:
            check_lock()
        else:
            lock(rest)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
