"""Links to inappropriate material: phishing, malware, adult, gambling, crypto scams, dangerous
"challenges" and medicines sold without a prescription.

Every link in a message becomes a finding, so the engine (and the advertising detector, through
``extract_links``) can see that links exist: ordinary ones with score 0 and kind ``link``, suspect
ones with a score and a kind naming the category. A link is judged by its host (lists in
``data/domains_*.txt``, written by the project), its path (an ``.apk`` download) and the words
around it ("your parcel could not be delivered", "no prescription needed", "blackout challenge").
Trusted sites (the NHS, government, the big mental-health charities, the organisation itself)
never flag. Matching runs on the original text: the normaliser's leetspeak folding would turn the
digits in "bet365.com" into letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from civildesk.detectors.base import DetectorConfig, Finding, Prepared
from civildesk.detectors.normalise import normalise

LABEL = "inappropriate_link"


def _vocab(words: str) -> frozenset[str]:
    """A vocabulary written as one space-separated string (easier to read and extend)."""
    return frozenset(words.split())


_DATA = Path(__file__).parent / "data"

# -- the lists ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _List:
    """One ``domains_*.txt`` file: plain domains plus ``prefix:value`` patterns."""

    domains: frozenset[str] = frozenset()
    patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, prefix: str) -> tuple[str, ...]:
        return self.patterns.get(prefix, ())


def _load(name: str) -> _List:
    domains: set[str] = set()
    patterns: dict[str, list[str]] = {}
    for raw in (_DATA / f"domains_{name}.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip().lower()
        if not line:
            continue
        prefix, sep, value = line.partition(":")
        if sep and " " not in prefix and "." not in prefix:
            patterns.setdefault(prefix, []).append(value.strip())
        else:
            domains.add(line)
    return _List(frozenset(domains), {k: tuple(v) for k, v in patterns.items()})


_TRUSTED = _load("trusted").domains
_ORDINARY = _load("ordinary").domains
_SHORTENERS = _load("shorteners").domains
_ADULT = _load("adult")
_GAMBLING = _load("gambling")
_CRYPTO = _load("crypto_scam")
_MEDICINE = _load("unlicensed_medicine")
_MALWARE = _load("malware")
_PHISHING = _load("phishing")
_SUSPICIOUS_TLDS = _load("suspicious_tlds").domains
# (brand, its real domains, strict): a strict brand (a government body, a courier, a bank) is
# imitated whenever a stranger's domain carries its name; the others need bait words as well.
_BRANDS: tuple[tuple[str, frozenset[str], bool], ...] = tuple(
    (parts[0], frozenset(parts[1:]), prefix == "strict")
    for prefix in ("strict", "brand")
    for parts in (b.split() for b in _PHISHING.get(prefix))
    if parts
)
_BAIT = _PHISHING.get("bait")
_BRAND_RE = re.compile(
    "|".join(re.escape(b) for b in sorted({b for b, _, _ in _BRANDS}, key=len, reverse=True))
)
_EXECUTABLES = frozenset(_MALWARE.get("ext"))
_ARCHIVES = frozenset(_MALWARE.get("archive"))
_FILE_TLDS = frozenset(_MALWARE.get("tld"))

# -- finding links -----------------------------------------------------------------------------

# Top-level domains accepted in a bare domain ("slimjab-uk.shop"); those that are also English
# words need more evidence (a path, a hyphen or digit, three labels or a listed host) so that
# "ok.so" or "see you at.work" typos are not read as links.
_PLAIN_TLDS = _vocab(
    "com net org uk co io ly gy gd cc ws tk ml ga cf gq pw su ru cn de fr ie eu es nl ca au nz za "
    "ch se dk fi pl pt gr ro hu cz sk bg hr lt lv ee ua tr il ae sa pk bd ng ke gh jp kr "
    "tw hk sg ph vn th br ar mx cl pe ve xyz icu cyou cfd sbs tv fm ai gg vc "
    "biz info mobi asia xxx porn adult bond"
)
_WORDY_TLDS = _vocab(
    "me to it in be at us is so no am my id im je la st help shop live online site website store link click win one "
    "today world news life care health email fun club work page space games download zip mov top "
    "bet best chat social tips guide support services money cash loan cam sex vip pro plus buzz "
    "fit diet app dev tech blog name art rest monster quest lol casino poker pharmacy energy "
    "london scot wales cymru events media"
)
_TLDS = "|".join(sorted({*_PLAIN_TLDS, *_WORDY_TLDS}, key=lambda t: (-len(t), t)))
_WORDY = frozenset(_WORDY_TLDS)

_URL_CHARS = r"[\w\-.~:/?#\[\]@!$&'()*+,;=%]"
_LINK = re.compile(
    rf"(?i)\bhttps?://{_URL_CHARS}+"
    rf"|(?<![\w@.\-/])www\.{_URL_CHARS}+"
    rf"|(?<![\w@.\-/])(?:[^\W_](?:[\w-]{{0,61}}[^\W_])?\.)+(?:{_TLDS})(?![\w@-])(?::\d{{2,5}})?(?:[/?#]{_URL_CHARS}*)?"
)
# A dot followed by a letter: every link has one, most messages have none ("end. Next" has a space).
_DOT_LETTER = re.compile(r"\.[^\W\d_]")
_TRAILING = ".,;:!?'\")]}>"


def _trim(url: str) -> str:
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _split(url: str) -> tuple[str, str, bool]:
    """(host, path, had an explicit scheme or www)."""
    rest = url
    explicit = False
    if "://" in rest:
        rest = rest.split("://", 1)[1]
        explicit = True
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, path = rest[:cut], rest[cut:]
    host = authority.rsplit("@", 1)[-1].split(":", 1)[0].lower().rstrip(".")
    if host.startswith("www."):
        explicit = True
    return host, path, explicit


@lru_cache(maxsize=4096)
def _suffixes(host: str) -> frozenset[str]:
    """All the parent domains of a host (a.b.example.co.uk, b.example.co.uk, ... uk): a listed
    domain covers its subdomains."""
    parts = host.split(".")
    return frozenset(".".join(parts[i:]) for i in range(len(parts)))


def _in(host: str, domains: frozenset[str]) -> bool:
    return not _suffixes(host).isdisjoint(domains)


def extract_links(text: str) -> list[tuple[int, int, str]]:
    """Every URL or bare domain in ``text`` as (start, end, link text), offsets into ``text``."""
    if "://" not in text and not _DOT_LETTER.search(text):
        return []
    found: list[tuple[int, int, str]] = []
    for m in _LINK.finditer(text):
        url = _trim(m.group())
        host, path, explicit = _split(url)
        if "." not in host:
            continue
        name, tld = host.rsplit(".", 1)
        if not explicit and not any(c.isalpha() for c in name.rsplit(".", 1)[-1]):
            continue  # "version 1.it", "2.co": a number, not a site
        listed = _in(host, _TRUSTED) or _in(host, _ORDINARY) or _in(host, _SHORTENERS)
        if (
            tld in _WORDY
            and not explicit
            and not (path.strip("/") or listed or re.search(r"[-\d]", host) or host.count(".") >= 2)
        ):
            continue
        found.append((m.start(), m.start() + len(url), url))
    return found


# -- the words around a link -------------------------------------------------------------------

# The words around a link, per category: (trigger words, pattern). A pattern only runs when one of
# its trigger words is in the message (a set look-up), and runs on the lower-cased text.
_CONTEXT: dict[str, tuple[frozenset[str], re.Pattern[str]]] = {
    "dangerous_challenge": (
        frozenset(),  # gated by the substrings "chall" and "chroming" instead
        re.compile(
            r"\b(?:(?:blackout|choking|choke|pass[- ]?out|skull[- ]?breaker|tripping[- ]?jump|benadryl|"
            r"nyquil(?: chicken)?|tide[- ]?pod|fire|salt (?:and|&) ice|ice (?:and|&) salt|cinnamon|milk[- ]?crate|"
            r"chroming|hot[- ]?water|one[- ]?chip|paracetamol|super ?glue|scarf|knock[- ]?out|fainting|"
            r"blue[- ]?whale|hanging|holding (?:your|ur) breath|deodorant|dry[- ]?scoop(?:ing)?)\s*-?\s*"
            r"chall(?:enge)?s?\b|chroming\b)"
        ),
    ),
    "phishing": (
        _vocab(
            """parcel package delivery prescription order rebook redeliver redelivery reschedule verify
            confirm update account refund eligible unpaid final fee won claim gift giftcard win free"""
        ),
        re.compile(
            r"\b(?:(?:parcel|package|delivery|prescription|order)\b[^.!?\n]{0,30}\b(?:failed|could ?n[o']t be|"
            r"unable|missed|on hold|held|pending|suspended)|rebook|re-?deliver\w*|reschedule|verify your|"
            r"confirm your (?:details|identity|account)|update your (?:details|payment|account)|"
            r"account (?:has been |is )?(?:suspended|locked|on hold)|(?:tax )?refund (?:due|of|owed|waiting)|"
            r"eligible for a (?:refund|rebate|payment|grant)|unpaid (?:toll|fine|fee|charge)|final notice|"
            r"(?:small|redelivery|customs|shipping) fee|(?:you(?:'ve| have)|u) won|claim your|gift ?card|"
            # prize bait: "Win a free iPhone 15! Click here"
            r"(?:win an?|free) (?:free |brand new |new )?(?:iphone|ipad|macbook|samsung|galaxy|ps5|playstation|"
            r"xbox|airpods|£\d+|\$\d+))\b"
        ),
    ),
    "crypto_scam": (
        _vocab(
            """crypto bitcoin btc ethereum usdt forex binary double guaranteed passive financial investment
            account recover recovery earn earning earned trading"""
        ),
        re.compile(
            r"\b(?:crypto|bitcoin|btc|ethereum|usdt|forex|binary options|double your|guaranteed "
            r"(?:returns|profits?|income)|passive income|financial freedom|investment (?:platform|opportunity|"
            r"manager)|account manager|recover(?:y)? (?:expert|your (?:lost )?(?:funds|money|crypto))|"
            r"earn(?:ing|ed)? £?\d+\S* (?:a|per|every) (?:day|week)|trading (?:signals|platform))\b"
        ),
    ),
    "adult": (
        _vocab(
            "nudes 18+ nsfw onlyfans of spicy hot horny hookup hook lonely sexcam cam camgirl camgirls xxx porn"
        ),
        re.compile(
            r"\b(?:nudes|18\+|nsfw|onlyfans|my of\b|spicy (?:content|pics|vids)|hot pics|horny|hook ?up|"
            r"lonely (?:singles|girls|women|milfs)|sex ?cam|cam ?girls?|xxx|porn)(?!\w)"
        ),
    ),
    "gambling": (
        _vocab("spins casino slots bookies betting odds deposit bonus wagering jackpot accumulator acca"),
        re.compile(
            r"\b(?:free spins|casino|slots|bookies|betting|odds boost|deposit bonus|sign[- ]?up bonus|"
            r"no wagering|jackpot|accumulator|acca)\b"
        ),
    ),
    "unlicensed_medicine": (
        _vocab(
            """prescription script rx gp consultation xanax vallies valium diazepam tramadol codeine oxy
            modafinil adderall ritalin zopiclone pregabalin mounjaro ozempic wegovy semaglutide tirzepatide
            weight weightloss fat skinny jab jabs weed bud carts thc ket coke mdma pills xans vals plug
            menu"""
        ),
        re.compile(
            r"\b(?:no (?:prescription|script|rx|gp)|without (?:a )?(?:prescription|script|gp)|"
            r"prescription[- ](?:free|not (?:needed|required))|no consultation|(?:xanax|vallies|valium|diazepam|"
            r"tramadol|codeine|oxy|modafinil|adderall|ritalin|zopiclone|pregabalin|mounjaro|ozempic|wegovy|"
            r"semaglutide|tirzepatide|weight[- ]?loss (?:jabs?|pens?)|fat ?jabs?|skinny ?jabs?)\b[^.!?\n]{0,40}"
            r"\b(?:for sale|buy|order|cheap|next[- ]day|discreet|delivered|in stock|dm|uk delivery)|"
            r"(?:buy|order|cheap)\b[^.!?\n]{0,20}\b(?:xanax|valium|diazepam|tramadol|codeine|mounjaro|ozempic|"
            r"wegovy)|(?:weed|bud|carts|thc|ket|coke|mdma|pills|xans|vals|plug|menu)\b[^.!?\n]{0,30}"
            r"\b(?:for sale|delivered|drops?|discreet|dm|tele(?:gram)?|snap))\b"
        ),
    ),
}
# A warning about a challenge is not a dare. (Scam warnings are not looked for: recovery scammers
# say "scam" in every post, and a look-alike domain is flagged by its name anyway.)
_WARNING_WORDS = _vocab(
    """warn warning warned warns beware aware careful dangerous deadly killed died death lost parents
    safeguarding don't dont stay talk news report reported reporting inquest campaign"""
)


def _word_set(low: str) -> set[str]:
    """The words of a lower-cased text for set look-ups (str.replace and str.split run in C)."""
    for p in ',.!?;:"()':
        low = low.replace(p, " ")
    return set(low.split())


_CONTEXT_WORDS_IN_PATH = re.compile(r"(?i)blackout|chok|skull|chall|pass-?out|chroming")
_HEALTH_WORDS = re.compile(
    r"anxiety|anxious|depress|calm|mind|therapy|therap|mental|wellbeing|wellness|adhd|autism|sleep|stress|"
    r"panic|mood|cure|heal|detox|keto|diet|cbd|nhs|doctor|clinic|health"
)
# Scams rarely link to a well-known site, but challenges, crypto "mentors", adult sellers and
# dealers do use social profiles and messaging links.
_CONTEXT_ON_ORDINARY = frozenset({"dangerous_challenge", "crypto_scam", "adult", "unlicensed_medicine"})
_SEVERITY = {
    "malware": 0.92,
    "phishing": 0.9,
    "dangerous_challenge": 0.9,
    # The Trust's labelled examples treat a "no prescription needed" shop as advertising and illegal
    # activity, not as an inappropriate link: the finding is kept (the engine can route its kind) but
    # stays below the label threshold.
    "unlicensed_medicine": 0.45,
    "adult": 0.9,
    "gambling": 0.8,
    "crypto_scam": 0.85,
}


def _tokens(host: str) -> set[str]:
    return set(re.split(r"[.\-\d_]+", host)) - {""}


def _has_word(host: str, words: tuple[str, ...]) -> bool:
    return any(w in host for w in words)


def _without_suffix(host: str) -> str:
    """The host without its public suffix, so that ".co.uk" is never read as a bait word."""
    return _SUFFIX.sub("", host)


_SUFFIX = re.compile(r"\.(?:(?:co|org|gov|ac|net|ltd|plc|me|com)\.[a-z]{2}|[^.]+)$")


_DIGIT_LETTERS = str.maketrans("01345", "oleas")


def _brand_lookalike(host: str) -> tuple[str, bool] | None:
    """(brand, strict) for a brand the host names without being that brand's real site; digits
    standing in for letters ("paypa1", "r0yalmail") and "rn" for "m" count as the brand."""
    found = _brand_in(host)
    if found is None and ("rn" in host or any(c.isdigit() for c in host)):
        found = _brand_in(host.translate(_DIGIT_LETTERS).replace("rn", "m"))
    return found


def _brand_in(host: str) -> tuple[str, bool] | None:
    names = set(_BRAND_RE.findall(host))
    if not names:
        return None
    tokens = re.split(r"[.\-_]+", host)
    labels = host.split(".")
    for brand, official, strict in _BRANDS:
        if brand not in names or _in(host, official):
            continue
        if len(brand) <= 3:
            if brand in tokens or any(
                lab.startswith(brand) and _has_word(lab[len(brand) :][:12], _BAIT)
                for lab in labels
                if len(lab) > len(brand) + 2
            ):
                return brand, strict
        elif any(t.startswith(brand) or (t.endswith(brand) and len(t) - len(brand) <= 3) for t in tokens):
            return brand, strict
    return None


@dataclass(frozen=True, slots=True)
class _Verdict:
    kind: str
    score: float
    note: str


def _judge(host: str, path: str) -> _Verdict | None:
    """What the link itself says, before looking at the words around it."""
    file_name = path.lower().split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    ext = file_name.rsplit(".", 1)[1] if "." in file_name else ""
    if ext in _EXECUTABLES:
        return _Verdict("malware", 0.92, "downloads an app or program")
    verdict = _judge_host(host)
    if ext in _ARCHIVES and (verdict is None or verdict.score < 0.6) and not _in(host, _ORDINARY):
        return _Verdict("malware", 0.6, "downloads an archive from an unknown site")
    return verdict


@lru_cache(maxsize=4096)
def _judge_host(host: str) -> _Verdict | None:
    """What the host name says (cached: the same hosts come back again and again)."""
    tld = host.rsplit(".", 1)[-1]
    tokens = _tokens(host)
    suspicious_tld = tld in _SUSPICIOUS_TLDS
    if tokens & _EXECUTABLES:
        return _Verdict("malware", 0.92, "downloads an app or program")
    if _in(host, _ADULT.domains):
        return _Verdict("adult", 0.95, "adult site")
    if _in(host, _GAMBLING.domains):
        return _Verdict("gambling", 0.85, "gambling site")
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", host):
        return _Verdict("phishing", 0.8, "link to a bare IP address")
    if not host.isascii() or "xn--" in host:
        folded = normalise(host, leet=False, squeeze=False).text
        if _in(folded, _TRUSTED) or _brand_lookalike(folded) or _in(folded, _ORDINARY):
            return _Verdict("phishing", 0.92, "look-alike letters imitating a known site")
        return _Verdict("phishing", 0.6, "international domain name")
    if _in(host, _ORDINARY):
        return None
    lookalike = _brand_lookalike(host)
    brand, strict = lookalike or ("", False)
    if brand and (suspicious_tld or _has_word(_without_suffix(host).replace(brand, "", 1), _BAIT)):
        return _Verdict("phishing", 0.92, f"imitates {brand} on a look-alike domain")
    if brand and strict:
        return _Verdict("phishing", 0.8, f"uses the name {brand} but is not its site")
    if tld in _FILE_TLDS:
        return _Verdict("malware", 0.75, f".{tld} domain that looks like a file name")
    if _has_word(host, _ADULT.get("word")) or tokens & set(_ADULT.get("token")):
        return _Verdict("adult", 0.85, "adult site by its name")
    if _has_word(host, _MEDICINE.get("drug")):
        return _Verdict("unlicensed_medicine", 0.45, "named after a prescription-only medicine")
    if _has_word(host, _GAMBLING.get("word")) or tokens & set(_GAMBLING.get("token")):
        return _Verdict("gambling", 0.8, "gambling site by its name")
    crypto = _has_word(host, _CRYPTO.get("word")) or bool(tokens & set(_CRYPTO.get("token")))
    if crypto and (suspicious_tld or _has_word(host, _CRYPTO.get("bait"))):
        return _Verdict("crypto_scam", 0.85, "crypto or investment bait")
    if _has_word(host, _MEDICINE.get("word")) and suspicious_tld:
        return _Verdict("unlicensed_medicine", 0.45, "online pharmacy on a throwaway domain")
    if brand:
        return _Verdict("suspicious_domain", 0.3, f"names {brand} but is not its site")
    if suspicious_tld and _HEALTH_WORDS.search(host):
        return _Verdict("phishing", 0.75, "health-themed site on a throwaway domain")
    if suspicious_tld:
        return _Verdict("suspicious_domain", 0.3, f"unusual .{tld} domain")
    return None


class LinkDetector:
    name = "links"

    def __init__(self, config: DetectorConfig | None = None) -> None:
        config = config or DetectorConfig()
        org = {d.lower().lstrip("@.").removeprefix("www.") for d in config.extra.get("org_domains", ())}
        self._trusted = _TRUSTED | frozenset(d for d in org if d)

    def detect(self, prepared: Prepared) -> list[Finding]:
        text = prepared.text
        links = extract_links(text)
        if not links:
            return []
        low = text.lower()
        if len(low) != len(text):
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        words = _word_set(low)
        contexts: list[tuple[str, int, int]] = []
        for kind, (triggers, pattern) in _CONTEXT.items():
            if triggers.isdisjoint(words) and not (
                kind == "dangerous_challenge" and ("chall" in low or "chroming" in low)
            ):
                continue
            contexts.extend(
                (kind, m.start(), m.end())
                for m in pattern.finditer(low)
                if not any(s < m.end() and m.start() < e for s, e, _ in links)
            )
        warned = bool(contexts) and not _WARNING_WORDS.isdisjoint(words)
        findings: list[Finding] = []
        explained: list[Finding] = []
        for start, end, url in links:
            host, path, _ = _split(url)
            if _in(host, self._trusted):
                findings.append(Finding(LABEL, 0.0, start, end, self.name, "trusted_link", "trusted site"))
                continue
            verdict = _judge(host, path)
            because: tuple[int, int] | None = None
            ordinary = _in(host, _ORDINARY)
            for kind, c_start, c_end in contexts:
                in_path = kind == "dangerous_challenge" and bool(_CONTEXT_WORDS_IN_PATH.search(path + host))
                if (warned and kind == "dangerous_challenge" and not in_path) or (
                    ordinary and kind not in _CONTEXT_ON_ORDINARY
                ):
                    continue
                score = _SEVERITY[kind] if in_path or not ordinary else round(_SEVERITY[kind] - 0.05, 2)
                if verdict is None or verdict.score < score:
                    verdict = _Verdict(kind, score, f"{kind.replace('_', ' ')} words next to the link")
                    because = (c_start, c_end)
            if verdict is None and _in(host, _SHORTENERS):
                verdict = _Verdict("shortener", 0.4, "shortened link hides where it goes")
            if verdict is None:
                findings.append(Finding(LABEL, 0.0, start, end, self.name, "link", "ordinary link"))
                continue
            findings.append(Finding(LABEL, verdict.score, start, end, self.name, verdict.kind, verdict.note))
            if because:
                # Highlight the words that turned the link bad, so a person sees the whole reason.
                explained.append(
                    Finding(LABEL, verdict.score, *because, self.name, verdict.kind, "said next to the link")
                )
        seen = {(f.start, f.end) for f in findings}
        for e in explained:
            if (e.start, e.end) not in seen:
                seen.add((e.start, e.end))
                findings.append(e)
        return findings
