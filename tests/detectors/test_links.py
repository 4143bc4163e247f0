"""Links: every link is seen, and only links to inappropriate material raise the label.

Scam texts imitate couriers, HMRC and the NHS on throwaway domains; spam comments push app
downloads, casinos, crypto "mentors" and porn; some posts dare children into choking "challenges".
The NHS, the government, the big mental-health charities and the Trust's own site never flag,
and neither do the ordinary links people share every day.
"""

from __future__ import annotations

import pytest

from civildesk.detectors.base import DetectorConfig, Finding, MessageInput, prepare
from civildesk.detectors.links import LinkDetector, extract_links

DETECTOR = LinkDetector(DetectorConfig(extra={"org_domains": ("swlstg.nhs.uk", "our-wellbeing.shop")}))


def findings(text: str, detector: LinkDetector = DETECTOR) -> list[Finding]:
    return detector.detect(prepare(MessageInput(text=text, kind="comment")))


def verdict(text: str, detector: LinkDetector = DETECTOR) -> tuple[str, float]:
    """The strongest finding about the message's links: (kind, score)."""
    found = findings(text, detector)
    assert found, "no link found"
    best = max(found, key=lambda f: f.score)
    return best.kind, best.score


# -- finding the links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "links"),
    [
        (
            "📦 Your prescription delivery failed. Rebook here: royalmail-redeliver.help/NHS",
            ["royalmail-redeliver.help/NHS"],
        ),
        ("💉 Mounjaro pens, no prescription needed, UK next day 👉 slimjab-uk.shop", ["slimjab-uk.shop"]),
        ("way better than the NHS one 👉 calmapp-free.apk.download", ["calmapp-free.apk.download"]),
        ("proper buzz 😵 tiktok.com/@blackout.chall", ["tiktok.com/@blackout.chall"]),
        ("check bit.ly/xyz for details", ["bit.ly/xyz"]),
        ("see www.example.com.", ["www.example.com"]),
        (
            "https://www.nhs.uk/mental-health/ and (mind.org.uk)",
            ["https://www.nhs.uk/mental-health/", "mind.org.uk"],
        ),
        ("read this (https://example.com/page), honestly", ["https://example.com/page"]),
        (
            "wiki link https://en.wikipedia.org/wiki/Bethlem_(hospital) is good",
            ["https://en.wikipedia.org/wiki/Bethlem_(hospital)"],
        ),
        ("HTTP://EXAMPLE.ORG/Shout!", ["HTTP://EXAMPLE.ORG/Shout"]),
        ("visit YoungMinds.org.uk today", ["YoungMinds.org.uk"]),
        ("nhs.uk.refund-claim.xyz", ["nhs.uk.refund-claim.xyz"]),
        # not links
        ("email me at jo.bloggs@gmail.com", []),
        ("e.g. the ward i.e. ward 2", []),
        ("Thanks, Ward1.Ok see you", []),
        ("meet at 10.30am by the lifts", []),
        ("version 1.it crashed again", []),
        ("ok.so i went there anyway", []),
        ("it was the end.Next week is better", []),
        ("@blackout.chall is the account", []),
        ("the N.H.S. is not a business", []),
        ("", []),
    ],
)
def test_extract_links_finds_urls_and_bare_domains_but_not_sentences(text: str, links: list[str]) -> None:
    found = extract_links(text)
    assert [url for _, _, url in found] == links
    assert all(text[s:e] == url for s, e, url in found)


def test_every_link_is_a_finding_spanning_exactly_the_link() -> None:
    text = "two links: youtube.com/watch?v=abc123 and https://www.nhs.uk/conditions/"
    found = findings(text)
    assert [(text[f.start : f.end], f.kind, f.score) for f in found] == [
        ("youtube.com/watch?v=abc123", "link", 0.0),
        ("https://www.nhs.uk/conditions/", "trusted_link", 0.0),
    ]
    assert all(f.label == "inappropriate_link" and f.detector == "links" for f in found)


def test_a_message_without_links_has_no_findings() -> None:
    assert findings("no links here, just a rant about parking at Springfield") == []


# -- inappropriate links ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # parcel, tax and NHS look-alikes
        ("📦 Your prescription delivery failed. Rebook here: royalmail-redeliver.help/NHS", "phishing"),
        ("Your Evri parcel is on hold, pay the fee at evri-redelivery.info", "phishing"),
        ("HMRC: you are eligible for a tax refund hmrc-rebate.online/claim", "phishing"),
        # prize bait behind a shortened or throwaway link
        ("Win a free iPhone 15! Click here: bit.ly/3xFreePhone", "phishing"),
        ("FREE iPad giveaway 👉 http://promo-gifts.top/claim", "phishing"),
        ("covid pass needs renewing nhs-covid-pass.xyz/verify", "phishing"),
        ("NHS prescription payment failed, update at nhs-prescription-refund.com", "phishing"),
        ("nhs.uk.refund-claim.xyz", "phishing"),
        ("dpd-reschedule.com we missed you today", "phishing"),
        ("log in at paypa1-secure.com/login to unlock your account", "phishing"),
        ("urgent: http://192.168.4.20/login", "phishing"),
        ("official info at nhѕ.uk/refund", "phishing"),  # a Cyrillic "ѕ"
        ("tinyurl.com/ab12cd verify your account now or it will be closed", "phishing"),
        ("calm-anxiety.shop cured my panic attacks in a week", "phishing"),
        # downloads
        ("free 'anxiety relief' app, way better than the NHS one 👉 calmapp-free.apk.download", "malware"),
        ("get the app: https://files.example.net/CalmMind.apk", "malware"),
        ("patch here http://dl.example.org/setup.exe", "malware"),
        ("free game download at cdn-update.zip", "malware"),
        # adult
        ("pornhub.com/view_video.php?viewkey=123", "adult"),
        ("hot singles near you 🔥 sexy-dates.click", "adult"),
        ("my spicy content 🔞 onlyfans.com/jessx", "adult"),
        ("nudes in my bio 😘 bit.ly/3kXyZ", "adult"),
        # gambling
        ("visit bet365.com for the odds", "gambling"),
        ("free spins no wagering 👉 spinz-casino.xyz", "gambling"),
        ("100 free spins when you sign up at lucky-reels.co.uk", "gambling"),
        # crypto
        ("double your bitcoin in 24h: btc-doubler.top", "crypto_scam"),
        ("earn £500 a day with bitcoin, message my account manager wa.me/447700900123", "crypto_scam"),
        ("lost money to a scam? recovery expert here fundsback.net", "crypto_scam"),
        # dangerous challenges
        (
            "try the blackout challenge everyone's doing, proper buzz 😵 tiktok.com/@blackout.chall",
            "dangerous_challenge",
        ),
        ("choking challenge compilation bit.ly/3xYzAb 😂", "dangerous_challenge"),
        ("skullbreaker challenge on my page youtube.com/watch?v=xyz123", "dangerous_challenge"),
    ],
)
def test_links_to_inappropriate_material_raise_the_label(text: str, kind: str) -> None:
    got_kind, score = verdict(text)
    assert (got_kind, score >= 0.5) == (kind, True), findings(text)


def test_the_words_that_make_a_link_bad_are_highlighted_too() -> None:
    text = "try the blackout challenge everyone's doing, proper buzz 😵 tiktok.com/@blackout.chall"
    spans = {text[f.start : f.end] for f in findings(text) if f.score >= 0.5}
    assert spans == {"tiktok.com/@blackout.chall", "blackout challenge"}


def test_a_shortened_link_is_a_moderate_signal_on_its_own() -> None:
    for text in (
        "more info bit.ly/3abcD",
        "cutt.ly/xyz",
        "rb.gy/abc12",
        "is.gd/abc",
        "ow.ly/abc",
        "tinyurl.com/yc8k",
    ):
        assert verdict(text) == ("shortener", 0.4), text


def test_unlicensed_medicine_is_noted_but_left_to_the_advertising_and_illegal_activity_labels() -> None:
    # The Trust's labelled example e057 is advertising + illegal activity, not an inappropriate link.
    for text in (
        "💉 Mounjaro pens, no prescription needed, UK next day 👉 slimjab-uk.shop",
        "the buy-xanax-online.shop is legit",
        "diazepam next day, discreet, no script 👉 t.me/ukmedsdirect",
    ):
        kind, score = verdict(text)
        assert kind == "unlicensed_medicine" and 0 < score < 0.5, text


# -- links that must never flag ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # trusted sites, whatever is said around them
        "We're raffling a free iPad at the summer fair, details at swlstg.nhs.uk",
        "Win a free iPad in the staff raffle: https://forms.office.com/r/abc123",
        "Info here https://www.nhs.uk/mental-health/ and www.samaritans.org",
        "Mind has good info: mind.org.uk/information-support/",
        "youngminds.org.uk helped my daughter loads",
        "HMRC tax refund guidance is at https://www.gov.uk/claim-tax-refund",
        "parents please read about the blackout challenge: bbc.co.uk/news/uk-123456",
        "contact us at swlstg.nhs.uk/contact-us",
        "our wellbeing shop is at our-wellbeing.shop",  # the organisation's own domain (config)
        "essex.gov.uk has the council info",
        # ordinary sites
        "great piece theguardian.com/society/2024/may/01/mental-health-waiting-lists",
        "watch youtube.com/watch?v=abc123 its lovely",
        "t.co/abc123",
        "lnkd.in/eXyzAbc",
        "see www.example.com",
        "sponsor me! justgiving.com/fundraising/jo-runs-for-mind",
        "got my repeat prescription from boots.com/online-pharmacy",
        "betterhelp.com was ok but pricey",
        "alphabet.com is google's parent",
        "new article on sussexlive.co.uk about the hospital",
        "my sister found applegate-dental.co.uk really good",
        "the royalmail.com tracking says delivered",
        # warnings about challenges, with an ordinary news link
        "warning to parents: the blackout challenge has killed kids, see theguardian.com/uk-news/2024/jan/01/x",
        "beware the choking challenge on tiktok, talk to your kids. itv.com/news/2023/x",
    ],
)
def test_trusted_and_ordinary_links_never_flag(text: str) -> None:
    found = findings(text)
    assert found, "the link should still be reported"
    assert all(f.score < 0.5 for f in found), found


def test_the_organisation_domain_comes_from_the_config() -> None:
    text = "our wellbeing shop is at our-wellbeing.shop"
    assert verdict(text) == ("trusted_link", 0.0)
    kind, score = verdict(text, LinkDetector(DetectorConfig()))
    assert score >= 0.5 and kind == "phishing"


def test_no_config_still_works() -> None:
    assert verdict("royalmail-redeliver.help/NHS", LinkDetector())[0] == "phishing"
