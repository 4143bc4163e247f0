"""An officer passes a message on to PALS: the e-mail reaches the team over real SMTP with the
reference, the message, our decision and a link back; the team acknowledges and the clock for
that step stops; the author is told "we have passed this to ..."."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from civildesk.devtools.testing import FakePlatformConnector, at
from civildesk.handoff import services, states
from civildesk.handoff.models import Handoff
from civildesk.handoff.tasks import deliver_handoff
from civildesk.inbox.inbound import InboundMessage
from civildesk.inbox.ingest import ingest
from civildesk.inbox.models import CaseEvent, Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.web.models import StaffProfile

from .conftest import SmtpSink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_desk_settings")]

WEDNESDAY_10AM = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
BASE = "https://desk.example.nhs.uk"
WORRY = "my mum's care on the ward has been awful and nobody tells us anything, who do we speak to?"


@pytest.fixture(autouse=True)
def _desk_url(settings: Any) -> None:
    settings.CIVILDESK_BASE_URL = BASE


def person(role: str) -> Any:
    user = get_user_model().objects.create_user(f"{role}-1", password="a long passphrase for the desk")
    StaffProfile.objects.create(user=user, role=role)
    return user


@pytest.fixture
def officer() -> Any:
    return person("officer")


def arrive(text: str = WORRY, *, pid: str = "f1", kind: str = "comment") -> Message:
    msg_id = ingest(
        InboundMessage(
            platform="facebook",
            account_id="trust",
            platform_id=pid,
            kind=kind,
            text=text,
            author_id="fb-jo",
            author_name="Jo Bloggs",
            created_at=WEDNESDAY_10AM,
        ),
        now=WEDNESDAY_10AM,
    ).message_id
    with at(WEDNESDAY_10AM):
        run_ready_tasks()
    return Message.objects.select_related("decision", "author", "account").get(pk=msg_id)


def pass_on(message: Message, team: str, actor: Any, capture: Any, **kw: Any) -> Handoff:
    with capture(execute=True):  # run the on-commit hook that queues the e-mail
        return services.do_pass_on(message, team, actor, now=WEDNESDAY_10AM, **kw)


def test_pass_on_to_pals_arrives_by_smtp_and_acknowledging_stops_the_clock(
    engine: Any, officer: Any, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    message = arrive()
    handoff = pass_on(
        message, "pals", officer, django_capture_on_commit_callbacks, note="Family member, ward 3"
    )
    assert handoff.state == "sent" and handoff.delivery == "pending"
    assert handoff.due_at == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)

    run_ready_tasks()  # the worker sends it

    [mail] = smtp_sink.messages
    assert mail["To"] == "pals@swlstg.nhs.uk"
    assert handoff.reference in mail["Subject"] and "PALS" in mail["Subject"]
    assert mail["X-Civildesk-Reference"] == handoff.reference
    body = mail.get_content()
    assert f"Reference: {handoff.reference}" in body
    assert f"> {WORRY}" in body
    assert "Our decision: Priority P4; labels: individual_care" in body
    assert "Family member, ward 3" in body
    link = f"{BASE}/messages/{message.pk}/"
    assert link in body
    handoff.refresh_from_db()
    assert handoff.delivery == "sent" and handoff.attempts == 1

    # The clock for this step runs until the team acknowledges...
    rows = services.with_sla([handoff], now=WEDNESDAY_10AM + timedelta(hours=6, minutes=30))
    assert rows[0].sla == "at_risk"
    # ...the team follows the link in the e-mail (no desk account) and says they have it.
    ack_url = re.search(rf"{re.escape(BASE)}(/handoffs/acknowledge/\S+/)", body)
    assert ack_url is not None
    team_browser = Client(enforce_csrf_checks=True)
    shown = team_browser.get(ack_url.group(1))
    assert shown.status_code == 200 and "We have this message" in shown.content.decode()
    handoff.refresh_from_db()
    assert handoff.state == "sent"  # opening the link (a mail scanner might) changes nothing
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown.content.decode())
    assert csrf is not None
    with at(WEDNESDAY_10AM + timedelta(hours=2)):
        done = team_browser.post(ack_url.group(1), {"csrfmiddlewaretoken": csrf.group(1)})
    assert done.status_code == 200 and 'data-testid="acknowledged"' in done.content.decode()

    handoff.refresh_from_db()
    assert handoff.state == "acknowledged" and handoff.acknowledged_via == "link"
    assert handoff.acknowledged_at == WEDNESDAY_10AM + timedelta(hours=2)
    # The clock has stopped: met, and still met days later.
    for later in (timedelta(hours=7), timedelta(days=5)):
        assert services.with_sla([handoff], now=WEDNESDAY_10AM + later)[0].sla == "met"
    assert services.sla_report(now=WEDNESDAY_10AM + timedelta(days=5))["met"] == 1

    # In the order they happened (by row: the e-mail went out on the real clock, the rest frozen).
    events = list(CaseEvent.objects.filter(message=message).order_by("pk").values_list("event", flat=True))
    assert events[-3:] == ["pass_on", "handoff_emailed", "handoff_acknowledge"]


def test_an_unacknowledged_hand_off_goes_overdue(
    engine: Any, officer: Any, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    handoff = pass_on(arrive(), "complaints", officer, django_capture_on_commit_callbacks)
    next_morning = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert services.with_sla([handoff], now=next_morning)[0].sla == "breached"
    assert services.sla_report(now=next_morning)["breached"] == 1
    late = services.do_acknowledge(handoff, officer, now=next_morning)
    assert services.with_sla([late], now=next_morning)[0].sla == "missed"


def test_closing_comes_after_acknowledging_and_nothing_moves_twice(
    engine: Any, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    handoff = pass_on(arrive(), "safeguarding", officer, django_capture_on_commit_callbacks)
    with pytest.raises(states.InvalidTransition):
        services.do_close(handoff, officer)
    services.do_acknowledge(handoff, officer)
    with pytest.raises(states.InvalidTransition):
        services.do_acknowledge(handoff, officer)
    closed = services.do_close(handoff, officer)
    assert closed.state == "closed" and closed.closed_at is not None
    # Once closed, the same message may be passed to the same team again (a new concern).
    again = pass_on(
        Message.objects.get(pk=handoff.message_id),
        "safeguarding",
        officer,
        django_capture_on_commit_callbacks,
    )
    assert again.reference != handoff.reference


def test_only_teams_in_the_policys_directory(engine: Any, officer: Any) -> None:
    message = arrive()
    with pytest.raises(services.UnknownTeam):
        services.do_pass_on(message, "the-press-office", officer)
    assert not Handoff.objects.exists()
    assert {t.id for t in services.teams()} == {"pals", "complaints", "safeguarding", "hr", "clinical"}


def test_the_same_message_is_not_passed_to_the_same_team_twice(
    engine: Any, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    message = arrive()
    pass_on(message, "pals", officer, django_capture_on_commit_callbacks)
    with pytest.raises(services.AlreadyPassedOn):
        pass_on(message, "pals", officer, django_capture_on_commit_callbacks)
    pass_on(message, "complaints", officer, django_capture_on_commit_callbacks)  # another team is fine
    assert Handoff.objects.filter(message=message).count() == 2


def test_a_mail_relay_outage_is_retried_then_shown_as_failed(
    engine: Any, officer: Any, closed_port: int, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CIVILDESK_HANDOFF_EMAIL_ATTEMPTS = 2
    handoff = pass_on(arrive(), "hr", officer, django_capture_on_commit_callbacks)
    run_ready_tasks()
    handoff.refresh_from_db()
    assert handoff.delivery == "pending" and handoff.attempts == 1
    assert "ConnectionRefusedError" in handoff.error
    # The retry is queued for later (back-off); run it now as the worker would then.
    assert deliver_handoff.call(handoff_id=handoff.pk) == "failed"
    handoff.refresh_from_db()
    assert handoff.delivery == "failed" and handoff.attempts == 2
    assert CaseEvent.objects.filter(message_id=handoff.message_id, event="handoff_email_failed").exists()
    # The hand-off itself stands: the team's clock runs and the desk can see the e-mail failed.
    assert handoff.state == "sent"


def test_a_second_run_of_the_task_sends_nothing_more(
    engine: Any, officer: Any, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    handoff = pass_on(arrive(), "clinical", officer, django_capture_on_commit_callbacks)
    run_ready_tasks()
    assert deliver_handoff.call(handoff_id=handoff.pk) == "skipped"
    assert len(smtp_sink.messages) == 1


def test_a_forged_or_altered_acknowledgement_link_does_nothing(
    engine: Any, officer: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    handoff = pass_on(arrive(), "pals", officer, django_capture_on_commit_callbacks)
    token = services.acknowledge_token(handoff)
    for bad in (token[:-2] + "xx", "not-a-token"):
        response = client.post(reverse("handoff-acknowledge-link", args=[bad]))
        assert response.status_code == 404
    handoff.refresh_from_db()
    assert handoff.state == "sent"


def test_the_author_is_told_with_the_policys_template(
    engine: Any,
    officer: Any,
    fake_connector: FakePlatformConnector,
    django_capture_on_commit_callbacks: Any,
) -> None:
    handoff = pass_on(arrive(), "pals", officer, django_capture_on_commit_callbacks)
    text = services.author_notice(handoff)
    assert (
        text == "Hi Jo Bloggs, thanks for your message. We have passed it on to PALS, who will be in touch."
    )
    reply = services.do_tell_author(handoff, officer, text)
    assert reply.status == "sent" and reply.template == "passed_on"
    [(visibility, _target, sent)] = fake_connector.sent
    assert visibility == "public" and sent == text
    handoff.refresh_from_db()
    assert handoff.author_told_at is not None
    message = Message.objects.get(pk=handoff.message_id)
    assert message.status == "answered"  # telling the author answers the message on the desk


class TestOnTheMessagePage:
    def test_an_officer_passes_on_from_the_message_page(
        self, engine: Any, officer: Any, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        message = arrive()
        client.force_login(officer)
        page = client.get(reverse("message", args=[message.pk])).content.decode()
        assert 'data-testid="pass-on-form"' in page and "HR (concerns about a member of staff)" in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("message-pass-on", args=[message.pk]), {"team": "pals", "note": "ward 3"}
            )
        assert response.status_code == 302
        handoff = Handoff.objects.get()
        page = client.get(reverse("message", args=[message.pk])).content.decode()
        assert handoff.reference in page and "Mark acknowledged" in page and "Tell the author" in page
        response = client.post(reverse("handoff-transition", args=[handoff.pk]), {"event": "acknowledge"})
        assert response.status_code == 302
        handoff.refresh_from_db()
        assert handoff.state == "acknowledged" and handoff.acknowledged_by == officer

    def test_a_viewer_sees_hand_offs_but_cannot_pass_on(self, engine: Any, client: Client) -> None:
        message = arrive()
        client.force_login(person("viewer"))
        page = client.get(reverse("message", args=[message.pk])).content.decode()
        assert "Passed on" in page and 'data-testid="pass-on-form"' not in page
        response = client.post(reverse("message-pass-on", args=[message.pk]), {"team": "pals"})
        assert response.status_code == 403
        assert not Handoff.objects.exists()

    def test_an_unknown_team_is_an_error_not_a_crash(self, engine: Any, officer: Any, client: Client) -> None:
        message = arrive()
        client.force_login(officer)
        response = client.post(reverse("message-pass-on", args=[message.pk]), {"team": "nobody"}, follow=True)
        assert "no team &#x27;nobody&#x27;" in response.content.decode()
        assert not Handoff.objects.exists()

    def test_the_list_of_hand_offs(
        self, engine: Any, officer: Any, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        handoff = pass_on(arrive(), "pals", officer, django_capture_on_commit_callbacks)
        client.force_login(officer)
        html = client.get(reverse("handoffs")).content.decode()
        assert handoff.reference in html and "PALS" in html


def test_the_dashboard_panel_counts_hand_offs_against_their_target(
    engine: Any, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.template import Context, Template

    first = pass_on(arrive(), "pals", officer, django_capture_on_commit_callbacks)
    pass_on(arrive(pid="f2"), "hr", officer, django_capture_on_commit_callbacks)
    services.do_acknowledge(first, officer, now=WEDNESDAY_10AM + timedelta(minutes=30))
    with at(datetime(2026, 11, 26, 9, 30, tzinfo=UTC)):  # the next morning
        html = Template("{% load handoff_tags %}{% handoff_dashboard_panel %}").render(Context({}))
    assert "2 open." in html and "1 met" in html and "1 overdue" in html
