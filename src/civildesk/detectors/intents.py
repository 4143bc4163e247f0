"""What the author wants from the Trust: to complain, to ask about someone's care, to ask a clinical
question, to praise, to criticise, or simply to get an answer.

These labels steer signposting and priority rather than removal. ``criticism`` is the label the
policy protects ("we won't remove a post simply because it's negative"), so the detector names it
whenever the service is run down, even beside other labels, and leaves removal to the engine.

How it works: the normalised text is cut into word and punctuation tokens (apostrophes and
hyphens vanish inside words, so ``can't``/``cant`` and ``co-ordinator``/``coordinator`` meet). A
dictionary keyed on each phrase's first word finds every cue from the ``data/intents_*.txt`` lists
in one pass; the rules below weigh the cues against their context: is the clause a question, is
the praise sarcastic, is the cue negated, is the message about a service or a medicine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from civildesk.detectors.base import DetectorConfig, Finding, Prepared

_DATA = Path(__file__).parent / "data"

# A token is a @handle, "a&e", a word (inner apostrophes/hyphens allowed), a run of sentence
# punctuation, a comma, or a run of emoji (which ends a sentence as a full stop would: "thank
# you 💙 do you have an address?"). Which emoji they were is looked up in the text directly.
_WORDS = r"@[\w.]+|a&e|[^\W_]+(?:['’\-][^\W_]+)*|[.!?;:\n]+|,|[\u2600-\u27bf\U0001f300-\U0001faff]+"
_TOKEN = re.compile(_WORDS)
# The same with links as single tokens (their "?" and "/" say nothing about the sentence); only
# used when the text looks as if it holds a link, because trying it at every position costs.
_TOKEN_LINKS = re.compile(
    r"(?:https?://|www\.)\S+|[\w-]+(?:\.[\w-]+)*\.(?:com|co\.uk|uk|org|net|io|ly|shop|app|download|help)\b(?:/\S*)?|"
    + _WORDS
)
_LINK_HINT = re.compile(r"://|www\.|\.(?:com|co|uk|org|net|io|ly|shop|app|download|help)\b")
_FOLD = str.maketrans("", "", "'’-&")
_BOUNDARY = frozenset(".!?;:\n,")

_LAUGH_EMOJI = re.compile("[😂🤣💀😹😭]")
_HEART_EMOJI = re.compile("[💙❤💜💚🧡💛🤍🩷💕💖💗🙏👏🙌💪🥰😍🫶🤗😊☺🥹🌟⭐👍🎉]")
# An emoji-only reply is praise when it is all hearts, claps and thumbs; "😂😂" or "🙄" is not.
_NOT_PRAISE_EMOJI = re.compile("[😂🤣💀😹😭🙄🙃🤡🤔😡🤬👎💩🖕😒😤😠😑😐🤷]")
_SARC_EMOJI = re.compile("[🙄🙃🤡🤔]")
# Words in quotes are someone else's ("please DM us") or scare quotes ('great place to work').
# A single quote only opens after a space, so apostrophes ("it's") never do.
_QUOTED = re.compile(
    r"[\"“”]([^\"“”\n]{1,300})[\"“”]|(?:^|(?<=\s))['‘]((?:[^'‘’\n]|['’](?=\w)){2,80})['’](?=[\s.,!?;:]|$)"
)
_UNQUOTE = (
    "q.req",
    "q.ask",
    "q.open",
    "q.genuine",
    "praise.thanks",
    "praise.strong",
    "praise.weak",
    "praise.bare",
)
_SLASH_S = re.compile(r"(?:^|\s)/s\b")  # "/s": the author's own sarcasm tag

Slot = tuple[frozenset[str] | None, int]  # (words, 1 if optional else 0) or (None, max gap)
Hits = dict[str, list[tuple[int, int]]]
# What a rule decides: (score, first token, end token, kind, note), or None.
Result = tuple[float, int, int, str, str] | None


# --------------------------------------------------------------------------- phrase lists


def _read_lists(paths: Iterable[Path]) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Word lists (``@NAME = words``, ``@NAME += words``) and phrases (``category: slots``)."""
    macros: dict[str, list[str]] = {}
    patterns: list[tuple[str, str]] = []
    for path in paths:
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("@"):
                name, _, body = line.partition("=")
                name = name.strip()
                if name.endswith("+"):
                    macros.setdefault(name[:-1].strip(), []).extend(body.split())
                else:
                    macros[name] = body.split()
            else:
                cat, _, body = line.partition(":")
                patterns.append((cat.strip(), body.strip()))
    return macros, patterns


def _expand(name: str, macros: dict[str, list[str]], seen: frozenset[str] = frozenset()) -> set[str]:
    if name in seen:
        raise ValueError(f"word list {name} refers to itself")
    out: set[str] = set()
    for item in macros[name]:
        if item.startswith("@") and item != "@":  # a bare "@" is the token for any @handle
            base, plural = (item[:-2], True) if item.endswith("+s") else (item, False)
            words = _expand(base, macros, seen | {name})
            out |= {w + "s" for w in words} if plural else words
        else:
            out.add(item)
    return out


def _compile(body: str, macros: dict[str, set[str]]) -> tuple[Slot, ...]:
    slots: list[Slot] = []
    for part in body.split():
        if part.startswith("~"):
            slots.append((None, int(part[1:])))
            continue
        words: set[str] = set()
        for alt in part.rstrip("?").split("/"):
            words |= macros[alt] if alt.startswith("@") and alt != "@" else {alt}
        slots.append((frozenset(words), 1 if part.endswith("?") else 0))
    if slots[0][0] is None or slots[0][1]:
        raise ValueError(f"a phrase must start with a required word: {body!r}")
    return tuple(slots)


_LISTS = sorted(_DATA.glob("intents_*.txt"), key=lambda p: p.name != "intents_vocab.txt")
_MACRO_SRC, _PATTERN_SRC = _read_lists(_LISTS)
_MACRO_SRC["@NUMBER"] = [*map(str, range(1, 121)), "@NUMWORD"]


def _set(name: str) -> frozenset[str]:
    return frozenset(_expand(name, _MACRO_SRC))


_NEG = _set("@NEG")
_PRAISE_BLOCK = _NEG | _set("@HYPOTHETICAL")
_FILLER = _set("@FILLER")
_INSULT = _set("@INSULT")
_BARE_PRAISE = _set("@BAREPRAISE")
_CONTRAST = _set("@CONTRAST")
_TARGET = _set("@TARGET")
_SERVICE = _set("@SERVICE")
_CONTENT = _set("@CONTENT")
_NOT_CARE = _set("@NOTCARE")
_REL = _set("@REL")
_CRIT = ("crit.strong", "crit.mid", "crit.weak")
# Individual-care cues, strongest first. Strong ones are about care even unprompted; weak ones
# count only for the reasons listed: a care marker ("still nothing"), a grumble (criticism or a
# complaint), the cue sitting in a question ("here"), or a question about someone else ("them").
_CARE_STRONG = frozenset({"care.rel.s", "care.own.s", "care.rel.event"})
_CARE_WEAK = {
    "care.rel.w": ("marker", "grumble", "here", "them"),
    "care.rel.eventw": ("marker", "grumble", "here"),
    "care.own.w": ("marker", "grumble", "here"),
    "care.rel.place": ("marker", "grumble"),
    "care.own.event": ("marker", "grumble"),
    "care.callback": ("marker", "grumble"),
}
_CARE_ORDER = ("care.ask", "care.rel.s", "care.own.s", "care.rel.event", *_CARE_WEAK)
_PRAISE_RULES = (
    ("praise.thanks", 0.9, "thanks"),
    ("praise.strong", 0.9, "positive"),
    ("praise.weak", 0.6, "positive"),
    ("praise.news", 0.6, "positive"),
    ("praise.bare", 0.6, "positive"),
    ("praise.thanksto", 0.9, "thanks"),
)
_CLIN_STRONG = ("clin.med", "clin.side", "clin.sym", "clin.cond")
# Cues that can make a rule report something in a message without a "?"; the rest (sarcasm
# markers, negations, "seriously", a relative named...) only qualify those. See _may_find.
_ACTIVE = frozenset(
    {
        *_CRIT,
        "crit.sarc",
        *(cat for cat, _, _ in _PRAISE_RULES),
        "praise.laugh_clear",
        "praise.laugh",
        "q.req",
        "q.ask",
        "q.genuine",
        *_CARE_ORDER,
        *_CLIN_STRONG,
    }
)
_SELF = frozenset({"my", "our", "i", "im", "ive", "me", "id", "ill", "iam"})
_THIRD = frozenset({"he", "she", "him", "her", "his", "hes", "shes", "they", "them", "their"}) | _REL
_THANKS_FILL = _set("@THANKSFILL")


class _Gazetteer:
    """Every cue phrase indexed on its first word (and, when the second is fixed, on the second
    too); ``find`` maps category -> [(start, end)]."""

    def __init__(self, extra: dict[str, Sequence[str]]) -> None:
        src = {name: [*words, *extra.get(name, ())] for name, words in _MACRO_SRC.items()}
        macros = {name: _expand(name, src) for name in src}
        single: dict[str, list[str]] = {}
        pairs: dict[str, dict[str, list[_Entry]]] = {}
        loose: dict[str, list[_Entry]] = {}
        for cat, body in _PATTERN_SRC:
            slots = _compile(body, macros)
            second, arg = slots[1] if len(slots) > 1 else (None, 0)
            paired = second is not None and not arg
            rest = slots[2:] if paired else slots[1:]
            # the smallest later word set the phrase cannot do without: one set test against
            # the message's words rules most candidates out before any matching
            required = [w for w, a in rest if w is not None and not a]
            # and the words that must come next when nothing may be skipped before them
            after, opt = rest[0] if rest else (None, 1)
            entry = (cat, slots, min(required, key=len) if required else frozenset(), None if opt else after)
            for word in slots[0][0] or ():
                if len(slots) == 1:
                    single.setdefault(word, []).append(cat)
                elif paired:
                    for nxt in second or ():
                        pairs.setdefault(word, {}).setdefault(nxt, []).append(entry)
                else:
                    loose.setdefault(word, []).append(entry)
        self.index: dict[str, tuple[tuple[str, ...], dict[str, _Group], _Group | None]] = {
            word: (
                tuple(dict.fromkeys(single.get(word, ()))),
                {nxt: _group(entries) for nxt, entries in pairs.get(word, {}).items()},
                _group(loose[word]) if word in loose else None,
            )
            for word in single.keys() | pairs.keys() | loose.keys()
        }

    def find(self, toks: list[str]) -> Hits:
        index = self.index
        present = set(toks)
        hits: Hits = {}
        n = len(toks)
        for i in [i for i, t in enumerate(toks) if t in index]:
            cats, pairs, loose = index[toks[i]]
            for cat in cats:
                hits.setdefault(cat, []).append((i, i + 1))
            if pairs and i + 1 < n and (group := pairs.get(toks[i + 1])) is not None:
                _try(group, toks, present, i, 2, hits)
            if loose is not None:
                _try(loose, toks, present, i, 1, hits)
        return hits


_Entry = tuple[str, tuple[Slot, ...], frozenset[str], frozenset[str] | None]
# Entries sharing their first word(s), with what all of them demand (None when one does not):
# one of the words right after, and one of the words anywhere in the message. Most messages
# meet neither, and one test skips the whole group.
_Group = tuple[frozenset[str] | None, frozenset[str] | None, tuple[_Entry, ...]]


def _group(entries: Sequence[_Entry]) -> _Group:
    needs = [need for _, _, need, _ in entries if need]
    nexts = [nxt for _, _, _, nxt in entries if nxt is not None]
    return (
        frozenset().union(*nexts) if len(nexts) == len(entries) else None,
        frozenset().union(*needs) if len(needs) == len(entries) else None,
        tuple(entries),
    )


def _try(group: _Group, toks: list[str], present: set[str], i: int, k: int, hits: Hits) -> None:
    nexts, needs, entries = group
    j = i + k
    if nexts is not None and (j >= len(toks) or toks[j] not in nexts):
        return
    if needs is not None and needs.isdisjoint(present):
        return
    for cat, slots, need, nxt in entries:
        if nxt is not None and (j >= len(toks) or toks[j] not in nxt):
            continue
        if need and need.isdisjoint(present):
            continue
        end = _match(slots, k, toks, j)
        if end >= 0:
            hits.setdefault(cat, []).append((i, end))


def _match(slots: tuple[Slot, ...], k: int, toks: list[str], i: int) -> int:
    """End of the shortest match of ``slots[k:]`` at ``toks[i]``, or -1. A gap never crosses
    punctuation, so a cue stays inside its clause."""
    if k == len(slots):
        return i
    words, arg = slots[k]
    if words is None:
        for g in range(arg + 1):
            if g and (i + g > len(toks) or toks[i + g - 1][0] in _BOUNDARY):
                break
            end = _match(slots, k + 1, toks, i + g)
            if end >= 0:
                return end
        return -1
    if i < len(toks) and toks[i] in words:
        end = _match(slots, k + 1, toks, i + 1)
        if end >= 0:
            return end
    return _match(slots, k + 1, toks, i) if arg else -1


# --------------------------------------------------------------------------- one message


class _Msg:
    """Tokens, cue hits, clauses and sentences of one message."""

    __slots__ = ("asks", "clauses", "hits", "sent", "toks")

    def __init__(self, toks: list[str], hits: Hits) -> None:
        self.toks = toks
        self.hits = hits
        self.asks: list[tuple[int, int]] = []  # clauses that ask the Trust something (see _question)
        # clauses: (start, end, ends with "?", sentence start, sentence end); sent[i]: sentence of i
        self.clauses: list[tuple[int, int, bool, int, int]] = []
        self.sent: list[tuple[int, int]] = [(0, 0)] * len(toks)
        pending: list[tuple[int, int]] = []
        start = sent_start = 0
        for i, t in enumerate([*toks, "."]):
            if t[0] not in _BOUNDARY:
                continue
            if i > start:
                pending.append((start, i))
            start = i + 1
            if t != ",":
                self.sent[sent_start:i] = [(sent_start, i)] * (i - sent_start)
                for n, (s, e) in enumerate(pending):
                    self.clauses.append((s, e, n == len(pending) - 1 and e == i and "?" in t, sent_start, i))
                pending = []
                sent_start = i + 1

    def get(self, cat: str) -> Sequence[tuple[int, int]]:
        return self.hits.get(cat, ())

    def any_of(self, *cats: str) -> list[tuple[int, int]]:
        return [h for c in cats for h in self.hits.get(c, ())]

    def lead(self, s: int, e: int) -> int:
        """Index of the clause's first word after greetings and fillers ("hi, so ...")."""
        while s < e and self.toks[s] in _FILLER:
            s += 1
        return s

    def negated(self, i: int, block: frozenset[str] = _NEG) -> bool:
        return not block.isdisjoint(self.toks[max(0, i - 2) : i])

    def words_in(self, s: int, e: int, vocab: frozenset[str]) -> bool:
        return not vocab.isdisjoint(self.toks[s:e])

    def within(self, cats: Sequence[str], s: int, e: int) -> list[tuple[int, int]]:
        return [h for c in cats for h in self.hits.get(c, ()) if s <= h[0] < e]


def _fold(tok: str) -> str:
    if tok[0] == "@":
        return "@"
    if not tok[0].isalnum():
        return "." if tok[0] >= "\u2600" else tok  # a run of emoji ends a sentence
    if "." in tok or "/" in tok:
        return "url"  # a link: its "?" and "/" say nothing about the sentence
    return tok.translate(_FOLD)


def _offsets(text: str, raw: list[str], upto: int) -> list[tuple[int, int]]:
    """Where tokens 0..upto sit in ``text``; tokens were found in order with only non-token
    characters between them, so each is the next occurrence of its own string."""
    out: list[tuple[int, int]] = []
    pos = 0
    for tok in raw[: upto + 1]:
        pos = text.find(tok, pos)
        out.append((pos, pos + len(tok)))
        pos += len(tok)
    return out


# --------------------------------------------------------------------------- the detector


class IntentDetector:
    """Finds ``complaint``, ``individual_care``, ``clinical_question``, ``praise`` and
    ``criticism``, and the ``question`` signal (a question or request that deserves a reply)."""

    name = "intents"

    def __init__(self, config: DetectorConfig | None = None) -> None:
        config = config or DetectorConfig()
        org = {w for n in config.organisation_names for w in _words(n)}
        places = {w for n in config.places for w in _words(n)}
        self._gaz = _Gazetteer({"@PLACE": sorted(places), "@TARGET": sorted(org | places)})
        self._target = _TARGET | org | places

    def detect(self, prepared: Prepared) -> list[Finding]:
        norm = prepared.norm
        text = norm.text
        raw = (_TOKEN_LINKS if "." in text and _LINK_HINT.search(text) else _TOKEN).findall(text)
        toks = [t if t.isalnum() else _fold(t) for t in raw]
        hits = self._gaz.find(toks)
        if not hits and "?" not in text:
            if text and not any(t[0].isalnum() for t in toks):
                return self._emoji_only(prepared)
            return []  # no cue and no question: chit-chat, news
        if "?" not in text and not _may_find(hits, toks):
            return []
        if '"' in text or "“" in text or " '" in text or "‘" in text or text[:1] == "'":
            _drop_quoted(text, raw, hits)
        msg = _Msg(toks, hits)

        crit = self._criticism(msg)
        criticised = crit is not None and crit[0] > 0
        praise = self._praise(msg, text, criticised)
        question = self._question(msg, criticised)
        complaint = self._complaint(msg, text, raw)
        care = self._care(msg, question, criticised or (complaint is not None and complaint[0] > 0), praise)
        clinical = self._clinical(msg)
        results = (
            ("complaint", complaint),
            ("individual_care", care),
            ("clinical_question", clinical),
            ("praise", praise),
            ("criticism", crit),
            ("question", question),
        )
        found = [(label, r) for label, r in results if r is not None]
        if not found:
            return []
        where = _offsets(text, raw, max(r[2] for _, r in found) - 1)
        out: list[Finding] = []
        for label, (score, s, e, kind, note) in found:
            a, b = norm.span(where[s][0], where[e - 1][1])
            out.append(Finding(label, score, a, b, self.name, kind, note))
        return out

    def _emoji_only(self, prepared: Prepared) -> list[Finding]:
        text = prepared.text
        if _HEART_EMOJI.search(text) and not _NOT_PRAISE_EMOJI.search(text):
            start = len(text) - len(text.lstrip())
            end = len(text.rstrip())
            return [Finding("praise", 0.6, start, end, self.name, "positive", "hearts or applause")]
        return []

    # ------------------------------------------------------------------ criticism

    def _criticism(self, msg: _Msg) -> Result:
        found: list[tuple[float, int, int]] = []
        denied = msg.get("crit.neg")  # "the staff never let me down"

        def kept(i: int, j: int) -> bool:
            return not msg.negated(i) and not any(a < j and i < b for a, b in denied)

        for cat, score in (("crit.strong", 0.9), ("crit.mid", 0.7), ("crit.sarc", 0.7)):
            for i, j in msg.get(cat):
                if cat == "crit.sarc" or kept(i, j):
                    found.append((score, i, j))
        weak = [(i, j) for i, j in msg.get("crit.weak") if kept(i, j)]
        for i, j in weak:
            # "awful" is criticism beside "service", not in "I feel awful"
            ss, se = msg.sent[i]
            ps = msg.sent[ss - 2][0] if ss >= 2 else ss  # the sentence before counts too
            if found or msg.words_in(ps, se, self._target):
                found.append((0.7, i, j))
        if found:
            score, i, j = max(found, key=lambda f: (f[0], -f[1]))
            return (score, i, j, "negative_opinion", "negative opinion of the service")
        for i, j in msg.any_of(*_CRIT):
            if not kept(i, j):
                return (0.0, i, j, "negated", "negative word is negated")
        return None

    # ------------------------------------------------------------------ praise

    def _praise(self, msg: _Msg, text: str, criticised: bool) -> Result:
        emoji = not text.isascii()
        sarcastic = (
            "praise.sarc" in msg.hits
            or "crit.sarc" in msg.hits
            or (emoji and bool(_SARC_EMOJI.search(text)))
            or ("/s" in text and bool(_SLASH_S.search(text)))
        )
        request = "q.req" in msg.hits or "q.ask" in msg.hits or any(c[2] for c in msg.clauses)
        hearts = emoji and bool(_HEART_EMOJI.search(text))
        found: list[tuple[float, int, int, str]] = []
        dropped: tuple[int, int, str, str] | None = None
        for cat, score, kind in _PRAISE_RULES:
            for i, j in msg.get(cat):
                if self._praise_negated(msg, i, j):
                    dropped = dropped or (i, j, "negated", "negated praise")
                elif (
                    sarcastic
                    or msg.words_in(*msg.sent[i], _INSULT)
                    or (criticised and (self._bare(msg, i, j) or self._ironic(msg, i, j, cat)))
                    or (criticised and self._same_clause_grumble(msg, i, j))
                ):
                    dropped = (i, j, "sarcasm", "sarcastic praise")
                elif cat == "praise.news" and self._conceded(msg, i):
                    dropped = dropped or (i, j, "concession", "conceded before a criticism")
                elif cat == "praise.bare" and not self._standalone(msg, i, j, criticised):
                    continue
                elif score < 0.9 and self._asked(msg, i):
                    continue  # "is the drop-in any good?" asks, it does not praise
                elif kind == "thanks" and cat != "praise.thanksto" and self._sign_off(msg, i, j, request):
                    dropped = dropped or (i, j, "sign_off", "polite sign-off to a request")
                else:
                    found.append((min(0.9, score + 0.1) if hearts and score < 0.9 else score, i, j, kind))
        if not found and not sarcastic and not criticised:
            found.extend(self._laughter(msg, text))
        if found:
            score, i, j, kind = max(found, key=lambda f: (f[0], -f[1]))
            return (score, i, j, kind, "thanks" if kind == "thanks" else "positive feedback")
        if dropped:
            i, j, why, note = dropped
            return (0.0, i, j, why, note)
        return None

    @staticmethod
    def _praise_negated(msg: _Msg, i: int, j: int) -> bool:
        # "not helpful", "I'd love to know why...", and "it never helped" (negation inside)
        if msg.negated(i, _PRAISE_BLOCK):
            return True
        return msg.toks[i] not in _NEG and j - i > 2 and msg.words_in(i + 1, j - 1, _NEG)

    @staticmethod
    def _bare(msg: _Msg, i: int, j: int) -> bool:
        """A lone "Great," or "Brilliant." at the head of a sentence (or tacked on after a comma)
        is the usual shape of sarcasm when the message is a grumble."""
        toks = msg.toks
        if j - i != 1 or toks[i] not in _BARE_PRAISE:
            return False
        ss, se = msg.sent[i]
        alone = j == se or toks[j][0] in _BOUNDARY  # "Great," / "Brilliant." but not "Thanks for..."
        return alone and (msg.lead(ss, i) == i or (j == se and i > 0 and toks[i - 1] == ","))

    @staticmethod
    def _ironic(msg: _Msg, i: int, j: int, cat: str) -> bool:
        """Praise framing a grumble: "amazing how they lose every letter", "thanks to your cuts"."""
        ss, se = msg.sent[i]
        framed = cat == "praise.thanksto" or any(a < j and i < b for a, b in msg.get("praise.ironic"))
        return framed and bool(msg.within(_CRIT, ss, se))

    @staticmethod
    def _same_clause_grumble(msg: _Msg, i: int, j: int) -> bool:
        """Praise and a grumble in one clause with no "but" between them is irony ("10/10
        experience, would recommend being on hold for 52 minutes"); "lovely staff but a long wait"
        is not."""
        for s, e, _, _, _ in msg.clauses:
            if s <= i < e:
                for a, b in msg.within(_CRIT, s, e):
                    lo, hi = (j, a) if a >= j else (b, i)
                    if _CONTRAST.isdisjoint(msg.toks[lo:hi]):
                        return True
        return False

    @staticmethod
    def _conceded(msg: _Msg, i: int) -> bool:
        """Mild praise conceded to a grumble: "Good news story, but the board papers show..."."""
        se = msg.sent[i][1]
        cut = next((k for k in range(i, se) if msg.toks[k] in _CONTRAST), None)
        return cut is not None and any(h[0] > cut for h in msg.any_of(*_CRIT))

    @staticmethod
    def _asked(msg: _Msg, i: int) -> bool:
        """Whether token ``i`` sits in a clause that asks something."""
        opens = msg.get("q.open")
        for s, e, qmark, _, _ in msg.clauses:
            if s <= i < e:
                k = msg.lead(s, e)
                return qmark or any(h[0] == k for h in opens)
        return False

    @staticmethod
    def _standalone(msg: _Msg, i: int, j: int, criticised: bool) -> bool:
        """A short reply ending on the word ("Lovely!", "Looks great"), not "good morning"."""
        ss, se = msg.sent[i]
        return j == se and se - ss <= 4 and not criticised

    @staticmethod
    def _sign_off(msg: _Msg, i: int, j: int, request: bool) -> bool:
        """A bare "Thanks" closing a request is politeness, not feedback ("thanks for ..." is)."""
        if any(a <= i < b for a, b in msg.get("praise.signoff")):
            return True
        toks, se = msg.toks, msg.sent[i][1]
        k = j
        while k < se and toks[k] in _THANKS_FILL:
            k += 1
        return request and (k == se or toks[k] not in ("for", "to")) and se - k <= 3

    @staticmethod
    def _laughter(msg: _Msg, text: str) -> list[tuple[float, int, int, str]]:
        """Laughing along with the Trust's own content ("the outtakes 💀💀 i can't breathe")."""
        clear = msg.get("praise.laugh_clear")
        if clear:
            return [(0.7, clear[0][0], clear[0][1], "positive")]
        laughs = msg.get("praise.laugh")
        laughing = msg.get("praise.laughword") or (not text.isascii() and _LAUGH_EMOJI.search(text))
        if laughs and laughing and not _CONTENT.isdisjoint(msg.toks):
            return [(0.7, laughs[0][0], laughs[0][1], "positive")]
        return []

    # ------------------------------------------------------------------ questions

    def _question(self, msg: _Msg, criticised: bool) -> Result:
        toks = msg.toks
        opens = {h[0] for h in msg.get("q.open")}
        best: Result = None
        rhetorical: Result = None
        for s, e, qmark, ss, se in msg.clauses:
            k = msg.lead(s, e)
            if k >= e:
                continue
            asks = k in opens and not (
                toks[k] in ("what", "whats") and k + 1 < e and toks[k + 1] in ("a", "an")
            )
            request = msg.within(("q.req",), s, e)
            ask = msg.within(("q.ask", "q.genuine"), s, e)
            if not (asks or qmark or request or ask):
                continue
            if self._rhetorical(msg, s, k, ss, se) or (criticised and msg.within(("q.rhetc",), ss, se)):
                rhetorical = rhetorical or (0.0, s, e, "rhetorical", "rhetorical or sarcastic question")
                continue
            msg.asks.append((s, e))
            genuine = bool(msg.within(("q.genuine",), ss, se))
            score = 0.6 if toks[k] in ("why", "whys") and not (genuine or request or ask) else 0.9
            if best is None or score > best[0]:
                best = (score, s, e, "request" if request else "question", "asks the Trust something")
        return best or rhetorical

    @staticmethod
    def _rhetorical(msg: _Msg, s: int, k: int, ss: int, se: int) -> bool:
        if msg.within(("q.rhet",), ss, se) or msg.words_in(ss, se, _INSULT):
            return True
        if se - ss <= 3 and msg.within(("q.rhet1",), ss, se):
            return True  # "Seriously?"
        return s == 0 and any(h[0] == k for h in msg.get("q.ad"))  # "Struggling to sleep?"

    # ------------------------------------------------------------------ complaints

    def _complaint(self, msg: _Msg, text: str, raw: list[str]) -> Result:
        toks = msg.toks
        negs = msg.get("complaint.neg")

        def cancelled(i: int, j: int) -> bool:
            # "no complaints", or "I don't want to make a complaint" (negation inside the cue)
            if any(a - 3 <= i < b + 1 for a, b in negs) or msg.negated(i):
                return True
            return toks[i] not in _NEG and msg.words_in(i + 1, j - 1, _NEG)

        def asking(i: int) -> bool:
            for s, e, qmark, _, _ in msg.clauses:
                if s <= i < e:
                    k = msg.lead(s, e)
                    if toks[k] in ("why", "whys"):
                        return False  # "why do you ignore complaints?" is a jibe
                    opens = any(h[0] == k for h in msg.get("q.open"))
                    return qmark or opens or bool(msg.within(("q.req", "q.ask"), s, e))
            return False

        for i, j in msg.get("complaint.howtoreq"):
            return (0.9, i, j, "how_to_complain", "asks how to complain")
        for i, j in msg.get("complaint.howto"):
            if asking(i):  # "how do I complain?", not "for anyone who wants to complain"
                return (0.9, i, j, "how_to_complain", "asks how to complain")
        for cat, score in (("complaint.intent", 0.9), ("complaint.soft", 0.7)):
            for i, j in msg.get(cat):
                if cancelled(i, j):
                    continue
                if asking(i):
                    return (0.9, i, j, "how_to_complain", "asks about complaining")
                return (score, i, j, "complaint", "wants to complain")
        for cat in ("complaint.process", "complaint.noun"):
            for i, j in msg.get(cat):
                if not cancelled(i, j) and asking(i):
                    return (0.9, i, j, "how_to_complain", "asks about complaining")
        for i, j in msg.get("complaint.process"):
            if not cancelled(i, j):
                return (0.6, i, j, "complaint", "mentions the complaints process")
        for i, j in msg.get("complaint.noun"):
            # "Complaint!!", "COMPLAINT:" or "#complaint" as a heading
            nxt = toks[j] if j < len(toks) else ""
            if nxt[:1] in ("!", ":") or "#" + raw[i] in text:
                return (0.9, i, j, "complaint", "headed as a complaint")
        if negs:
            i, j = negs[0]
            return (0.0, i, j, "negated", "says it is not a complaint")
        return None

    # ------------------------------------------------------------------ individual care

    def _care(self, msg: _Msg, question: Result, grumble: bool, praise: Result) -> Result:
        marker = bool(msg.get("care.marker"))
        asked = question is not None and question[0] > 0
        praised = praise is not None and praise[0] > 0
        relref = bool(msg.get("care.relref"))
        candidates = [(cat, h) for cat in _CARE_ORDER for h in msg.get(cat)]
        # "My mum Patricia O'Neill, DOB ..., was discharged": a relative and a care event apart
        if relref and not msg.get("care.rel.event"):
            first_rel = msg.get("care.relref")[0][0]
            for a, b in msg.get("care.passive"):
                if a > first_rel and msg.toks[a - 1] not in _SELF:  # "I got discharged" is not hers
                    candidates.insert(1, ("care.rel.event", (a, b)))
                    break
        for cat, (i, j) in candidates:
            if self._not_care(msg, i, j):
                continue
            own = msg.words_in(i, j, _SELF)
            rel = ".rel." in cat or msg.words_in(i, j, _REL) or (relref and not own)
            kind, note = (
                ("relative_care", "about a relative's care") if rel else ("own_care", "about own care")
            )
            here = any(s <= i < e for s, e in msg.asks)
            if cat == "care.ask":
                return (0.9, i, j, kind, note)
            if cat in _CARE_STRONG:
                if marker or grumble or (asked and not praised):
                    return (0.9, i, j, kind, note)
                if not praised:
                    return (0.6, i, j, kind, note)
                continue
            # weaker cues need their own kind of reason to reply, and none in a thank-you
            allowed = _CARE_WEAK[cat]
            about_them = any(msg.words_in(s, e, _THIRD) for s, e in msg.asks)
            reasons = {
                "marker": marker,
                "grumble": grumble,
                "here": here,
                "them": about_them,
            }
            if not praised and any(reasons[r] for r in allowed):
                return (0.9, i, j, kind, note)
        return None

    @staticmethod
    def _not_care(msg: _Msg, i: int, j: int) -> bool:
        """A threat's condition ("if my mum isn't moved...") or a relative who works there."""
        for s, e, _, _, _ in msg.clauses:
            if s <= i < e:
                return msg.toks[s] in ("if", "unless") or msg.words_in(i, j, _NOT_CARE)
        return False

    # ------------------------------------------------------------------ clinical questions

    def _clinical(self, msg: _Msg) -> Result:
        hits = msg.hits
        if "clin.block" in hits:
            return None  # "how many would it take to not wake up" is for the crisis detector
        strong = not hits.keys().isdisjoint(_CLIN_STRONG)
        weak = "clin.ask" in hits and ("clin.symw" in hits or "clin.medword" in hits)
        if not (strong or weak):
            return None
        toks = msg.toks
        opens = {h[0] for h in msg.get("q.open")}
        best: Result = None
        for s, e, qmark, ss, se in msg.clauses:
            k = msg.lead(s, e)
            if k >= e:
                continue
            ask = msg.within(("clin.ask",), s, e)
            # a clinical frame opens the clause ("is it normal...") or the clause is a question;
            # "vaccines do not cause autism" merely contains one
            if not (
                qmark or k in opens or any(h[0] == k for h in ask) or msg.within(("q.ask", "q.req"), s, e)
            ):
                continue
            if self._rhetorical(msg, s, k, ss, se) or msg.within(("care.ask", "clin.sale"), ss, se):
                continue  # a jibe, an advert, a sale, or a message to pass on about someone's care
            # A medicine in a question about a service ("where do I collect my clozapine?") is
            # logistics, not a clinical question, unless the clause also asks "is it safe" etc.
            service = not ask and msg.words_in(s, e, _SERVICE)
            # Terms in the question itself, or earlier in its sentence ("I'm on venlafaxine,
            # should I switch?") unless the sentence is about a service.
            found = self._clinical_terms(msg, s, e, bool(ask))
            near = False
            if found is None and not msg.words_in(ss, se, _SERVICE):
                found = self._clinical_terms(msg, ss, se, bool(ask))
                near = True
            if found is None:
                continue
            kind, first = found
            if service:
                score = 0.4 if kind == "medication" else 0.0
            elif near:
                score = 0.7
            else:
                score = 0.9 if qmark or ask or toks[k] not in ("why", "whys") else 0.7
            if score and (best is None or score > best[0]):
                note = {"medication": "asks about a medicine", "symptoms": "asks about symptoms"}
                best = (score, min(first, k), e, kind, note.get(kind, "asks about a condition"))
        return best

    @staticmethod
    def _clinical_terms(msg: _Msg, s: int, e: int, ask: bool) -> tuple[str, int] | None:
        med = msg.within(("clin.med", "clin.side"), s, e)
        medword = msg.within(("clin.medword",), s, e)
        sym = msg.within(("clin.sym",), s, e)
        symw = msg.within(("clin.symw",), s, e)
        cond = msg.within(("clin.cond",), s, e)
        if medword and (sym or symw or ask or med):
            med += medword  # "meds" counts beside a symptom or a clinical ask
        if symw and (med or cond or ask):
            sym += symw  # "hungry" counts beside a medicine or a condition
        if med:
            return ("medication", med[0][0])
        if sym:
            return ("symptoms", sym[0][0])
        if cond:
            return ("condition", cond[0][0])
        return None


def _may_find(hits: Hits, toks: list[str]) -> bool:
    """Whether a message without a "?" can get any finding from these cues. Each rule needs one
    of the ``_ACTIVE`` cues or a complaint cue; questions also come from a "what"/"how"... that
    opens its clause (after greetings and fillers); the rest need a pair: a relative named before
    a passive care event, or a clinical ask beside a weak clinical word."""
    if not _ACTIVE.isdisjoint(hits) or any(cat.startswith("complaint.") for cat in hits):
        return True
    if "care.passive" in hits and "care.relref" in hits:
        return True
    if "clin.ask" in hits and ("clin.symw" in hits or "clin.medword" in hits):
        return True
    for i, _ in hits.get("q.open", ()):
        j = i - 1
        while j >= 0 and toks[j][0] not in _BOUNDARY and toks[j] in _FILLER:
            j -= 1
        if j < 0 or toks[j][0] in _BOUNDARY:
            return True
    return False


def _drop_quoted(text: str, raw: list[str], hits: Hits) -> None:
    """Forget questions and praise that sit inside double quotes."""
    spans = [m.span(1) if m.group(1) is not None else m.span(2) for m in _QUOTED.finditer(text)]
    if not spans:
        return
    where = _offsets(text, raw, len(raw) - 1)
    inside = {i for i, (a, _) in enumerate(where) if any(s <= a < e for s, e in spans)}
    for cat in _UNQUOTE:
        if cat in hits:
            hits[cat] = [h for h in hits[cat] if h[0] not in inside]


def _words(name: str) -> Iterable[str]:
    return (w for w in (_fold(t) for t in _TOKEN.findall(name.lower())) if len(w) >= 4 and w[0].isalnum())
