"""The compiled core (civildesk.native): it gives the same answers as the Python it is built
from, and a build older than its source never runs."""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from civildesk import native
from tests.conftest import CASES, ROOT, SHARED

PURE = {native.PURE_ENV: "1"}


def _run(code: str, env: dict[str, str] | None = None, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=stdin,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != native.PURE_ENV} | (env or {}),
        cwd=ROOT,
        check=True,
    )
    return done.stdout


def _compiled_here() -> bool:
    return all(native.compiled_paths(m) for m in native.MODULES) and not native.stale_modules()


@pytest.fixture
def compiled() -> None:
    if not _compiled_here():
        if os.environ.get("CI"):
            pytest.fail("the core is not compiled in CI: `make install` runs civildesk.devtools.native_build")
        pytest.skip("the core is not compiled here (make install compiles it with mypyc)")


LOADED = (
    "import importlib; from civildesk import native; "
    "print(sum(native.is_compiled(importlib.import_module(m)) for m in native.MODULES))"
)


def test_the_installed_core_is_the_compiled_one(compiled: None) -> None:
    assert _run(LOADED).strip() == str(len(native.MODULES))


def test_pure_python_is_there_when_asked_for(compiled: None) -> None:
    assert _run(LOADED, PURE).strip() == "0"


def _corpus() -> str:
    rows = [
        json.loads(line) for path in sorted(CASES.glob("*.jsonl")) for line in path.open(encoding="utf-8")
    ]
    texts = [str(r["text"]) for r in rows]
    texts += [
        "",
        " ",
        "\x00\x01\x02",
        "ｆｕｃｋ you",
        "f u c k off",
        "sh1t service!!!",
        "😡" * 300,
        "a " * 5000,
    ]
    examples = SHARED / "policy_examples.jsonl"
    if examples.exists():
        texts += [json.loads(line)["text"] for line in examples.open(encoding="utf-8") if line.strip()]
    tweets = SHARED / "data" / "olid" / "train.jsonl"
    if tweets.exists():
        with tweets.open(encoding="utf-8") as handle:
            texts += [json.loads(next(handle))["text"] for _ in range(1500)]
    kinds = ("mention", "reply", "comment", "dm")
    return "".join(
        json.dumps({"id": str(n), "text": t, "platform": "x", "kind": kinds[n % 4]}) + "\n"
        for n, t in enumerate(texts)
    )


CLASSIFY = (
    "import sys; from civildesk.cli import main; sys.exit(main(['classify', '--rules-only', '--input', '-']))"
)


def test_compiled_and_pure_python_decide_alike(compiled: None) -> None:
    corpus = _corpus()
    fast, pure = _run(CLASSIFY, stdin=corpus), _run(CLASSIFY, PURE, stdin=corpus)
    assert len(fast.splitlines()) == corpus.count("\n")
    assert fast == pure


# -- the guard, on a stand-in source tree -------------------------------------------------------


def _tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setattr(native, "SRC_DIR", tmp_path)
    source = native.source_path("civildesk.detectors.base")
    source.parent.mkdir(parents=True)
    source.write_text("# source\n")
    built = source.with_name("base" + importlib.machinery.EXTENSION_SUFFIXES[0])
    built.write_bytes(b"")
    return source, built


def test_a_build_newer_than_its_source_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, built = _tree(tmp_path, monkeypatch)
    os.utime(source, (1_000, 1_000))
    os.utime(built, (2_000, 2_000))
    assert native.stale_modules() == []


def test_a_source_edited_after_the_build_makes_it_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, built = _tree(tmp_path, monkeypatch)
    os.utime(built, (1_000, 1_000))
    os.utime(source, (2_000, 2_000))
    assert native.stale_modules() == ["civildesk.detectors.base"]


def test_a_stale_build_loads_every_listed_module_from_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source, built = _tree(tmp_path, monkeypatch)
    os.utime(built, (1_000, 1_000))
    monkeypatch.setattr(
        sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, native._SourceFirst)]
    )
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    native.guard()
    finder = sys.meta_path[0]
    assert isinstance(finder, native._SourceFirst)
    assert finder.modules == frozenset(native.MODULES)
    assert "older than the source" in capsys.readouterr().err
    spec = finder.find_spec("civildesk.detectors.base")
    assert spec is not None and spec.origin == str(source)
    assert finder.find_spec("civildesk.web.settings") is None
    native.guard()  # a second call adds nothing
    assert sum(isinstance(f, native._SourceFirst) for f in sys.meta_path) == 1


def test_a_current_build_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, monkeypatch)
    monkeypatch.setattr(
        sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, native._SourceFirst)]
    )
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    before = list(sys.meta_path)
    native.guard()
    assert sys.meta_path == before
