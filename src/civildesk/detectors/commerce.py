"""Irrelevant advertising and posts that discuss or promote illegal activity.

Both are about selling: spam sells courses, followers and "investment"; the illegal end sells
drugs, vapes to children and prescription-only medicines with "no prescription needed". Selling
is recognised by its cues (prices, discount codes, "link in bio", "DM for prices", a pointing emoji
before a link), and what is being sold decides between the two labels.

What must not be caught: the NHS or a charity signposting a free service, someone raising money
for a mental-health charity (reported with a low score only), the Trust's own job adverts, and for
illegal activity the stories that make up much of a mental-health Trust's inbox: recovery ("18
months off spice"), asking for help with a habit, harm-reduction questions and reports of crime.

Phrase lists live in ``data/commerce_phrases.txt``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from civildesk.detectors.base import DetectorConfig, Finding, Prepared
from civildesk.detectors.links import extract_links
from civildesk.detectors.staff import PhraseBook, word_set

_BOOK = PhraseBook.load("commerce_phrases.txt")
_AD_WEIGHTS = {
    "ad_strong": 2.0,
    "spam_strong": 2.0,
    "ad_cue": 1.0,
    "ad_weak": 0.5,
    "pointer": 0.5,
}
# Sections that can raise illegal_activity on their own, and goods that need a sign of selling.
_ACTS = frozenset(
    {"no_rx", "no_id", "deal", "seek", "seek_vague", "theft", "fraud", "fraud_amb", "drink_drive", "use"}
)
_GOODS = frozenset({"drug", "drug_slang", "pom", "tobacco"})
_SELLING = frozenset({"sale", "sale_weak"})
_EXCUSES = frozenset({"help", "recovery", "harm", "report", "policy"})

_PRICE = re.compile(r"[£$€]\s?\d+(?:[.,]\d+)?|\b\d+(?:\.\d\d)?\s?(?:quid|pounds|gbp)\b")
_PERCENT_OFF = re.compile(r"\b\d{1,2}\s?%\s?(?:off|discount)|\bsave\s+(?:up\s+to\s+)?\d{1,2}\s?%")
# "earn £500 a day" is the scheme's promise; "I earn £500 a month" is someone's wage.
# "get paid up to $35 an hour" opening a sentence is the same promise; "the agency staff get paid
# up to £60 an hour" is a grumble about wages.
_AMOUNT = r"[£$€]\s?\d[\d,.]*\s?k?"
_EARN = re.compile(
    r"\b(?:earn|earning|earned|earns|make|making|made|makes|profit|profits|returns?\s+of)\s+(?:up\s+to\s+|over\s+)?"
    + _AMOUNT
    + r"\s*(?:a|per|every|/|each|in\s+a|in\s+one|in\s+(?:\d+|a\s+few|two|three)|within)\s*"
    r"(?:day|week|wk|hour|hr|days|weeks|hours)\b"
    r"|(?:^|(?<=[.!?…])|(?<=[.!?…]\s)|(?<=\band\s))get\s+paid\s+up\s*to\s+"
    + _AMOUNT
    + r"(?:\s*(?:-|to)\s*"
    + _AMOUNT
    + r")?\s*(?:an?|per|every|/|each)\s*(?:day|week|wk|hour|hr)\b"
)
# "our free carers' wellbeing workshop": a free service, whatever words sit in between.
_FREE_SERVICE = re.compile(
    r"\bfree\s+(?:[\w'’-]+\s+){0,3}(?:workshops?|sessions?|groups?|courses?|events?|drop[\s-]?ins?|services?|support|"
    r"helplines?|classes|class|cafés?|cafes?|clinics?|screenings?|training|webinars?)\b"
)
_FOLLOW_WORD = re.compile(r"follow|check|add|sub|dm|message")
_FOLLOW_HANDLE = re.compile(r"\b(?:follow|check\s+out|add|sub\s+to|subscribe\s+to|dm|message)\s+@\w+")
_RECOVERY_NUM = re.compile(
    r"\b\d+\s*(?:days?|weeks?|months?|yrs?|years?)\s+(?:clean|sober|off|drug[\s-]free|alcohol[\s-]free|dry)\b"
    r"|\b(?:clean|sober)\s+(?:for|since)\s+\d"
)
_TRUSTED_HOST = re.compile(
    r"(?:^|\.)(?:nhs\.uk|nhs\.net|gov\.uk|org\.uk|org|ac\.uk|police\.uk|bbc\.co\.uk|justgiving\.com|gofundme\.com)$"
)
_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)?")
_NEGATORS = word_set(
    "not never dont doesnt didnt wont wouldnt cant couldnt shouldnt isnt wasnt arent werent aint havent hasnt"
)
_OTHERS = word_set("he she hes shes they theyre theyve has have had son daughter kids")


@dataclass(slots=True)
class _Hits:
    """What was found in one message: phrase hits by section (original offsets plus the
    normalised start) and the few regex signals, each computed once behind a cheap gate."""

    spans: dict[str, list[tuple[int, int, int]]]
    price: re.Match[str] | None
    percent_off: re.Match[str] | None
    earn: re.Match[str] | None
    follow: re.Match[str] | None
    links: list[tuple[int, int, str]]

    def has(self, *sections: str) -> bool:
        return not self.spans.keys().isdisjoint(sections)

    def count(self, section: str) -> int:
        return len(self.spans.get(section, ()))

    def span(self, *sections: str) -> tuple[int, int]:
        found = [(s, e) for sec in sections for s, e, _ in self.spans.get(sec, ())]
        return min(s for s, _ in found), max(e for _, e in found)


class CommerceDetector:
    """Advertising (kinds ``advert`` and ``spam``) and illegal activity (kinds
    ``illegal_activity`` and ``unlicensed_sale``)."""

    name = "commerce"

    def __init__(self, config: DetectorConfig | None = None) -> None:
        config = config or DetectorConfig()
        # The organisation's own sites and handles are never advertising.
        self._own = tuple(d.lower() for d in config.extra.get("org_domains", ()))

    def detect(self, prepared: Prepared) -> list[Finding]:
        norm = prepared.norm
        ntext = norm.text
        raw = _BOOK.find(ntext)
        money = "£" in ntext or "$" in ntext or "€" in ntext
        # Stop early unless something is being sold, promoted or owned up to.
        sections = {section for _, _, section in raw}
        follow = _signal(_FOLLOW_HANDLE, ntext) if "@" in ntext and _FOLLOW_WORD.search(ntext) else None
        advertish = not sections.isdisjoint(_AD_WEIGHTS) or money or "%" in ntext or follow is not None
        illegalish = not sections.isdisjoint(_ACTS) or (
            not sections.isdisjoint(_GOODS) and (money or not sections.isdisjoint(_SELLING))
        )
        if not advertish and not illegalish:
            return []
        spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        offsets = norm.offsets  # phrase matches are never empty, so no clamping is needed
        for ns, ne, section in raw:
            if section not in _AD_WEIGHTS and _negated(ntext, ns):
                continue
            spans[section].append((offsets[ns], offsets[ne - 1] + 1, ns))
        hits = _Hits(
            dict(spans),
            price=_PRICE.search(ntext) if money or "quid" in ntext or "pound" in ntext else None,
            percent_off=_PERCENT_OFF.search(ntext) if "%" in ntext else None,
            earn=_EARN.search(ntext) if money else None,
            follow=follow,
            links=extract_links(prepared.text),
        )
        findings: list[Finding] = []
        advert = self._advertising(prepared, hits) if advertish else None
        if advert is not None:
            findings.append(advert)
        if illegalish:
            findings.extend(self._illegal(prepared, hits))
        return findings

    # -- advertising ---------------------------------------------------------------------------

    def _advertising(self, prepared: Prepared, hits: _Hits) -> Finding | None:
        text, ntext = prepared.text, prepared.norm.text
        points = {"advert": 0.0, "spam": 0.0}
        evidence: list[tuple[int, int]] = []
        seen: set[str] = set()
        for section, weight in _AD_WEIGHTS.items():
            for start, end, _ in hits.spans.get(section, ()):
                key = text[start:end].lower()
                if key in seen:
                    continue
                seen.add(key)
                points["spam" if section == "spam_strong" else "advert"] += weight
                evidence.append((start, end))
        for m, kind, weight in (
            (hits.percent_off, "advert", 2.0),
            (hits.earn, "spam", 1.0),
            (hits.follow, "spam", 2.0),
        ):
            if m:
                points[kind] += weight
                evidence.append(prepared.norm.span(m.start(), m.end()))
        cues = points["advert"] + points["spam"]
        price = hits.price
        if price:
            points["advert"] += 1.0 if cues >= 1.0 else 0.5
            evidence.append(prepared.norm.span(price.start(), price.end()))
        own_link = outside_link = False
        if cues >= 1.0 or "pointer" in hits.spans:
            for start, end, url in hits.links:
                host = _host(url)
                own_link = own_link or any(host == d or host.endswith("." + d) for d in self._own)
                if not own_link and not _TRUSTED_HOST.search(host):
                    outside_link = True
                    points["advert"] += 0.5
                    if any(s < start for s, _, _ in hits.spans.get("pointer", ())):
                        points["advert"] += 1.0  # "👉 slimjab-uk.shop"
                    evidence.append((start, end))
                    break
        total = points["advert"] + points["spam"]
        if not evidence:
            return None
        start, end = min(s for s, _ in evidence), max(e for _, e in evidence)
        kind = "spam" if points["spam"] > points["advert"] else "advert"
        if hits.has("jobs") and not hits.has("spam_strong"):
            return None  # the Trust's own vacancies, shared on
        if hits.has("fundraising") and not hits.has("spam_strong"):
            return Finding("advertising", 0.3, start, end, self.name, "advert", "charity fundraising")
        # A free or public service loses the benefit of the doubt only to money or a stranger's link.
        paid = hits.has("spam_strong") or bool(price) or hits.percent_off is not None or outside_link
        if (hits.has("benign") or own_link or ("free" in ntext and _FREE_SERVICE.search(ntext))) and not paid:
            return None  # signposting a free NHS or charity service
        weak_only = all(w < 1.0 for sec, w in _AD_WEIGHTS.items() if hits.has(sec)) and not (
            hits.percent_off or hits.earn or hits.follow
        )
        if total >= 2.0:
            score = 0.9
        elif total >= 1.0 and not weak_only:
            score = 0.6
        else:
            return None
        note = (
            "promotes the writer's own channel or a scheme" if kind == "spam" else "sells goods or services"
        )
        return Finding("advertising", score, start, end, self.name, kind, note)

    # -- illegal activity ----------------------------------------------------------------------

    def _illegal(self, prepared: Prepared, hits: _Hits) -> list[Finding]:
        ntext = prepared.norm.text
        excused = hits.has(*_EXCUSES) or (
            ("clean" in ntext or "sober" in ntext or "off" in ntext)
            and _RECOVERY_NUM.search(ntext) is not None
        )
        out: list[Finding] = []

        def add(score: float, kind: str, sections: tuple[str, ...], note: str) -> None:
            start, end = hits.span(*sections)
            out.append(Finding("illegal_activity", score, start, end, self.name, kind, note))

        sale = hits.count("sale")
        selling = sale or hits.has("sale_weak") or hits.price is not None
        if hits.has("no_rx"):  # evidence: the medicine and the "no prescription" promise
            if _in_question(ntext, hits.spans["no_rx"][0][2]) or hits.has("help"):
                add(0.0, "question", ("no_rx",), "asks about getting a medicine, sells nothing")
            else:
                add(
                    0.9,
                    "unlicensed_sale",
                    ("no_rx", "pom", "drug"),
                    "medicine offered without a prescription",
                )
        if hits.has("no_id"):
            goods = hits.has("tobacco", "drug", "drug_slang") or selling or bool(hits.links)
            add(
                0.9 if goods else 0.6,
                "unlicensed_sale",
                ("no_id", "tobacco"),
                "age-restricted goods sold without ID",
            )
        if hits.has("deal"):
            add(0.9, "unlicensed_sale", ("deal",), "dealing drugs")
        elif hits.has("drug") and selling:
            add(0.9, "unlicensed_sale", ("drug", "sale", "sale_weak"), "drugs offered for sale")
        elif hits.has("drug_slang") and sale:
            clear = sale >= 2 or hits.count("drug_slang") >= 2 or hits.price is not None
            add(
                0.9 if clear else 0.6,
                "unlicensed_sale",
                ("drug_slang", "sale"),
                "drug slang with selling cues",
            )
        elif hits.has("pom") and sale:
            add(0.9, "unlicensed_sale", ("pom", "sale"), "prescription-only medicine offered for sale")
        personal = (
            ("seek", 0.6, "looking to buy drugs"),
            ("seek_vague", 0.6, "looking to buy drugs"),
            ("theft", 0.9, "the writer's own theft"),
            ("fraud", 0.9, "fraud or forgery"),
            ("fraud_amb", 0.3, "fraud mentioned, perhaps only discussed"),
            ("drink_drive", 0.9, "driving drunk or high"),
            ("use", 0.6, "the writer's own drug use, told as a boast"),
        )
        for section, score, note in personal:
            if not hits.has(section):
                continue
            if section == "seek_vague" and not hits.has("drug", "drug_slang", "pom"):
                continue
            if section == "theft" and not any(_by_writer(ntext, ns) for _, _, ns in hits.spans["theft"]):
                add(0.0, "someone_else", ("theft",), "theft by someone other than the writer")
                continue
            if excused:
                add(0.0, "help_or_recovery", (section,), "recovery, asking for help or reporting")
                continue
            add(score, "illegal_activity", (section,), note)
        return out


def _signal(regex: re.Pattern[str], ntext: str) -> re.Match[str] | None:
    m = regex.search(ntext)
    return None if m is None or _negated(ntext, m.start()) else m


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].lower().removeprefix("www.")


def _in_question(ntext: str, ns: int) -> bool:
    """Whether the sentence holding ``ns`` is a question ("can I buy it without a prescription?")."""
    end = len(ntext)
    for stop in ".!?\n":
        i = ntext.find(stop, ns)
        if i != -1:
            end = min(end, i)
    return end < len(ntext) and ntext[end] == "?"


def _window(ntext: str, ns: int) -> list[str]:
    return [t.replace("'", "").replace("’", "") for t in _TOKEN.findall(ntext, max(0, ns - 24), ns)][-3:]


def _negated(ntext: str, ns: int) -> bool:
    return any(w in _NEGATORS for w in _window(ntext, ns))


def _by_writer(ntext: str, ns: int) -> bool:
    """ "been shoplifting" is the writer's own unless someone else is its subject ("my son has
    been shoplifting", "she's been stealing")."""
    return not any(w in _OTHERS for w in _window(ntext, ns)[-2:])
