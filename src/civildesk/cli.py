"""The ``civildesk`` console script.

``classify``, ``evaluate`` and ``policy check`` use the pure core only and never start Django;
the desk's commands (serve, worker, demo, import, manage) are registered by the web package.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from civildesk.detectors.base import KINDS, PLATFORMS, MessageInput
from civildesk.policy.decision import Decision
from civildesk.policy.engine import Engine, keep_for_life
from civildesk.policy.evaluation import (
    is_policy_case,
    score_dataset_rows,
    score_policy_cases,
)
from civildesk.policy.schema import Policy, PolicyError, load_policy

# A social media message is at most a few thousand characters; 200,000 leaves room for pasted
# documents while refusing runaway input that would only waste the worker's time.
MAX_TEXT_CHARS = 200_000
BATCH = 256


class InputError(ValueError):
    """One input record is unusable; the run goes on with the next."""


# --- reading input ----------------------------------------------------------------------------


def parse_record(raw: bytes | str, line_no: int) -> tuple[MessageInput, dict[str, Any]]:
    """One JSON Lines record -> MessageInput (and the record itself), or InputError."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"line {line_no}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {line_no}: not valid JSON ({exc.msg}, column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise InputError(f"line {line_no}: expected a JSON object with a 'text' key")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(f"line {line_no}: 'text' must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"line {line_no}: text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    platform = record.get("platform")
    if platform is not None and platform not in PLATFORMS:
        raise InputError(f"line {line_no}: unknown platform {platform!r} (one of {', '.join(PLATFORMS)})")
    kind = record.get("kind")
    if kind is not None and kind not in KINDS:
        raise InputError(f"line {line_no}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    rid = record.get("id")
    author = record.get("author")
    return (
        MessageInput(
            text=text.replace("\x00", ""),
            platform=platform,
            kind=kind,
            author=str(author) if author is not None else None,
            id=str(rid) if rid is not None else None,
        ),
        record,
    )


def _lines(stream: io.BufferedIOBase | Any) -> Iterator[tuple[int, bytes]]:
    for line_no, raw in enumerate(stream, start=1):
        stripped = raw.strip()
        if stripped:
            yield line_no, stripped


# Batches read ahead (and sent to the encoder) while the rules engine is still being built.
READ_AHEAD = 8


@dataclass
class _Batch:
    pending: list[tuple[int, MessageInput | str]]  # line number and message, or the line's error
    good: list[MessageInput]
    vectors: Future[Any] | None  # the good messages' sentence vectors, computed on the encoder thread


def classify_stream(
    engine: Engine | Future[Engine],
    source: Any,
    out: TextIO,
    batch: int = BATCH,
    learned: Any | None = None,
) -> tuple[int, int]:
    """Read JSON Lines from ``source`` (binary), write one JSON object per non-blank input line,
    in order. Returns (decisions, errors).

    With the learned heads, each batch's sentence vectors are computed on a second thread while
    this one runs the rules (onnxruntime releases the GIL while it works). ``engine`` may still be
    being built (a Future, with ``learned`` its learned detector): then up to READ_AHEAD batches
    are read and sent to the encoder meanwhile. Output order and content are as if each batch
    were classified in turn."""
    done = errors = 0
    if isinstance(engine, Engine):
        learned = engine.learned
    encoder = ThreadPoolExecutor(1, thread_name_prefix="civildesk-encoder") if learned is not None else None
    queue: deque[_Batch] = deque()

    def submit(pending: list[tuple[int, MessageInput | str]]) -> None:
        good = [m for _, m in pending if isinstance(m, MessageInput)]
        vectors = None
        if encoder is not None and learned is not None and good:
            vectors = encoder.submit(learned.embed, [m.text for m in good])
        queue.append(_Batch(pending, good, vectors))

    def emit(item: _Batch, ready: Engine) -> None:
        nonlocal done, errors
        embeddings = item.vectors.result if item.vectors is not None else None
        decided = iter(ready.classify_batch(item.good, embeddings=embeddings) if item.good else ())
        for line_no, message in item.pending:
            if isinstance(message, str):
                out.write(json.dumps({"line": line_no, "error": message}) + "\n")
                errors += 1
            else:
                out.write(json.dumps(next(decided).to_dict(), ensure_ascii=False) + "\n")
                done += 1
        out.flush()

    def drain(wait: bool) -> None:
        if isinstance(engine, Engine):
            ready = engine
        elif wait or engine.done() or len(queue) >= READ_AHEAD:
            ready = engine.result()
        else:
            return
        while queue:
            emit(queue.popleft(), ready)

    try:
        pending: list[tuple[int, MessageInput | str]] = []
        for line_no, raw in _lines(source):
            try:
                message, _ = parse_record(raw, line_no)
                pending.append((line_no, message))
            except InputError as exc:
                pending.append((line_no, str(exc)))
            if len(pending) >= batch:
                submit(pending)
                pending = []
                drain(wait=False)
        submit(pending)
        drain(wait=True)
    finally:
        if encoder is not None:
            encoder.shutdown(wait=True, cancel_futures=True)
    return done, errors


# --- human-readable output ---------------------------------------------------------------------


def render_decision(decision: Decision, text: str) -> str:
    lines = [
        f"priority   {decision.priority}",
        f"labels     {', '.join(decision.labels) or '(none)'}",
        f"removal    {decision.removal}",
        f"actions    {', '.join(decision.actions) or '(none)'}",
        f"signposts  {', '.join(decision.signposts) or '(none)'}",
    ]
    if decision.evidence:
        lines.append("evidence")
        for e in decision.evidence:
            kind = f"/{e.kind}" if e.kind else ""
            note = f"  ({e.note})" if e.note else ""
            lines.append(
                f"  {e.label:<22} {text[e.start : e.end]!r} [{e.start}:{e.end}] {e.detector}{kind}{note}"
            )
    if decision.clauses:
        lines.append("clauses")
        lines.extend(f"  - {c}" for c in decision.clauses)
    lines.append(f"policy     {decision.policy_version}")
    return "\n".join(lines)


# --- commands -----------------------------------------------------------------------------------


def _policy(args: argparse.Namespace) -> Policy:
    return load_policy(args.policy) if getattr(args, "policy", None) else load_policy()


def _use_model(args: argparse.Namespace) -> bool:
    return not getattr(args, "rules_only", False)


def _engine(args: argparse.Namespace) -> Engine:
    return Engine.default(_policy(args), use_model=_use_model(args))


def _engine_for_life(policy: Policy, use_model: bool, learned: Any) -> Engine:
    engine = Engine.default(policy, use_model=use_model, learned=learned)
    keep_for_life()  # it serves the whole stream
    return engine


def cmd_classify(args: argparse.Namespace) -> int:
    if args.text is not None and args.input is None:
        if len(args.text) > MAX_TEXT_CHARS:
            print(
                f"error: text is {len(args.text):,} characters; the limit is {MAX_TEXT_CHARS:,}",
                file=sys.stderr,
            )
            return 2
        engine = _engine(args)
        message = MessageInput(text=args.text, platform=args.platform, kind=args.kind, id=args.id)
        decision = engine.classify(message)
        if args.json:
            print(json.dumps(decision.to_dict(), ensure_ascii=False))
        else:
            print(render_decision(decision, args.text))
        return 0
    if args.input in (None, "-"):
        handle = sys.stdin.buffer
    else:
        path = Path(args.input)
        try:
            handle = path.open("rb")
        except OSError as exc:
            print(f"error: cannot open {path}: {exc.strerror}", file=sys.stderr)
            return 2
    started = time.perf_counter()
    policy, use_model = _policy(args), _use_model(args)
    learned = Engine.learned_detector(policy) if use_model else None
    # The rules take seconds to compile (pure Python, holding the GIL); the encoder starts on the
    # first batches meanwhile, on its own thread.
    with ThreadPoolExecutor(1, thread_name_prefix="civildesk-rules") as builder, handle:
        building = builder.submit(_engine_for_life, policy, use_model, learned)
        done, errors = classify_stream(building, handle, sys.stdout, learned=learned)
    elapsed = time.perf_counter() - started
    if not args.quiet:
        rate = done / elapsed if elapsed else 0.0
        print(
            f"classified {done} messages, {errors} errors, {elapsed:.2f}s including the engine's load ({rate:.0f}/s)",
            file=sys.stderr,
        )
    return 0


def _read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open("rb") as handle:
        for line_no, raw in _lines(handle):
            try:
                _, record = parse_record(raw, line_no)
                yield line_no, record
            except InputError as exc:
                yield line_no, str(exc)


def cmd_evaluate(args: argparse.Namespace) -> int:
    engine = _engine(args)
    total_errors = 0
    results: dict[str, Any] = {}
    for name in args.files:
        path = Path(name)
        if not path.exists():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
        records: list[dict[str, Any]] = []
        for line_no, item in _read_records(path):
            if isinstance(item, str):
                print(f"skipped: {item}", file=sys.stderr)
                total_errors += 1
            else:
                item.setdefault("id", f"line{line_no}")
                records.append(item)
        messages = [parse_record(json.dumps(r), i)[0] for i, r in enumerate(records, start=1)]
        decisions = [d.to_dict() for d in engine.classify_batch(messages)]
        if records and is_policy_case(records[0]):
            report = score_policy_cases(records, decisions)
            results[str(path)] = report.as_dict()
            if not args.json:
                _print_policy_report(str(path), report.as_dict())
        else:
            counts = score_dataset_rows(records, decisions)
            summary = {
                label: {
                    "precision": round(c.precision, 4),
                    "recall": round(c.recall, 4),
                    "f1": round(c.f1, 4),
                    "macro_f1": round(c.macro_f1, 4),
                    "support": c.support,
                    "n": c.tp + c.fp + c.fn + c.tn,
                }
                for label, c in counts.items()
            }
            results[str(path)] = {"n": len(records), "labels": summary}
            if not args.json:
                print(f"{path}  ({len(records)} rows)")
                print(f"  {'label':<20} {'prec':>6} {'recall':>6} {'F1':>6} {'macroF1':>7} {'support':>7}")
                for label, s in summary.items():
                    print(
                        f"  {label:<20} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f}"
                        f" {s['macro_f1']:>7.3f} {s['support']:>7}"
                    )
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


def _print_policy_report(name: str, r: dict[str, Any]) -> None:
    print(f"{name}  ({r['n']} cases)")
    print(f"  {'label':<22} {'prec':>6} {'recall':>6} {'F1':>6} {'support':>7}")
    for label, s in r["per_label"].items():
        if s["support"] or s["precision"]:
            print(
                f"  {label:<22} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} {s['support']:>7}"
            )
    print(
        f"  label micro-F1        {r['micro_f1']:.3f}  (P {r['micro_precision']:.3f}, R {r['micro_recall']:.3f})"
    )
    print(f"  label macro-F1        {r['macro_f1']:.3f}")
    print(
        f"  crisis recall         {r['crisis_recall']:.3f}  crisis line signposted {r['crisis_line_signposted']}"
    )
    ids = ", ".join(r["criticism_removed_ids"])
    print(f"  criticism removed     {r['criticism_removed']}" + (f"  ({ids})" if ids else ""))
    print(f"  priority accuracy     {r['priority_accuracy']:.3f}")
    print(f"  removal accuracy      {r['removal_accuracy']:.3f}")
    print(f"  signpost accuracy     {r['signpost_accuracy']:.3f}")
    if r["missed_crisis_ids"]:
        print(f"  MISSED CRISIS         {', '.join(r['missed_crisis_ids'])}")


def cmd_policy_check(args: argparse.Namespace) -> int:
    try:
        policy = load_policy(args.file)
    except PolicyError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 1
    print(f"ok: {args.file or 'shipped policy.yaml'} version {policy.version}")
    print(f"  {len(policy.labels)} labels, {len(policy.clauses)} clauses, {len(policy.templates)} templates")
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    policy = load_policy(args.file)
    sys.stdout.write(policy.source_text)
    return 0


def _lazy(module: str, func: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        target = getattr(importlib.import_module(module), func)
        return int(target(args.rest))

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civildesk", description="civildesk: the social media desk.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("classify", help="classify one text, or JSON Lines from a file or stdin")
    p.add_argument("text", nargs="?", help="the text to classify (omit to read JSON Lines)")
    p.add_argument("--input", "-i", help="JSON Lines file ('-' for stdin)")
    p.add_argument("--platform", choices=PLATFORMS)
    p.add_argument("--kind", choices=KINDS)
    p.add_argument("--id")
    p.add_argument("--json", action="store_true", help="print the decision as JSON")
    p.add_argument("--policy", help="a policy.yaml to use instead of the shipped one")
    p.add_argument("--rules-only", action="store_true", help="do not load the learned heads")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("evaluate", help="score the engine on labelled JSON Lines files")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument("--policy")
    p.add_argument("--rules-only", action="store_true")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("policy", help="check or show a policy file")
    psub = p.add_subparsers(dest="policy_command", required=True)
    pc = psub.add_parser("check", help="validate a policy.yaml")
    pc.add_argument("file", nargs="?")
    pc.set_defaults(func=cmd_policy_check)
    ps = psub.add_parser("show", help="print the policy file")
    ps.add_argument("file", nargs="?")
    ps.set_defaults(func=cmd_policy_show)

    p = sub.add_parser("train", help="train the learned heads from ../shared/data", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_lazy("civildesk.ml.train", "main"))

    # The desk's own commands (Django starts only when one runs).
    for name in ("civildesk.web.cli_commands", "civildesk.replay.cli_commands", "civildesk.api.cli_commands"):
        try:
            commands = importlib.import_module(name)
        except ImportError:
            continue
        commands.add_subcommands(sub)
    # issue 6: `civildesk audit verify`, `civildesk retention`
    importlib.import_module("civildesk.moderation.cli_commands").add_subcommands(sub)
    # issue 9: `civildesk ratings`, the public house-rules page's ratings
    importlib.import_module("civildesk.public.cli_commands").add_subcommands(sub)
    # issue 5: `civildesk simulate`, the platform simulator
    importlib.import_module("civildesk.simulator.cli_commands").add_subcommands(sub)
    # issue 7: `civildesk report`, the weekly report
    importlib.import_module("civildesk.reports.cli_commands").add_subcommands(sub)
    # issue 9: `civildesk mailbox poll|schedule|status`, the appeals mailbox
    importlib.import_module("civildesk.mailbox.cli_commands").add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except PolicyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
