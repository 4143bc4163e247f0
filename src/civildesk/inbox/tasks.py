"""Background work (Django's task API; the django-tasks-db backend stores tasks as rows).

classify_message: run the engine on one revision of a message and store the Decision.
send_automatic_reply: out of hours, answer with the template the decision's signposts call for.
deliver_alert: e-mail / webhook the on-call contact, retried with back-off.

Every task is safe to run twice: a stale revision is skipped, an automatic reply is claimed
before it is sent, an alert already sent is not sent again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from civildesk.inbox import desk, oncall, services
from civildesk.inbox.connectors import ConnectorError
from civildesk.inbox.models import CaseEvent, Decision, Message, OnCallAlert, Reply
from civildesk.inbox.triage import WAITING, InvalidTransition, next_status

log = logging.getLogger("civildesk.inbox")

REPLY_ACTIONS = frozenset({"reply_public", "reply_private"})
# A new revision that the engine ranks this urgent reopens a case already dealt with.
REOPEN_PRIORITIES = frozenset({"P1", "P2"})


CLASSIFY_ATTEMPTS = 5


@task()
def classify_message(message_id: int, revision: int, attempt: int = 1) -> str:
    try:
        return classify_now(message_id, revision)
    except Exception:
        # A message must never sit unclassified because of one failure (a database hiccup, a
        # model file being replaced): try again later, then leave it FAILED with its traceback.
        if attempt < CLASSIFY_ATTEMPTS:
            classify_message.using(run_after=timezone.now() + timedelta(seconds=15 * 2**attempt)).enqueue(
                message_id=message_id, revision=revision, attempt=attempt + 1
            )
        log.exception("classifying message %s (attempt %s) failed", message_id, attempt)
        raise


def classify_now(message_id: int, revision: int, *, now: datetime | None = None) -> str:
    from civildesk.detectors import MessageInput
    from civildesk.policy import Context

    msg = Message.objects.select_related("author").filter(pk=message_id).first()
    if msg is None:
        return "missing"
    if msg.revision != revision:
        return "stale"  # a newer revision has its own task
    engine = desk.engine()
    author = msg.author
    strikes = author.strikes(within_days=int(engine.policy.strikes.get("expiry_days", 90)))
    started = time.perf_counter()
    decision = engine.classify(
        MessageInput(
            text=msg.text,
            platform=msg.platform,
            kind=msg.kind,
            author=author.handle or author.platform_user_id,
            id=str(msg.pk),
        ),
        Context(prior_strikes=strikes),
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    contract = decision.to_dict()
    now = now or timezone.now()

    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message_id)
        if locked.revision != revision:
            return "stale"
        if Decision.objects.filter(message=locked, revision=revision).exists():
            # This revision was classified by an earlier run of this task whose worker died
            # before marking it done, and it was requeued: one decision per revision.
            return "already classified"
        row = Decision.objects.create(
            message=locked,
            revision=revision,
            policy_version=decision.policy_version,
            labels=contract["labels"],
            scores=contract["scores"],
            priority=decision.priority,
            actions=contract["actions"],
            signposts=contract["signposts"],
            evidence=contract["evidence"],
            clauses=contract["clauses"],
            removal=decision.removal,
            payload=contract,
            created_at=now,
            classify_ms=elapsed_ms,
        )
        locked.decision = row
        locked.priority = decision.priority
        locked.set_labels(contract["labels"])
        locked.classified_at = now
        fields = ["decision", "priority", "labels", "label_index", "classified_at"]
        CaseEvent.objects.create(
            message=locked,
            event="classified",
            at=now,
            detail=f"{decision.priority} {', '.join(decision.labels) or 'no label'} (policy {decision.policy_version})",
        )
        if revision > 1 and decision.priority in REOPEN_PRIORITIES and locked.status not in WAITING:
            try:
                after = next_status(locked.status, "reopen")  # type: ignore[arg-type]
            except InvalidTransition:
                after = None
            if after is not None:
                CaseEvent.objects.create(
                    message=locked,
                    event="reopen",
                    at=now,
                    from_status=locked.status,
                    to_status=after,
                    detail="edited on the platform into something urgent",
                )
                locked.status, locked.closed_at = after, None
                fields += ["status", "closed_at"]
        locked.save(update_fields=fields)
        if locked.deleted_at is None:
            _out_of_hours_duties(locked, set(decision.auto_actions), now)
            # issue 6: what policy.yaml's auto_apply allows, e.g. hide personal info now.
            from civildesk.moderation.services import do_apply_policy

            do_apply_policy(locked)
    return decision.priority


def _out_of_hours_duties(message: Message, auto_actions: set[str], now: datetime) -> None:
    """While nobody is at the desk, do what the policy lets civildesk do on its own for this
    decision: reply (the crisis line) and alert the on-call contact. In hours, people do it."""
    from civildesk.web.models import DeskSettings

    if desk.working_hours().is_working_time(now):
        return
    if "alert_oncall" in auto_actions:
        for alert in oncall.plan_alerts(message):
            deliver_alert.enqueue(alert_id=alert.pk)
    if (
        auto_actions & REPLY_ACTIONS
        and message.auto_replied_at is None
        and DeskSettings.load().auto_crisis_reply_out_of_hours
    ):
        send_automatic_reply.enqueue(message_id=message.pk, revision=message.revision)


# A claim older than this, with no reply recorded as sent, belongs to a run that died (its worker
# was killed) and is taken over: for a person in crisis, a second copy of the crisis-line reply
# is far less harm than none (the reply itself is at least once; a live run holds the claim).
AUTO_REPLY_CLAIM_LEASE = timedelta(minutes=2)


@task()
def send_automatic_reply(message_id: int, revision: int) -> str:
    with transaction.atomic():
        msg = Message.objects.select_for_update().filter(pk=message_id).first()
        if msg is None or msg.revision != revision:
            return "skipped"
        if msg.auto_replied_at is not None:
            sent = Reply.objects.filter(message=msg, automatic=True, status=Reply.Status.SENT).exists()
            if sent or timezone.now() - msg.auto_replied_at < AUTO_REPLY_CLAIM_LEASE:
                return "skipped"
            log.warning("automatic reply to message %s: taking over a claim whose run died", message_id)
        # Claim first, so a second run of this task cannot send a second reply.
        msg.auto_replied_at = timezone.now()
        msg.save(update_fields=["auto_replied_at"])
    draft = services.draft_reply(msg)
    if not draft.template:
        Message.objects.filter(pk=message_id).update(auto_replied_at=None)
        return "no template"
    visibility = (
        "private" if "reply_private" in (msg.decision.actions if msg.decision else []) else draft.visibility
    )
    try:
        reply = services.send_reply(
            msg, None, draft.text, visibility=visibility, template=draft.template, automatic=True
        )
    except (ConnectorError, services.ReplyRejected) as exc:
        Message.objects.filter(pk=message_id).update(auto_replied_at=None)
        log.warning("automatic reply to message %s failed: %s", message_id, exc)
        return "failed"
    if reply.status != reply.Status.SENT:
        # UNCONFIRMED (the platform's answer was lost) is retried like FAILED, unlike a person's
        # reply, which waits for someone to check the platform: out of hours nobody is there to
        # check, and for a person in crisis a second copy of the crisis line is far less harm than
        # none. The UNCONFIRMED row stays in the history so the desk sees a copy may be doubled.
        Message.objects.filter(pk=message_id).update(auto_replied_at=None)
        send_automatic_reply.using(run_after=timezone.now() + timedelta(minutes=2)).enqueue(
            message_id=message_id, revision=revision
        )
        return "retrying"
    return "sent"


@task()
def deliver_alert(alert_id: int) -> str:
    alert = OnCallAlert.objects.select_related("message__author").filter(pk=alert_id).first()
    if alert is None or alert.status == OnCallAlert.Status.SENT:
        return "skipped"
    try:
        oncall.deliver(alert)
    except Exception as exc:  # any failure of mail or webhook: record, back off, retry
        alert.attempts += 1
        alert.error = f"{type(exc).__name__}: {exc}"[:2000]
        if alert.attempts >= oncall.MAX_ATTEMPTS:
            alert.status = OnCallAlert.Status.FAILED
            alert.save(update_fields=["attempts", "error", "status"])
            log.error("on-call alert %s failed for good: %s", alert_id, alert.error)
            return "failed"
        alert.save(update_fields=["attempts", "error"])
        delay = timedelta(seconds=30 * 2**alert.attempts)
        deliver_alert.using(run_after=timezone.now() + delay).enqueue(alert_id=alert_id)
        return "retrying"
    alert.attempts += 1
    alert.status = OnCallAlert.Status.SENT
    alert.sent_at = timezone.now()
    alert.error = ""
    alert.save(update_fields=["attempts", "status", "sent_at", "error"])
    CaseEvent.objects.create(
        message=alert.message, event="oncall_alert", detail=f"{alert.channel} to {alert.target}"
    )
    return "sent"
