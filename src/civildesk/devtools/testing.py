"""Test doubles and pytest fixtures for the desk's tests (never used at run time).

- ``ScriptedDetector``: a detector that finds exactly the phrases a test gives it, so tests of the
  desk (ingestion, triage, replies, pages) run through the REAL engine and policy.yaml with
  predictable findings, independent of how the real detectors evolve.
- ``FakePlatformConnector``: stands in for a platform connector and records what it was asked to
  send; it can be told to fail.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from civildesk.detectors import Finding, Prepared
from civildesk.inbox.connectors import ConnectorError, ReplyTarget, SentReply

# (pattern, label, score, kind): phrases the scripted detector reports, as the real ones would.
SCRIPT: tuple[tuple[str, str, float, str], ...] = (
    (r"end it all|kill myself|take all my pills", "crisis", 0.97, "intent"),
    (r"\btonight\b", "crisis", 0.9, "imminent"),
    (r"\bidiots?\b|\bmorons?\b", "abuse", 0.9, "insult"),
    (r"\bshit\b|\bbloody\b", "profanity", 0.9, "swear"),
    (r"NHS number \d{3} ?\d{3} ?\d{4}", "personal_information", 0.95, "nhs_number"),
    (r"\bcomplain(?:t|ing)?\b", "complaint", 0.9, "explicit"),
    (r"\buseless\b|\bappalling\b", "criticism", 0.8, "negative"),
    (r"thank you|thanks so much", "praise", 0.9, "thanks"),
    (r"side effects?|\bdose\b", "clinical_question", 0.9, "medication"),
    (r"my (?:mum|dad|son|daughter)'s care", "individual_care", 0.9, "relative"),
    (r"buy now|crypto|promo code", "advertising", 0.9, "promo"),
    (r"\?\s*$", "question", 0.9, "question"),
)


class ScriptedDetector:
    name = "scripted"

    def __init__(self, script: tuple[tuple[str, str, float, str], ...] = SCRIPT) -> None:
        self._rules = [(re.compile(p, re.IGNORECASE), label, score, kind) for p, label, score, kind in script]

    def detect(self, prepared: Prepared) -> list[Finding]:
        text = prepared.text
        out: list[Finding] = []
        for pattern, label, score, kind in self._rules:
            for m in pattern.finditer(text):
                out.append(Finding(label, score, m.start(), m.end(), self.name, kind, f"scripted {label}"))
        return out


def scripted_engine() -> Any:
    from civildesk.inbox import desk
    from civildesk.policy import Engine

    return Engine(desk.policy(), [ScriptedDetector()])


@dataclass
class FakePlatformConnector:
    """A platform that accepts (or refuses) replies and remembers them. Tests only."""

    name: str = "fake-platform-connector (tests only)"
    fail_with: str = ""
    lose_answers: int = 0  # the next N replies are posted, but their answer never reaches the desk
    sent: list[tuple[str, ReplyTarget, str]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def _send(self, visibility: str, target: ReplyTarget, text: str) -> SentReply:
        if self.fail_with:
            raise ConnectorError(self.fail_with, retryable=True)
        self.sent.append((visibility, target, text))
        sent = SentReply(platform_reply_id=f"fake-{next(self._ids)}")
        if self.lose_answers > 0:
            from civildesk.platforms.errors import AnswerLost  # the desk runs without platforms

            self.lose_answers -= 1
            raise AnswerLost("the platform did not answer in time")
        return sent

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        return self._send("public", target, text)

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply:
        return self._send("private", target, text)


_current_fake: FakePlatformConnector | None = None


def fake_factory(platform: str) -> FakePlatformConnector:
    assert _current_fake is not None, "the fake_connector fixture is not active"
    return _current_fake


# --- fixtures (import them into a conftest) --------------------------------------------------


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The real engine and policy over the scripted detector."""
    from civildesk.inbox import desk

    built = scripted_engine()
    monkeypatch.setattr(desk, "engine", lambda: built)
    return built


@pytest.fixture
def fake_connector(settings: Any) -> Iterator[FakePlatformConnector]:
    global _current_fake
    _current_fake = FakePlatformConnector()
    settings.CIVILDESK_CONNECTORS = "civildesk.devtools.testing.fake_factory"
    yield _current_fake
    _current_fake = None


@pytest.fixture
def fresh_desk_settings() -> Iterator[None]:
    from civildesk.inbox import desk

    desk.forget_cached_settings()
    yield
    desk.forget_cached_settings()


def at(moment: datetime) -> Any:
    """Freeze ``django.utils.timezone.now`` (and so the desk's clock) at ``moment``."""
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=moment)
