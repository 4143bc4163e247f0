"""Cheap features the heads read beside the sentence vector, each one tied to a span of text.

- word uni/bigrams and character 3-5-grams inside words, read from the normalised text (so "sh1t"
  and "shiiit" share grams with "shit"); a vocabulary chosen at training time maps them to columns;
- a few dense counts: lexicon hits (swearing, slurs, threats, self-harm, selling), links, mentions,
  phone numbers, shouting, length.

Every gram and lexicon hit remembers its span in the original text, so a learned label can point at
the words that pushed it up. Handles and links are folded into one token each ("<user>", "<url>"):
the training sets disagree on how they were anonymised ("@USER", "URL", real t.co links) and a
model must not learn which dataset a tweet came from.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass

from civildesk.detectors.normalise import Normalised

_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|co\.uk|net|org|ly|io|me|info|biz|xyz)(?:/\S*)?\b|\burl\b",
    re.I,
)
_MENTION = re.compile(r"@\w+|<user>", re.I)
_PHONE = re.compile(r"(?<!\d)(?:\+?44\s?|0)\d(?:[\s-]?\d){8,10}(?!\d)|(?<!\d)\d{5,}(?!\d)")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_TOKEN = re.compile(r"[a-z0-9]+(?:[*#]+[a-z0-9]+)*(?:'[a-z]+)?|[^\w\s.,;:!?\"'()\[\]\-*/&]")
# Whole forms a starred word ("f*cking", "c**t", "sh#t") is read back to, for grams and lexicons.
_STARRED_WORDS = """fuck fucking fucked fucker fuckers fucks motherfucker shit shite shitty bullshit cunt cunts twat twats
    bitch bitches bastard bastards wank wanker wankers dick dickhead prick cock arse arsehole asshole
    bollocks piss pissed tosser slag slut sluts whore whores nigger niggers nigga faggot fag retard retards
    spastic paki"""
_STARRED_FORMS = tuple(_STARRED_WORDS.split())
_EMOJI_LO = 0x1F000

# Small, broad word lists: a hint for the heads, not the project's rule lexicon (that lives in the
# detectors). Stems match word starts.
_LEXICON_WORDS: dict[str, str] = {
    "swear": """fuck fuk fck fcuk shit shite bullshit crap piss bollock bastard bitch cunt twat wank arse ass
        asshole dick prick cock bloody damn goddamn wtf stfu ffs omfg bugger sod tosser knob slag""",
    "slur": """nigg fag faggot retard spastic spaz tranny paki kike chink wetback coon dyke gypo pikey raghead
        towelhead muzzie beaner savages vermin subhuman invader illegals hoe whore slut skank""",
    "threat": """kill murder stab shoot beat punch smash burn bomb hang slit strangle hurt die dead destroy attack
        rape knife gun batter deck glass torch lynch shank""",
    "selfharm": """suicid suicide kms unalive overdos od selfharm cutting worthless hopeless goodbye ending end
        burden pills noose bridge jump die dying ctb alive numb empty""",
    "sell": """subscribe sub channel follow check click free win winner won prize claim offer discount promo
        code deal cheap buy sale shop order cash earn money income bitcoin crypto invest txt text call
        reply stop urgent guaranteed loan followers likes visit website link bio dm mobile ringtone
        voucher tone""",
    "you": "you u ur your youre you're yourself ya yall",
    "me": "i me my myself im i'm mine ive i've id i'd",
}
_LEXICONS: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in _LEXICON_WORDS.items()}
_STEM_OK = {"swear", "slur", "threat", "selfharm"}
LEXICON_NAMES: tuple[str, ...] = tuple(_LEXICONS)

DENSE_NAMES: tuple[str, ...] = (
    "log_len",
    "urls",
    "mentions",
    "phones",
    "emails",
    "caps",
    "exclaim",
    "question",
    "digits",
    "emoji",
    *(f"lex_{n}" for n in LEXICON_NAMES),
)


@dataclass(frozen=True, slots=True)
class Cheap:
    """Grams of one message (``keys[i]`` covers ``norm.text[starts[i]:ends[i]]``) and dense counts.

    Offsets stay in normalised coordinates; ``span(i)`` maps one back to the original text only
    when a finding needs it (most grams of most messages are never shown)."""

    norm: Normalised
    keys: list[str]
    starts: list[int]
    ends: list[int]
    dense: list[float]
    dense_spans: dict[str, list[tuple[int, int]]]  # lexicon/link feature -> ORIGINAL spans

    def span(self, i: int) -> tuple[int, int]:
        return self.norm.span(self.starts[i], self.ends[i])


def _lex_kind(word: str) -> str | None:
    for name, words in _LEXICONS.items():
        if word in words:
            return name
        if name in _STEM_OK and len(word) > 3:
            for stem in words:
                if len(stem) >= 4 and word.startswith(stem):
                    return name
    return None


_CACHE_LIMIT = 200_000
_LEX_CACHE: dict[str, str | None] = {}
# word -> its char grams: words repeat (Zipf), so grams need not be rebuilt for each message.
_CHAR_CACHE: dict[str, tuple[str, ...]] = {}


_UNSTAR_CACHE: dict[str, str] = {}


def unstar(word: str) -> str:
    """Read a starred word back to the swear word it hides ("f*cking" -> "fucking"); a starred word
    that hides nothing known keeps its letters ("b**k" -> "bk")."""
    hit = _UNSTAR_CACHE.get(word)
    if hit is None:
        rx = re.compile(
            "".join("[a-z]{1,3}" if c in "*#" else re.escape(c) for c in re.sub(r"[*#]+", "*", word))
        )
        hit = next((f for f in _STARRED_FORMS if rx.fullmatch(f)), re.sub(r"[*#]", "", word))
        if len(_UNSTAR_CACHE) < _CACHE_LIMIT:
            _UNSTAR_CACHE[word] = hit
    return hit


def lexicon_kind(word: str) -> str | None:
    hit = _LEX_CACHE.get(word, "?")
    if hit == "?":
        hit = _lex_kind(word)
        if len(_LEX_CACHE) < _CACHE_LIMIT:
            _LEX_CACHE[word] = hit
    return hit


def _char_grams(word: str) -> tuple[str, ...]:
    grams = _CHAR_CACHE.get(word)
    if grams is None:
        padded = "<" + word + ">"
        grams = tuple("c:" + padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1))
        if len(_CHAR_CACHE) < _CACHE_LIMIT:
            _CHAR_CACHE[word] = grams
    return grams


def cheap_features(norm: Normalised) -> Cheap:
    """Grams and dense counts for one normalised message."""
    text = norm.text
    original = norm.original
    spans: dict[str, list[tuple[int, int]]] = {}
    words: list[tuple[str, int, int]] = []
    masked_text = text
    if "@" in original or "." in original or "url" in text or "<user>" in text:
        # Links, e-mails and handles are found in the ORIGINAL text (the normaliser reads "@" inside
        # a word as "a") and masked in the normalised one; each becomes one placeholder token.
        masked = list(text)
        offsets = norm.offsets
        for rx, token, name in (
            (_EMAIL, "<email>", "emails"),
            (_URL, "<url>", "urls"),
            (_MENTION, "<user>", "mentions"),
        ):
            for m in rx.finditer(original):
                s, e = bisect_left(offsets, m.start()), bisect_left(offsets, m.end())
                if s >= e or "\0" in masked[s:e]:
                    continue
                masked[s:e] = ["\0"] * (e - s)
                words.append((token, s, e))
                spans.setdefault(name, []).append(m.span())
        masked_text = "".join(masked)
    for m in _PHONE.finditer(masked_text):
        spans.setdefault("phones", []).append(norm.span(*m.span()))
    for m in _TOKEN.finditer(masked_text):
        w = m.group()
        words.append((unstar(w) if "*" in w or "#" in w else w, m.start(), m.end()))
    words.sort(key=lambda w: w[1])
    if words and words[0][0] == "rt":  # a retweet marker says nothing about the author's words
        words = words[1:]

    keys: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    lex_counts = dict.fromkeys(LEXICON_NAMES, 0)
    emoji = 0
    prev: tuple[str, int, int] | None = None
    for w, s, e in words:
        keys.append("w:" + w)
        starts.append(s)
        ends.append(e)
        if prev is not None:
            keys.append("b:" + prev[0] + " " + w)
            starts.append(prev[1])
            ends.append(e)
        prev = (w, s, e)
        if len(w) == 1 and ord(w) >= _EMOJI_LO:
            emoji += 1
        if w[0].isalnum():
            kind = lexicon_kind(w)
            if kind is not None:
                lex_counts[kind] += 1
                spans.setdefault("lex_" + kind, []).append(norm.span(s, e))
            if w.isalpha() and len(w) >= 2:
                # A char gram is shown as its whole word: a highlight must read as words.
                chars = _char_grams(w)
                keys.extend(chars)
                starts.extend([s] * len(chars))
                ends.extend([e] * len(chars))

    n_chars = max(1, len(original))
    letters = sum(1 for c in original if c.isalpha())
    caps = sum(1 for c in original if c.isupper()) / letters if letters >= 8 else 0.0
    digits = sum(1 for c in masked_text if c.isdigit()) / n_chars
    dense = [
        math.log1p(len(original)) / 6.0,
        min(len(spans.get("urls", [])), 3) / 3.0,
        min(len(spans.get("mentions", [])), 5) / 5.0,
        min(len(spans.get("phones", [])), 2) / 2.0,
        min(len(spans.get("emails", [])), 2) / 2.0,
        min(caps, 1.0),
        min(original.count("!"), 5) / 5.0,
        min(original.count("?"), 3) / 3.0,
        min(digits * 5.0, 1.0),
        min(emoji, 5) / 5.0,
        *(min(lex_counts[n], 4) / 4.0 for n in LEXICON_NAMES),
    ]
    return Cheap(norm, keys, starts, ends, dense, spans)


_RAW_URL = re.compile(r"(?:https?://|www\.)\S+|\bURL\b")
_RAW_MENTION = re.compile(r"@\w+|<user>", re.I)
_RT = re.compile(r"^\s*RT\s+", re.I)


def encoder_text(text: str) -> str:
    """The text the sentence encoder reads: handles and links folded the same way for every source."""
    text = _RT.sub("", text)
    text = _RAW_URL.sub("http", text)
    return _RAW_MENTION.sub("@user", text)
