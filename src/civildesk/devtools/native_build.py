"""Build the compiled core (see :mod:`civildesk.native`): mypyc turns the modules it lists into
C extension modules beside their sources; ``--clean`` removes them again."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from civildesk.native import GROUP, MODULES, SRC_DIR, clean, compiled_paths, source_path


def build(build_dir: Path) -> None:
    """Compile MODULES in place (the ``.so`` files land beside their sources)."""
    from mypyc.build import mypycify  # mypy is a development dependency
    from setuptools import setup

    clean()
    paths = [str(source_path(m).relative_to(SRC_DIR)) for m in MODULES]
    here = os.getcwd()
    os.chdir(SRC_DIR)  # mypy names modules from the paths, and setuptools places them from here
    try:
        extensions = mypycify(
            # no config file: the project's mypy settings load the Django plugin, which these
            # modules do not need; strict checking of them is `make lint`'s job
            ["--config-file", os.devnull, "--ignore-missing-imports", *paths],
            group_name=GROUP,
            multi_file=True,  # one C file per module: they compile in parallel
            target_dir=str(build_dir / "c"),
        )
        setup(
            name="civildesk-native",
            ext_modules=extensions,
            script_args=[
                "--quiet",
                "build_ext",
                "--inplace",
                "--build-temp",
                str(build_dir / "temp"),
                "--parallel",
                str(os.cpu_count() or 1),
            ],
        )
    finally:
        os.chdir(here)
    # setuptools copies an unchanged extension with its old time, which the guard would take
    # for a stale build
    for module in MODULES:
        for path in compiled_paths(module):
            path.touch()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--clean"]:
        for path in clean():
            print(f"removed {path.relative_to(SRC_DIR.parent)}")
        return 0
    if args:
        print("usage: python -m civildesk.devtools.native_build [--clean]", file=sys.stderr)
        return 2
    build(SRC_DIR.parent / "build" / "native")
    print(f"compiled {len(MODULES)} modules with mypyc")
    return 0


if __name__ == "__main__":
    sys.exit(main())
