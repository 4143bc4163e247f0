"""Which data teaches each head, and which contract label each head raises: kept in one place.

Evaluation maps contract labels back onto dataset labels with the engine's own table
(``civildesk.policy.evaluation.DATASET_LABELS``), so the benchmark, the model card and the CI gate
all count a hit the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from civildesk.policy.evaluation import DATASET_LABELS

__all__ = ["DATASET_LABELS", "HEADS", "Head", "head_names"]


@dataclass(frozen=True, slots=True)
class Head:
    name: str
    contract: str  # the contract label this head raises (offensive: see below)
    dataset_label: str | None  # the shared/data label it learns from (None: project cases only)
    case_labels: frozenset[str]  # in project cases, a positive is any of these contract labels
    use_cases: bool  # whether the project's own cases join its training data
    weak_negatives: bool = False  # add tweets from other datasets as negatives (see train.py)
    # ... only tweets with one of these dataset labels set (None: any tweet)
    weak_if: tuple[str, ...] | None = None
    min_recall: float | None = None  # threshold chosen for recall rather than F1
    threshold_on: tuple[str, ...] | None = None  # dev sources the threshold is chosen on (None: all)


HEADS: tuple[Head, ...] = (
    # Davidson and OLID "offensive": swearing, insults and slurs alike. The detector raises
    # "profanity" when the top span is a swear word and "mean_spirited" otherwise.
    # Its threshold is chosen on OLID dev only: Davidson's "offensive" covers 83% of its tweets,
    # a base rate no inbox has, and pulls a shared threshold towards flagging.
    Head(
        "offensive",
        "profanity",
        "offensive",
        DATASET_LABELS["offensive"],
        use_cases=False,
        threshold_on=("olid",),
    ),
    # Davidson "hate speech" + TweetEval/HatEval (hate against immigrants and women).
    Head("hate", "hate", "hateful", frozenset({"hate"}), use_cases=False),
    # OLID level B "targeted insult or threat" (a person or a group).
    Head("abuse", "abuse", "abusive", frozenset({"abuse", "violence"}), use_cases=False),
    # YouTube comment spam; the project's cases add UK-style selling and link spam.
    Head(
        "spam",
        "advertising",
        "spam",
        frozenset({"advertising", "inappropriate_link"}),
        use_cases=True,
        weak_negatives=True,
    ),
    # Reddit C-SSRS (user level: ideation, behaviour or attempt); the project's short crisis cases
    # teach the message level. Tweets from the other sets are added as non-crisis examples.
    Head(
        "crisis",
        "crisis",
        "crisis",
        frozenset({"crisis"}),
        use_cases=True,
        weak_negatives=True,
        min_recall=0.95,
    ),
    # TweetEval sentiment "negative": the engine keeps it as protected criticism unless a breach applies.
    Head(
        "negative", "criticism", "negative_sentiment", frozenset({"criticism", "complaint"}), use_cases=False
    ),
    # Presidio synthetic sentences with names, addresses, phone numbers, e-mails, card numbers.
    # Tweets from the other sets join as negatives: the synthetic sentences alone teach "any
    # template sentence" rather than "a sentence that gives someone's details".
    Head(
        "pii",
        "personal_information",
        "pii",
        frozenset({"personal_information"}),
        use_cases=True,
        weak_negatives=True,
    ),
    # No public set labels praise: the project's cases teach it (5-fold on the cases picks its
    # calibration and threshold); negative, offensive or hateful tweets join as non-praise.
    Head(
        "praise",
        "praise",
        None,
        frozenset({"praise"}),
        use_cases=True,
        weak_negatives=True,
        weak_if=("negative_sentiment", "offensive", "hateful"),
    ),
)


def head_names() -> tuple[str, ...]:
    return tuple(h.name for h in HEADS)


def head_by_name() -> Mapping[str, Head]:
    return {h.name: h for h in HEADS}
