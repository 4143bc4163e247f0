"""The pure core compiled to C with mypyc, and the guard that keeps a stale build from running.

The detectors and the engine are plain, fully typed Python. ``make install`` also compiles them
with mypyc (the compiler that ships with mypy) into extension modules placed beside their
sources; Python then imports the compiled modules instead, and the rules engine classifies
about a quarter faster (benchmarks/classify_throughput.py; what is left is mostly ``re``).
The Python files stay the source of truth: a machine without a C compiler, or
``CIVILDESK_PURE_PYTHON=1``, runs them as they are, with the same answers
(tests/test_native.py compares the two).

A compiled module older than its source would silently run yesterday's rules, so
``civildesk/__init__.py`` calls :func:`guard` first: when any compiled module is stale (or pure
Python is asked for), every one of them loads from its ``.py`` file instead — all or none, since
compiled modules call each other directly — and a stale build says so once on stderr.

    .venv/bin/python -m civildesk.devtools.native_build          # build (``make install`` runs it)
    .venv/bin/python -m civildesk.devtools.native_build --clean  # remove the compiled modules
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PACKAGE_DIR = Path(__file__).resolve().parent
SRC_DIR = PACKAGE_DIR.parent
# The hot path of `classify`: the pure core, no Django. Compiled code calls the rest of its
# group directly, so these load all compiled or all from source (see guard).
MODULES = (
    "civildesk.detectors.base",
    "civildesk.detectors.normalise",
    "civildesk.detectors.pii",
    "civildesk.detectors.links",
    "civildesk.detectors.lexicon",
    "civildesk.detectors.crisis",
    "civildesk.detectors.intents",
    "civildesk.detectors.staff",
    "civildesk.detectors.commerce",
    "civildesk.policy.decision",
    "civildesk.policy.engine",
)
# The shared library, beside the package (src/civildesk_native__mypyc.*.so): mypyc gives a
# dotted group's modules a wrong ``__file__``, and the detectors find their data files by it.
GROUP = "civildesk_native"
PURE_ENV = "CIVILDESK_PURE_PYTHON"


def source_path(module: str) -> Path:
    return SRC_DIR.joinpath(*module.split(".")).with_suffix(".py")


def compiled_paths(module: str) -> list[Path]:
    """The extension files built for ``module`` (one per Python ABI it was built for)."""
    source = source_path(module)
    candidates = (source.with_name(source.stem + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES)
    return [path for path in candidates if path.exists()]


def _group_paths() -> list[Path]:
    return [p for p in SRC_DIR.iterdir() if p.name.startswith(GROUP + "__mypyc.")]


def stale_modules() -> list[str]:
    """Compiled modules older than their source (or whose source is gone)."""
    out: list[str] = []
    for module in MODULES:
        source = source_path(module)
        for built in compiled_paths(module):
            if not source.exists() or source.stat().st_mtime > built.stat().st_mtime:
                out.append(module)
                break
    return out


def is_compiled(module: ModuleType) -> bool:
    return not str(getattr(module, "__file__", "")).endswith(".py")


class _SourceFirst:
    """A meta path finder that loads the listed modules from their ``.py`` files."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = frozenset(modules)

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.modules:
            return None
        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


def guard() -> None:
    """Load the pure-Python core when it is asked for or the compiled one is stale."""
    if any(isinstance(f, _SourceFirst) for f in sys.meta_path):
        return
    pure = os.environ.get(PURE_ENV, "") not in ("", "0")
    if not pure:
        try:
            stale = stale_modules()
        except OSError:  # a read-only or odd install: trust what is there
            return
        if not stale:
            return
        print(
            f"civildesk: compiled {', '.join(stale)} older than the source; running pure Python "
            "(`make install` rebuilds)",
            file=sys.stderr,
        )
    sys.meta_path.insert(0, _SourceFirst(MODULES))


def clean() -> list[Path]:
    removed = [p for m in MODULES for p in compiled_paths(m)] + _group_paths()
    for path in removed:
        path.unlink()
    return removed
