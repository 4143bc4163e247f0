"""One door for hand-offs: pass a message on, acknowledge, close, tell the author.

Each change runs in one transaction, writes a case-history row on the message (CaseEvent), and
queues the e-mail only once the transaction has committed, so a rolled-back hand-off never
e-mails a team and a committed one always has its e-mail queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from civildesk.handoff import mail, states
from civildesk.handoff.models import Handoff
from civildesk.inbox import desk, services
from civildesk.inbox.models import CaseEvent, Message, Reply
from civildesk.inbox.replies import author_placeholder, default_visibility
from civildesk.inbox.sla import SlaState
from civildesk.policy.schema import Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_ACK_SALT = "civildesk.handoff.acknowledge"
ACK_LINK_DAYS = 60


class UnknownTeam(ValueError):
    """The team is not in the policy's directory."""


class AlreadyPassedOn(ValueError):
    """This message already has an open hand-off to that team."""


def teams() -> tuple[Team, ...]:
    return desk.policy().teams


def team(team_id: str) -> Team:
    for candidate in teams():
        if candidate.id == team_id:
            return candidate
    raise UnknownTeam(f"no team '{team_id}' in the policy's directory")


def absolute(path: str) -> str:
    return f"{settings.CIVILDESK_BASE_URL}{path}"


def acknowledge_token(handoff: Handoff) -> str:
    return signing.dumps({"h": handoff.pk, "r": handoff.reference}, salt=_ACK_SALT)


def handoff_from_token(token: str) -> Handoff | None:
    """The hand-off a team's acknowledgement link names, or None if forged, altered or too old."""
    try:
        data = signing.loads(token, salt=_ACK_SALT, max_age=ACK_LINK_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("h"), int):
        return None
    return Handoff.objects.filter(pk=int(data["h"]), reference=str(data.get("r", ""))).first()


def _record(message: Message, event: str, actor: User | None, detail: str, at: datetime) -> None:
    CaseEvent.objects.create(message=message, event=event, actor=actor, detail=detail, at=at)


def _compose(handoff: Handoff, message: Message, actor: User | None) -> tuple[str, str]:
    decision = message.decision
    hours = desk.working_hours()
    due_local = hours.local(handoff.due_at)
    org = desk.policy().organisation
    letter = mail.HandoffMail(
        reference=handoff.reference,
        organisation=str(org.get("short_name") or org.get("name", "")),
        team_name=handoff.team_name,
        platform=message.get_platform_display(),
        kind=message.get_kind_display().lower(),
        author=message.author.shown_name,
        posted_at=hours.local(message.posted_at).strftime("%a %d %b %Y %H:%M"),
        text=message.text,
        priority=decision.priority if decision else "",
        labels=list(decision.labels) if decision else [],
        clauses=[str(c) for c in decision.clauses] if decision else [],
        signposts=list(decision.signposts) if decision else [],
        note=handoff.note,
        sent_by=actor.get_username() if actor else "",
        link=absolute(reverse("message", args=[message.pk])),
        acknowledge_link=absolute(reverse("handoff-acknowledge-link", args=[acknowledge_token(handoff)])),
        due=due_local.strftime("%H:%M on %a %d %b %Y"),
    )
    return mail.subject(letter), mail.body(letter)


def do_pass_on(
    message: Message, team_id: str, actor: User | None, *, note: str = "", now: datetime | None = None
) -> Handoff:
    """Pass ``message`` on to a team: record it, start the team's clock, queue the e-mail."""
    from civildesk.handoff.tasks import deliver_handoff

    chosen = team(team_id)
    now = now or timezone.now()
    due = states.step_due(desk.working_hours(), now)
    with transaction.atomic():
        # Lock the message row only: PostgreSQL refuses FOR UPDATE across the nullable decision join.
        msg = (
            Message.objects.select_for_update(of=("self",))
            .select_related("author", "decision")
            .get(pk=message.pk)
        )
        if Handoff.objects.filter(message=msg, team_id=chosen.id).exclude(state="closed").exists():
            raise AlreadyPassedOn(f"this message is already with {chosen.name}")
        handoff = None
        for _ in range(5):  # a clash of random references is rare; try a fresh one
            try:
                with transaction.atomic():
                    handoff = Handoff.objects.create(
                        message=msg,
                        reference=states.new_reference(),
                        team_id=chosen.id,
                        team_name=chosen.name,
                        team_email=chosen.email,
                        note=note.strip(),
                        sent_by=actor,
                        sent_at=now,
                        due_at=due,
                        subject="",
                        body="",
                    )
                break
            except IntegrityError:
                continue
        if handoff is None:
            raise RuntimeError("could not find a free hand-off reference")
        handoff.subject, handoff.body = _compose(handoff, msg, actor)
        handoff.save(update_fields=["subject", "body"])
        _record(msg, "pass_on", actor, f"to {chosen.name} <{chosen.email}> ({handoff.reference})", now)
        handoff_id = handoff.pk
        transaction.on_commit(lambda: deliver_handoff.enqueue(handoff_id=handoff_id))
    return handoff


def _move(
    handoff: Handoff, event: states.Event, actor: User | None, *, via: str, now: datetime | None
) -> Handoff:
    now = now or timezone.now()
    with transaction.atomic():
        row = Handoff.objects.select_for_update(of=("self",)).select_related("message").get(pk=handoff.pk)
        before = row.state
        after = states.next_state(before, event)  # type: ignore[arg-type]
        row.state = after
        fields = ["state"]
        if event == "acknowledge":
            row.acknowledged_at, row.acknowledged_by, row.acknowledged_via = now, actor, via
            fields += ["acknowledged_at", "acknowledged_by", "acknowledged_via"]
        else:
            row.closed_at = now
            fields.append("closed_at")
        row.save(update_fields=fields)
        who = "the team, by the e-mail link" if via == "link" else (actor.get_username() if actor else "")
        _record(
            row.message,
            f"handoff_{event}",
            actor,
            f"{row.reference} ({row.team_name}): {before} -> {after}, by {who}",
            now,
        )
    return row


def do_acknowledge(
    handoff: Handoff, actor: User | None, *, via: str = "desk", now: datetime | None = None
) -> Handoff:
    """The team has it: the clock for this step stops now."""
    return _move(handoff, "acknowledge", actor, via=via, now=now)


def do_close(handoff: Handoff, actor: User | None, *, now: datetime | None = None) -> Handoff:
    return _move(handoff, "close", actor, via="desk", now=now)


def author_notice(handoff: Handoff) -> str:
    """The "we have passed this to ..." reply, from the policy's ``passed_on`` template."""
    author = handoff.message.author
    return desk.render_template(
        "passed_on",
        author=author_placeholder(handoff.message.platform, author.handle, author.display_name),
        team=handoff.team_name,
    )


def notice_visibility(handoff: Handoff) -> str:
    message = handoff.message
    actions = message.decision.actions if message.decision else []
    return default_visibility(message.platform, message.kind, actions)


def do_tell_author(handoff: Handoff, actor: User, text: str, *, visibility: str | None = None) -> Reply:
    """Send the author the notice through the ordinary reply door (the connector, the case
    history and the message's own SLA all work as for any reply)."""
    reply = services.send_reply(
        handoff.message,
        actor,
        text,
        visibility=visibility or notice_visibility(handoff),
        template="passed_on",
    )
    if reply.status == Reply.Status.SENT:
        Handoff.objects.filter(pk=handoff.pk, author_told_at__isnull=True).update(
            author_told_at=timezone.now()
        )
    return reply


@dataclass(frozen=True, slots=True)
class HandoffRow:
    handoff: Handoff
    sla: SlaState
    events: tuple[tuple[str, str], ...]  # (event, button label) the state allows


def with_sla(handoffs: list[Handoff], now: datetime | None = None) -> list[HandoffRow]:
    now = now or timezone.now()
    hours = desk.working_hours()
    return [
        HandoffRow(
            handoff=h,
            sla=states.step_sla(hours, h.due_at, now, h.acknowledged_at),
            events=tuple((e, states.EVENT_LABELS[e]) for e in states.allowed_events(h.state)),  # type: ignore[arg-type]
        )
        for h in handoffs
    ]


def sla_report(*, since: datetime | None = None, now: datetime | None = None) -> dict[str, int]:
    """How hand-offs stand against the acknowledgement target, for the dashboard and reports."""
    rows = Handoff.objects.all()
    if since is not None:
        rows = rows.filter(sent_at__gte=since)
    counts: dict[str, int] = dict.fromkeys(("on_track", "at_risk", "breached", "met", "missed"), 0)
    for row in with_sla(list(rows), now):
        counts[row.sla] += 1
    return counts
