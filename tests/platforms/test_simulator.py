"""The simulator as the demo and the end-to-end tests use it: a scenario played at a running
desk (edits, deletions, redeliveries, forgeries), and ``civildesk simulate`` itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from civildesk.cli import main
from civildesk.inbox.models import Message
from civildesk.inbox.worker import run_ready_tasks
from civildesk.platforms.models import PlatformAccount, WebhookDelivery
from civildesk.simulator import scenario as scenarios
from civildesk.simulator.server import Simulator
from civildesk.simulator.testing import SECRETS

DEMO = Path(scenarios.__file__).parent / "scenarios" / "demo.yaml"


def webhook(live_server: Any, account: PlatformAccount) -> str:
    return f"{live_server.url}/platforms/webhooks/{account.webhook_key}/"


@pytest.mark.django_db(transaction=True)
def test_a_scenario_reaches_the_inbox_and_forgeries_do_not(
    live_server, platform_simulator, simulated_account, engine
):
    page = simulated_account("facebook", "1001")
    story = {
        "accounts": {
            "page": {
                "platform": "facebook",
                "account_id": "1001",
                "webhook": webhook(live_server, page),
                "secret": SECRETS["facebook"],
            }
        },
        "steps": [
            {
                "send": "page",
                "event": "comment",
                "id": "p1_c1",
                "post": "p1",
                "text": "Bins missed on Elm Road",
                "author": "u1",
                "name": "Sam",
            },
            {
                "send": "page",
                "event": "comment_edit",
                "id": "p1_c1",
                "post": "p1",
                "text": "Bins missed on Elm Road again",
                "author": "u1",
            },
            {"redeliver": 1},
            {
                "forge": "page",
                "event": "comment",
                "id": "p1_c9",
                "post": "p1",
                "text": "forged",
                "author": "u9",
            },
            {"send": "page", "event": "dm", "id": "m_1", "text": "Can I get a new bin?", "author": "psid5"},
        ],
    }
    results = scenarios.run(platform_simulator, story)
    assert [r.status for r in results] == [200, 200, 200, 403, 200]
    run_ready_tasks()
    stored = {m.platform_id: m.text for m in Message.objects.all()}
    assert stored == {"p1_c1": "Bins missed on Elm Road again", "m_1": "Can I get a new bin?"}
    assert (
        WebhookDelivery.objects.count() == 3 and WebhookDelivery.objects.filter(redeliveries=1).count() == 1
    )


@pytest.mark.django_db(transaction=True)
def test_the_desk_answers_each_platforms_subscription_check(
    live_server, platform_simulator, simulated_account
):
    for platform, account_id in (
        ("x", "4242"),
        ("facebook", "1001"),
        ("instagram", "17841"),
        ("linkedin", "urn:li:organization:5"),
    ):
        account = simulated_account(platform, account_id)
        assert platform_simulator.check_handshake(
            webhook(live_server, account), platform, SECRETS[platform], "sim-verify-token"
        )


@pytest.mark.django_db(transaction=True)
def test_civildesk_simulate_connects_the_desk_and_plays_the_demo(live_server, tmp_path, capsys, engine):
    story = yaml.safe_load(DEMO.read_text())
    # The demo streams the whole corpus; a few rows per account are enough to show it works.
    for step in story["steps"]:
        if "stream" in step:
            step["limit"] = 4
            step["file"] = str((DEMO.parent / step["file"]).resolve())
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(story))
    assert (
        main(
            [
                "simulate",
                "--once",
                "--port",
                "0",
                "--scenario",
                str(path),
                "--connect-desk",
                "--desk-url",
                live_server.url,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "connected facebook 1001" in out and "forged x mention" in out
    steps = [line for line in out.splitlines() if line.startswith("step")]
    assert steps[-1].rstrip().endswith("403") and all(line.rstrip().endswith("200") for line in steps[:-1])
    assert PlatformAccount.objects.count() == 4
    run_ready_tasks()
    assert set(Message.objects.values_list("platform", flat=True)) == {"x", "facebook", "instagram"}
    # LinkedIn's notifications carry no text: the worker fetches it from the (now stopped)
    # simulator, fails to connect, and keeps the deliveries queued for a retry; nothing is lost.
    waiting = WebhookDelivery.objects.filter(account__platform="linkedin")
    assert waiting.count() == 4 and all(
        d.state == "queued" and "connection failed" in d.error for d in waiting
    )
    assert Message.objects.filter(platform_id="1001_500_c901", deleted_at__isnull=False).exists()


def test_a_scenario_naming_an_unknown_account_is_refused(platform_simulator):
    with pytest.raises(scenarios.ScenarioError, match="no account named 'nope'"):
        scenarios.run(platform_simulator, {"accounts": {}, "steps": [{"send": "nope", "event": "comment"}]})


def test_a_bad_scenario_file_exits_with_status_2(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"accounts": {}}')
    assert main(["simulate", "--once", "--port", "0", "--scenario", str(path)]) == 2
    assert "expected a mapping" in capsys.readouterr().err


def test_faults_last_as_many_calls_as_asked_then_clear():
    with Simulator() as sim:
        import httpx

        sim.inject("facebook", "server_error", op="me", times=2)
        codes = [
            httpx.get(f"{sim.base_url('facebook')}/me", headers={"Authorization": "Bearer t"}).status_code
            for _ in range(3)
        ]
        assert codes == [500, 500, 200]
        with pytest.raises(ValueError):
            sim.inject("myspace", "rate_limit")


def test_linkedin_calls_without_the_version_headers_are_refused_like_linkedin_does():
    import httpx

    with Simulator() as sim:
        r = httpx.get(
            f"{sim.base_url('linkedin')}/rest/organizations/5", headers={"Authorization": "Bearer t"}
        )
        assert r.status_code == 400 and "Linkedin-Version" in r.json()["message"]
