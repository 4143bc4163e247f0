"""Crisis detector: a person in crisis comes first.

Recall matters most here: a missed overdose is worse than a false P1. But a desk that raises P1
for every "this queue is killing me" stops reading its P1s, so every cue is read in context:

1. A cheap gate: one regex of word stems ("myself", "suicid", "overdos", "funeral" ...) picks
   the families of cues worth running. Most messages stop here.
2. Each family's cues (``data/crisis_patterns.txt``) are matched on the normalised text, along
   with the family's *benign* readings ("kill myself laughing", "suicide prevention day"); a
   benign reading that contains a cue cancels it and is kept as a score-0 explanation. Handles
   ("@LondonMHTrust") and quotation marks at the edge of words are blanked first, so they neither
   split a phrase ("going to 'end it'") nor read as the subject of one. A few families are in
   other languages (Spanish, Polish, Urdu, Welsh, Portuguese, French, German, ...).
3. Each surviving cue is checked for negation in the words just before it ("I'm not suicidal",
   but never "not going to do anything stupid, but the urge to self harm..."), for distant past
   with nothing current ("used to self harm, 2 years clean"), for quoting ("is 'I feel
   hopeless' enough for a referral?"), for whom it is about (the author, someone of their own,
   a stranger in front of them, someone quoted: "she messaged 'this is the end for me'", or
   people in general), and, for cues that are often hyperbole, for a trivial target nearby (a
   form, a meeting, the football) or laughter, unless the author says they mean it.
4. Weak cues (below 0.5) count only together ("im so done. bye everyone x"), when the author
   insists ("i mean it"), beside a near time ("want it played soon") or beside care that has
   failed them ("the crisis team sent me away again. there won't be a next time").
5. Danger now ("imminent", which makes the engine add 999/A&E) comes from the cue itself
   (overdose taken, goodbye posted, possessions given away) or from context: a stated intent,
   plan or means with "tonight" / "right now", someone at risk who is alone or unreachable now,
   or a stranger in danger in front of the author, or 999 already rung. A time that belongs to
   something done ("I sat down tonight and worked out how") or "haven't decided when" is not.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources

from civildesk.detectors.base import DetectorConfig, Finding, Prepared
from civildesk.detectors.normalise import normalise

NAME = "crisis"
LABEL = "crisis"

RAISING_KINDS = frozenset(
    {"intent", "plan", "means", "imminent", "self_harm", "passive", "farewell", "physical", "attempt"}
)
EXPLAIN_KINDS = frozenset({"idiom", "topic", "negated", "recovery"})
# time: "tonight"; alone: someone at risk is alone or unreachable; prep: final preparations;
# emergency: 999 has been rung; notnow: the author says it is not for now ("haven't decided when").
CONTEXT_KINDS = frozenset({"time", "alone", "prep", "emergency", "notnow"})
# "-" none; "h" hyperbole-prone; "!" danger now; "1" always the author; "3" always someone else;
# "s" no subject of its own (the sentence's subject counts). See the head of the data file.
_FLAGS = frozenset("-h!13s")
# Cues whose danger depends on timing: with "tonight" or "right now" they become imminent.
_TIMED_KINDS = frozenset({"intent", "plan", "means", "third_party"})

_NOTES = {
    "intent": "states an intention to end their life",
    "plan": "describes a plan or preparation for suicide",
    "means": "has or is gathering the means",
    "imminent": "danger now: attempt, overdose or final preparations",
    "self_harm": "current self-harm or urges",
    "passive": "wishes to be dead or sees no point in living",
    "farewell": "a farewell message",
    "physical": "physical danger: not eating, purging, fainting or chest pain",
    "attempt": "a recent suicide attempt or a wish to try again",
    "third_party": "someone else is at risk",
    "idiom": "figure of speech, not a crisis",
    "topic": "talks about the subject, not about a person at risk",
    "negated": "the author says this does not apply",
    "recovery": "in the past, nothing current",
}
_LITERAL = re.compile(r"[^\\()\[\]{}?*+|.^$]+")  # a word-list entry with no regex in it
_LITERAL_GROUP = re.compile(r"\(\?:([^\\()\[\]{}?*+|.^$]+(?:\|[^\\()\[\]{}?*+|.^$]+)+)\)")
_WORD_EDGE_BEFORE = r"(?<![a-z0-9])"
_WORD_EDGE_AFTER = r"(?![a-z0-9])"
_CLAUSE_BREAK = re.compile(r"[,;.!?\n]|\b(?:but|though|however|although|tho|and|so|because|cos|coz|yet)\b")
_SENTENCE_BREAK = re.compile(r"[.!?\n]+")
_GATE_KEY = re.compile(r"\s+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_TOKEN = re.compile(r"[^\s,;:.!?()\"]+")


_Trie = dict[str, "_Trie"]


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str
    score: float
    flags: str
    pattern: str  # as written in the data file: tests and debugging name cues by it


@dataclass(slots=True)
class _Family:
    name: str
    stems: tuple[str, ...]
    cues: list[Cue] = field(default_factory=list)
    benign: list[Cue] = field(default_factory=list)
    cue_rx: re.Pattern[str] | None = None
    benign_rx: re.Pattern[str] | None = None
    compiled: bool = False

    def compile(self) -> _Family:
        """Compile the family's two regexes (once). Families compile on first use: a message
        opens only the few its words gate in, and compiling all ~35 up front cost most of a
        second of every process's start."""
        if not self.compiled:
            self.cue_rx = _checked_alternation("c", self.cues) if self.cues else None
            self.benign_rx = _checked_alternation("b", self.benign) if self.benign else None
            self.compiled = True
        return self


@dataclass(frozen=True, slots=True)
class _Hit:
    cue: Cue
    start: int
    end: int


# ---------------------------------------------------------------------------------------------
# Loading the pattern file
# ---------------------------------------------------------------------------------------------
def _fold(raw: str) -> str:
    """Letters outside ASCII are folded as the message is ("chcę" is matched as "chce")."""
    return _NON_ASCII.sub(lambda m: normalise(m.group(0), leet=False, squeeze=False).text, raw)


def _finish(raw: str) -> str:
    """A space matches any whitespace (" ?" optional whitespace); ' is an optional apostrophe
    and '' a required one."""
    table = {"''": "['’]", "'": "['’]?", " ?": r"\s*", " ": r"\s+"}
    return re.sub(r"''|'| \?| ", lambda m: table[m.group(0)], raw)


def _expand(raw: str, macros: dict[str, str]) -> str:
    return _LITERAL_GROUP.sub(_as_trie, re.sub(r"@([A-Z_]+)", lambda m: macros[m.group(1)], raw))


def _as_trie(group: re.Match[str]) -> str:
    """ "(?:i|i've|ive|i have|i'm|...)" as a trie: at each word start Python's re tries every
    alternative of a flat group in turn, which made the long prefix lists the costliest part."""
    return "(?:" + _trie_regex(group.group(1).split("|"), raw=True) + ")"


def _alternation(named: Sequence[tuple[str, str]]) -> re.Pattern[str]:
    """One regex for a family; ``match.lastgroup`` names the cue. The name is an empty group at
    the *end* of each alternative: a group at the start would stop Python's re from rejecting
    an alternative by its first letter, and made the families several times slower."""
    body = "|".join(f"(?:{_finish(raw)})(?P<{name}>)" for name, raw in named)
    return re.compile(f"{_WORD_EDGE_BEFORE}(?:{body}){_WORD_EDGE_AFTER}")


def _checked_alternation(prefix: str, cues: Sequence[Cue]) -> re.Pattern[str]:
    """The family's regex, after checking each cue has no capturing group of its own (the
    family regex would then carry more groups than cues). Cues are compiled one by one only to
    name a bad one: compiling each of ~400 cues twice made loading the detector take a second."""
    try:
        rx = _alternation([(f"{prefix}{i}", c.pattern) for i, c in enumerate(cues)])
        if rx.groups == len(cues):
            return rx
    except re.error:
        pass
    for cue in cues:
        try:
            groups = re.compile(_finish(cue.pattern)).groups
        except re.error as exc:
            raise ValueError(f"bad pattern ({exc}): {cue.pattern}") from exc
        if groups:
            raise ValueError(f"use (?:...) not capturing groups: {cue.pattern}")
    raise ValueError("a family's patterns do not combine into one regex")


def _trie_regex(words: Iterable[str], *, raw: bool = False) -> str:
    """One regex for many literal stems, sharing prefixes: Python's re tries alternatives one by
    one, so a trie is several times faster than a flat alternation of 200 words. ``raw`` keeps
    spaces and apostrophes for ``_finish`` (word lists inside patterns)."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    special = {" ": " ", "'": "'"} if raw else {" ": r"\s+", "'": "['’]", "$": _WORD_EDGE_AFTER}

    def char(ch: str) -> str:
        return special.get(ch) or re.escape(ch)

    def emit(node: _Trie) -> str:
        ends = "" in node
        alts = [char(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and len(alts[0]) == 1 else "(?:" + "|".join(alts) + ")"
        return body + "?" if ends else body

    return emit(trie)


class _Table:
    """The parsed pattern file: macros, gated families and the context regexes."""

    def __init__(self, text: str, *, lazy: bool = False) -> None:
        self.macros: dict[str, str] = {}
        self.families: dict[str, _Family] = {}
        self._parse(_fold(text).splitlines())
        if not lazy:  # a file being checked: every pattern is compiled, and a bad one named, now
            for fam in self.families.values():
                fam.compile()
        self.context = self.families.pop("context").compile()
        # Families are read in file order: which cue's span a finding shows must not depend on
        # a set's iteration order (string hashing differs between processes).
        self.order = {name: n for n, name in enumerate(self.families)}
        stem_families: dict[str, set[str]] = {}
        trie_words: set[str] = set()
        for fam in self.families.values():
            for stem in fam.stems:
                for variant in {stem, stem.replace("'", "")}:  # "can't" and "cant"
                    trie_words.add(variant)  # "sh$": a whole word, never the start of "should"
                    stem_families.setdefault(variant.rstrip("$"), set()).add(fam.name)
        # The gate returns the longest stem at a position; it also triggers every shorter stem
        # that is its prefix ("take it" also means "take").
        self.stem_families = {
            stem: frozenset().union(
                *(fams for other, fams in stem_families.items() if stem.startswith(other))
            )
            for stem in stem_families
        }
        # a lookahead, so that stems may overlap ("my self harm": "my self" and "self harm")
        self.gate = re.compile(_WORD_EDGE_BEFORE + "(?=(" + _trie_regex(trie_words) + "))")

    def word_regex(self, name: str) -> re.Pattern[str]:
        return re.compile(f"{_WORD_EDGE_BEFORE}(?:{_finish(self.macros[name])}){_WORD_EDGE_AFTER}")

    def _parse(self, lines: list[str]) -> None:
        family: _Family | None = None
        words_name: str | None = None
        words: list[str] = []
        for line in [*lines, "#"]:
            if words_name is not None:
                if line[:1].isspace() and line.strip():
                    words.append(line.strip())
                    continue
                # a phrase may wrap onto the next line: only commas separate entries
                entries = [_expand(w.strip(), self.macros) for w in " ".join(words).split(",") if w.strip()]
                literal = [w for w in entries if _LITERAL.fullmatch(w)]
                patterns = [w for w in entries if not _LITERAL.fullmatch(w)]
                trie = [_trie_regex(literal, raw=True)] if literal else []
                self.macros[words_name] = "(?:" + "|".join(trie + patterns) + ")"
                words_name, words = None, []
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            head, _, rest = line.partition(" ")
            if head == "@define":
                name, _, raw = rest.partition(" ")
                self.macros[name] = _expand(raw.strip(), self.macros)
            elif head == "@words":
                words_name = rest.strip()
            elif head == "@family":
                name, _, stems = rest.partition(" ")
                family = _Family(name, tuple(s.strip() for s in stems.split(",") if s.strip()))
                self.families[name] = family
            else:
                if family is None:
                    raise ValueError(f"cue outside a family: {line}")
                kind, score, flags, raw = line.split(None, 3)
                if kind not in RAISING_KINDS | EXPLAIN_KINDS | CONTEXT_KINDS or not set(flags) <= _FLAGS:
                    raise ValueError(f"bad kind or flags: {line}")
                pattern = _expand(raw, self.macros)
                cue = Cue(kind, float(score), flags.replace("-", ""), pattern)
                (family.cues if kind in RAISING_KINDS | CONTEXT_KINDS else family.benign).append(cue)


def _load_table() -> _Table:
    text = resources.files("civildesk.detectors").joinpath("data", "crisis_patterns.txt").read_text("utf-8")
    # The shipped file compiles family by family as messages need them; a test compiles all of it.
    return _Table(text, lazy=True)


_TABLE = _load_table()
_SUBJECT = re.compile(
    _WORD_EDGE_BEFORE
    + "(?:"
    + "|".join(
        f"(?P<{group}>{_finish(_TABLE.macros[name])})"
        for group, name in (("third", "SUBJ_THIRD"), ("first", "SUBJ_FIRST"), ("generic", "SUBJ_GENERIC"))
    )
    + ")"
    + _WORD_EDGE_AFTER
)
_PERSON_IN_CUE = re.compile(
    f"{_WORD_EDGE_BEFORE}(?:(?P<first>{_finish(_TABLE.macros['PERSON_FIRST'])})"
    f"|(?P<third>{_finish(_TABLE.macros['PERSON_THIRD'])})){_WORD_EDGE_AFTER}"
)
_NEGATOR = _TABLE.word_regex("NEGATOR")
_NOT_NEGATOR = _TABLE.word_regex("NOT_NEGATOR")
_DISTANT_PAST = _TABLE.word_regex("DISTANT_PAST")
_RECOVERY = _TABLE.word_regex("RECOVERY")
_PAST_VERB = _TABLE.word_regex("PAST_VERB")
# "was on the bridge", "last year": a story, not danger now (an overdose "last night" still is)
_PAST_HINT = re.compile(
    r"ago|used? to|when i was|as a|back in|\d\d\d\d|clean|free|sober|recover|no longer|anymore|any more|"
    r"haven|havent|stopped|got through|other side|surviv|saved|save my|still here|better|well now|without|"
    r"school|uni\b|college|teen|twent|in my|at school|last (?:year|spring|summer|autumn|winter|christmas)|year ago"
)
_PAST_NEARBY = re.compile(
    r"\b(?:was|were|last (?:week|month|year)|(?:years?|months?|weeks) ago|when i was)\b"
)
_CURRENT = _TABLE.word_regex("CURRENT")
_TRIVIAL = _TABLE.word_regex("TRIVIAL")
_SERIOUS = _TABLE.word_regex("SERIOUS")
_HYPOTHETICAL = _TABLE.word_regex("HYPOTHETICAL")
_AUXILIARY = _TABLE.word_regex("AUXILIARY")
_AUTHOR_CONTEXT = _TABLE.word_regex("AUTHOR_CONTEXT")
_VERBISH = _TABLE.word_regex("VERBISH")
_RECENT = _TABLE.word_regex("RECENT")
_IDEATION = _TABLE.word_regex("IDEATION")
_META = _TABLE.word_regex("META")
_QUOTES = "\"'“”‘’«»"
# Handles ("@LondonMHTrust") are not words of the message, and quotation marks at the edge of a
# word do not split a phrase ("going to 'end it'"): both are blanked, keeping every offset.
_BLANK = re.compile(r"(?<![\w@])@[\w.]+|(?<![a-z0-9])[\"'“”‘’«»]|[\"'“”‘’«»](?![a-z0-9])")
_BLANK_ANY = re.compile(r"[@\"'“”‘’«»]")
# "tell you", "makes you": an object, not a subject ("no one tells you how tiring it is to...")
_OBJECT_VERB = re.compile(
    r"(?:tell|tells|told|telling|warn|warns|warned|show|shows|showed|teach|teaches|taught|ask|asks|"
    r"asked|give|gives|gave|make|makes|made|let|lets|prepare|prepares|remind|reminds|help|helps|"
    r"thank|get|gets|got|understand)\s+$"
)
# Reported speech: "she messaged the team chat 'I'm sorry, this is the end for me'".
_SPEECH = re.compile(
    r"\b(?:said|says|saying|say|messaged|messages|texted|texts|posted|posts|wrote|writes|sent|told|"
    r"tells|replied|put|snapped|tweeted|dm'?d|whatsapped|rang|called|screamed|shouted|kept saying)\b"
)
_SERIOUS_MARK = _TABLE.word_regex("SERIOUS_MARK")
_SERVICE_FAIL = _TABLE.word_regex("SERVICE_FAIL")
# "not a holiday", "nothing to do with the app": a trivial target named only to rule it out
_NOT_TRIVIAL = re.compile(
    r"\b(?:not|nothing to do with|isn'?t|wasn'?t|never)\s+(?:(?:a|an|the|my|about|over|because of|just|"
    r"even|for|on)\s+)?$"
)
# A weak cue said with a time that is near ("i kind of want it played soon")
_NEAR_TIME = re.compile(r"\b(?:tonight|tonite|2nite|2night|soon|right now|this weekend|tomorrow)\b")
# "I sat down tonight and worked out how": the time belongs to what was done, not to what will be
_PAST_BEFORE_TIME = re.compile(
    r"\b(?:sat|sat down|went|did|had|spent|came|wrote|worked|talked|spoke|cried|rang|called|texted|"
    r"posted|was|were)\s+(?:\S+\s+)?$"
)
# "got about 60 now": for means, these say how many or how things are, not when
_WEAK_NOW = frozenset({"now", "today", "soon"})
# "Said goodbye to my mum today ... it was goodbye": a past-tense word does not make today a story
_TODAY = re.compile(r"\b(?:today|tonight|tonite|just now|right now|rn|as we speak|as i type)\b")
_OWN_PERSON = _TABLE.word_regex("OWN_PERSON")
_BYSTANDER = _TABLE.word_regex("BYSTANDER")
_LAUGH = re.compile(r"(?<![a-z])(?:" + _finish(_TABLE.macros["LAUGH"]) + r")(?![a-z])")
_STRONG_NOW = re.compile(
    r"\b(?:tonight|tonite|2nite|2night|right now|rn|as we speak|urges?|relaps\w*|last night)\b"
)


# ---------------------------------------------------------------------------------------------
# Reading one message
# ---------------------------------------------------------------------------------------------
class _Message:
    """The normalised text with lazily computed sentence bounds and context."""

    def __init__(self, text: str, raw: str | None = None) -> None:
        self.text = text
        self.raw = text if raw is None else raw  # with handles and quotation marks kept
        self._breaks: list[int] | None = None
        self._serious: bool | None = None
        self._failed: bool | None = None
        self._context: list[_Hit] | None = None
        self._own_person: bool | None = None
        self._recovering: bool | None = None
        self._dated: bool | None = None

    @property
    def dated(self) -> bool:
        """Any date or recovery wording at all? Most messages have none: skip the past reading."""
        if self._dated is None:
            self._dated = bool(_PAST_HINT.search(self.text))
        return self._dated

    @property
    def serious(self) -> bool:
        """The author insists they mean it ("i mean it", "not being dramatic")."""
        if self._serious is None:
            self._serious = bool(_SERIOUS_MARK.search(self.text))
        return self._serious

    @property
    def failed(self) -> bool:
        """The author says care has failed them ("sent me away", "discharged", "no callback")."""
        if self._failed is None:
            self._failed = bool(_SERVICE_FAIL.search(self.text))
        return self._failed

    @property
    def own_person(self) -> bool:
        """Someone of the author's own is named ("my brother", "our kid")."""
        if self._own_person is None:
            self._own_person = bool(_OWN_PERSON.search(self.text))
        return self._own_person

    @property
    def recovering(self) -> bool:
        """A recovery story with nothing happening now ("3 years free now")."""
        if self._recovering is None:
            self._recovering = bool(_RECOVERY.search(self.text)) and not _STRONG_NOW.search(self.text)
        return self._recovering

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        if self._breaks is None:
            self._breaks = [m.start() for m in _SENTENCE_BREAK.finditer(self.text)]
        i = bisect.bisect_left(self._breaks, start)
        s = self._breaks[i - 1] + 1 if i > 0 else 0
        j = bisect.bisect_left(self._breaks, end)
        e = self._breaks[j] if j < len(self._breaks) else len(self.text)
        return s, e

    def context(self) -> list[_Hit]:
        if self._context is None:
            rx, cues = _TABLE.context.cue_rx, _TABLE.context.cues
            assert rx is not None
            self._context = [
                _Hit(cues[int(str(m.lastgroup)[1:])], m.start(), m.end()) for m in rx.finditer(self.text)
            ]
        return self._context

    def context_near(self, kind: str, start: int, end: int) -> _Hit | None:
        """A context hit of this kind in the cue's sentence ("now"), or anywhere for "tonight"."""
        s, e = self.sentence(start, end)
        for hit in self.context():
            if hit.cue.kind != kind:
                continue
            if kind == "time" and _PAST_BEFORE_TIME.search(self.text, max(0, hit.start - 30), hit.start):
                continue
            if s <= hit.start < e or kind in ("alone", "prep", "emergency", "notnow"):
                return hit
            if kind == "time" and _STRONG_NOW.fullmatch(self.text[hit.start : hit.end]):
                return hit
        return None


def _negated(text: str, start: int) -> bool:
    """A negator among the last few words of the same clause before the cue."""
    window = text[max(0, start - 40) : start]
    cut = 0
    for m in _CLAUSE_BREAK.finditer(window):
        cut = m.end()
    tokens = _TOKEN.findall(window[cut:])[-4:]
    if not tokens:
        return False
    near = " ".join(tokens)
    if not _NEGATOR.search(near):
        return False
    # "never felt so suicidal" is the opposite of a negation: read on into the cue's first word
    first = _TOKEN.match(text, start)
    return not _NOT_NEGATOR.search(near + " " + (first.group(0) if first else ""))


def _person(msg: _Message, hit: _Hit) -> str:
    """'first', 'third' or 'generic': who the cue is about."""
    if "1" in hit.cue.flags:
        return "first"
    if "3" in hit.cue.flags:
        return "third"
    text = msg.text
    s, e = msg.sentence(hit.start, hit.end)
    if _reported(msg, hit, s):
        return "third"
    inside = _PERSON_IN_CUE.search(text, hit.start, hit.end)
    if inside is not None and inside.lastgroup == "first":
        return "first"
    if "s" in hit.cue.flags:
        # the cue has no subject of its own ("after an overdose"): the sentence's subject counts
        subjects = [m for m in _SUBJECT.finditer(text, s, hit.start) if not _is_object(text, m)]
        return str(subjects[-1].lastgroup) if subjects else "first"
    person = _subject_before(text, max(s, hit.start - 60), hit.start)
    if inside is not None and person != "third":
        # "kill herself" with nobody of the author's own in view: news, gossip or abuse
        person = "third" if msg.own_person else "generic"
    if person != "first" and not msg.own_person and _HYPOTHETICAL.search(text, s, e):
        return "generic"
    return person


def _is_object(text: str, m: re.Match[str]) -> bool:
    """ "you" after "tell" or "makes" is the object of the verb, not who the cue is about."""
    return (
        m.lastgroup == "generic"
        and m.group(0) in ("you", "u", "ya")
        and bool(_OBJECT_VERB.search(text, max(0, m.start() - 14), m.start()))
    )


def _reported(msg: _Message, hit: _Hit, start: int) -> bool:
    """A first-person cue inside quotation marks that someone else said or sent."""
    raw = msg.raw
    opening = -1
    for i in range(hit.start - 1, start - 1, -1):
        if raw[i] in _QUOTES and (i == 0 or not raw[i - 1].isalnum()) and raw[i + 1 : i + 2].isalnum():
            opening = i
            break
    if opening < 0:
        return False
    window = max(start, opening - 80)
    if not _SPEECH.search(raw, window, opening):
        return False
    subjects = list(_SUBJECT.finditer(msg.text, window, opening))
    return bool(subjects) and subjects[0].lastgroup == "third"


def _subject_before(text: str, start: int, end: int) -> str:
    """Who does what the cue says, read from the words before it. The word just before (after
    skipping auxiliaries) decides when it is a subject ("my dad wants to die") or a noun
    ("cheaters deserve to die"); fillers, feelings, determiners and verbs ("honestly just",
    "so tired", "the urge to...") mean the author dropped the "I", unless a subject came
    earlier in the sentence ("my brother says he is so done...")."""
    tokens = list(_TOKEN.finditer(text, start, end))
    subjects = [m for m in _SUBJECT.finditer(text, start, end) if not _is_object(text, m)]
    for token in reversed(tokens):
        word = token.group(0)
        for m in subjects:
            if m.start() < token.end() and token.start() < m.end():
                return str(m.lastgroup)
        if _AUXILIARY.fullmatch(word) or _VERBISH.fullmatch(word):
            continue
        if any(c.isalpha() for c in word) and not _AUTHOR_CONTEXT.fullmatch(word):
            return "generic"
        break
    return str(subjects[-1].lastgroup) if subjects else "first"


def _is_past(msg: _Message, hit: _Hit) -> bool:
    """In the past with nothing current: "tried to kill myself when I was 19", "used to self
    harm, 2 years clean". "Diagnosed 3 years ago and I want to die" is not: the past is in
    another clause."""
    text = msg.text
    if not msg.dated:
        return False
    s, e = msg.sentence(hit.start, hit.end)
    if _CURRENT.search(text, s, e):
        return False
    # a cue in the past tense ("felt suicidal for months") reads its date anywhere in the sentence
    told_in_past = _PAST_VERB.search(text, max(s, hit.start - 12), hit.end)
    where = (s, e) if told_in_past else _clause(text, hit.start, hit.end)
    if _DISTANT_PAST.search(text, *where) or _RECOVERY.search(text, s, e):
        return True
    # a whole-message recovery story ("3 years free now") covers cues that are not about now
    return "!" not in hit.cue.flags and msg.recovering


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    s = max((m.end() for m in _CLAUSE_BREAK.finditer(text, max(0, start - 80), start)), default=0)
    after = _CLAUSE_BREAK.search(text, end, end + 80)
    return s, after.start() if after else min(len(text), end + 80)


def _bystander(msg: _Message, hit: _Hit) -> bool:
    """Someone in danger in front of the author ("there's a girl sat on the railings"), not a
    question about people in general or a news story in the past."""
    if hit.cue.kind not in ("means", "imminent") or hit.cue.score < 0.5:
        return False
    s, e = msg.sentence(hit.start, hit.end)
    if not _BYSTANDER.search(msg.text, s, hit.start):
        return False
    if msg.context_near("time", hit.start, hit.end) is not None:
        return True
    return not _HYPOTHETICAL.search(msg.text, s, e) and not _PAST_NEARBY.search(msg.text, s, e)


def _quoted(msg: _Message, hit: _Hit) -> bool:
    """The cue is a phrase in quotation marks that the sentence talks about as words."""
    text = msg.raw
    before, after = text[max(0, hit.start - 3) : hit.start], text[hit.end : hit.end + 3]
    if not (any(q in before for q in _QUOTES) and any(q in after for q in _QUOTES)):
        return False
    return bool(_META.search(text, *msg.sentence(hit.start, hit.end)))


def _hyperbole(msg: _Message, hit: _Hit) -> float | None:
    """None when the cue reads as an idiom; otherwise the (possibly lowered) score. The joke is
    often explained in the next sentence ("goodbye everyone! Last day at the Trust..."), so
    the trivial target may be there too."""
    score = hit.cue.score
    if msg.serious:
        return score
    s, e = msg.sentence(hit.start, hit.end)
    if e < len(msg.text):
        e = msg.sentence(e + 1, e + 1)[1]
    sentence = msg.text[s:e]
    trivial = any(
        not _NOT_TRIVIAL.search(sentence, max(0, m.start() - 24), m.start())
        for m in _TRIVIAL.finditer(sentence)
    )
    if trivial and not _SERIOUS.search(sentence):
        return None
    if _LAUGH.search(msg.text):
        score -= 0.4
        if score < 0.5:
            return None
    return score


class CrisisDetector:
    """Finds people in crisis, and explains the near misses (idioms, topics, negations)."""

    name = NAME

    def __init__(self, config: DetectorConfig | None = None) -> None:
        extra = (config or DetectorConfig()).extra.get("crisis_phrases", ())
        # Organisation-specific phrases (local slang, place names of known danger spots) read as
        # passive ideation unless they say otherwise: the policy file may add them without code.
        self._extra: re.Pattern[str] | None = None
        if extra:
            body = "|".join(r"\s+".join(map(re.escape, p.lower().split())) for p in extra if p.strip())
            self._extra = re.compile(f"{_WORD_EDGE_BEFORE}(?:{body}){_WORD_EDGE_AFTER}") if body else None
        self._extra_cue = Cue("passive", 0.8, "", "config: crisis_phrases")

    def detect(self, prepared: Prepared) -> list[Finding]:
        norm = prepared.norm
        names = self._gate(norm.text)
        if not names and self._extra is None:
            return []  # most messages stop here
        # blanking handles and quotation marks keeps every offset, so the gate's answer holds
        text = _BLANK.sub(_spaces, norm.text) if _BLANK_ANY.search(norm.text) else norm.text
        hits, benign = self._match(text, names)
        if not hits and not benign:
            return []
        msg = _Message(text, norm.text)
        findings: list[Finding] = []
        kept: list[tuple[_Hit, str, float]] = []  # hit, kind, score
        explained: list[_Hit] = list(benign)
        witnessed: list[_Hit] = []  # someone in danger in front of the author, now
        for hit in hits:
            # a benign reading cancels a cue only when it accounts for all of it: "talking about
            # suicide" is a topic, "our kid's been talking about suicide" is not
            if any(b.start <= hit.start and hit.end <= b.end for b in benign):
                continue
            if _negated(text, hit.start):
                explained.append(_Hit(Cue("negated", 0.0, "", hit.cue.pattern), hit.start, hit.end))
                continue
            if _is_past(msg, hit):
                explained.append(_Hit(Cue("recovery", 0.0, "", hit.cue.pattern), hit.start, hit.end))
                continue
            if _quoted(msg, hit):
                explained.append(_Hit(Cue("topic", 0.0, "", hit.cue.pattern), hit.start, hit.end))
                continue
            kind, score = hit.cue.kind, hit.cue.score
            if kind == "imminent" and score < 0.5:
                # a weak danger-now cue in a story ("I was at the bridge last year") is not now
                s, e = msg.sentence(hit.start, hit.end)
                if _PAST_NEARBY.search(text, s, e) and not _TODAY.search(text, s, e):
                    kind = "means"
            person = _person(msg, hit)
            # "someone is on the bridge right now" is an emergency; "people who kill themselves" is not
            bystander = person == "generic" and _bystander(msg, hit)
            if bystander:
                person = "third"
                witnessed.append(hit)
            if person == "generic":
                explained.append(_Hit(Cue("topic", 0.0, "", hit.cue.pattern), hit.start, hit.end))
                continue
            if person != "first":
                kind = "third_party"
                s, e = msg.sentence(hit.start, hit.end)
                if (
                    "!" in hit.cue.flags
                    and not bystander
                    and not (msg.own_person or _RECENT.search(text, s, e))
                ):
                    # "months later he overdosed": a story about someone, not an emergency
                    explained.append(_Hit(Cue("topic", 0.0, "", hit.cue.pattern), hit.start, hit.end))
                    continue
            if "h" in hit.cue.flags:
                lowered = _hyperbole(msg, hit)
                if lowered is None:
                    explained.append(_Hit(Cue("idiom", 0.0, "", hit.cue.pattern), hit.start, hit.end))
                    continue
                score = lowered
            kept.append((hit, kind, score))

        kept = _compound(msg, kept)
        for hit, kind, score in kept:
            s, e = norm.span(hit.start, hit.end)
            note = (
                _NOTES[kind]
                if kind != "third_party"
                else f"{_NOTES[kind]} ({hit.cue.kind.replace('_', ' ')})"
            )
            findings.append(Finding(LABEL, score, s, e, NAME, kind, note))
        danger = self._imminent(msg, [k for k in kept if k[2] >= 0.5])
        if danger is None and witnessed:
            danger = (witnessed[0].start, witnessed[0].end), "someone is in danger in front of the author"
        if danger is not None:
            s, e = norm.span(*danger[0])
            findings.append(Finding(LABEL, 0.95, s, e, NAME, "imminent", danger[1]))
        for hit in explained:
            s, e = norm.span(hit.start, hit.end)
            findings.append(Finding(LABEL, 0.0, s, e, NAME, hit.cue.kind, _NOTES.get(hit.cue.kind, "")))
        return _dedupe(findings)

    @staticmethod
    def _gate(text: str) -> set[str]:
        """The families whose stems start a word in the text."""
        names: set[str] = set()
        families = _TABLE.stem_families
        for stem in _TABLE.gate.findall(text):
            found = families.get(stem)
            names |= found if found is not None else families[_GATE_KEY.sub(" ", stem).replace("’", "'")]
        return names

    def _match(self, text: str, names: set[str]) -> tuple[list[_Hit], list[_Hit]]:
        hits: list[_Hit] = []
        benign: list[_Hit] = []
        for name in sorted(names, key=_TABLE.order.__getitem__):
            fam = _TABLE.families[name].compile()
            if fam.cue_rx is not None:
                hits.extend(
                    _Hit(fam.cues[int(str(m.lastgroup)[1:])], m.start(), m.end())
                    for m in fam.cue_rx.finditer(text)
                )
            if fam.benign_rx is not None:
                benign.extend(
                    _Hit(fam.benign[int(str(m.lastgroup)[1:])], m.start(), m.end())
                    for m in fam.benign_rx.finditer(text)
                )
        if self._extra is not None:
            hits.extend(_Hit(self._extra_cue, m.start(), m.end()) for m in self._extra.finditer(text))
        # the same words may be a cue in two families ("better off in the ground"): read them once
        best: dict[tuple[int, int], _Hit] = {}
        for hit in hits:
            seen = best.get((hit.start, hit.end))
            if seen is None or hit.cue.score > seen.cue.score:
                best[(hit.start, hit.end)] = hit
        return list(best.values()), benign

    @staticmethod
    def _imminent(msg: _Message, kept: list[tuple[_Hit, str, float]]) -> tuple[tuple[int, int], str] | None:
        """The span and reason that make this danger now, if anything does."""
        if not kept:
            return None
        # "haven't decided when", "not tonight": no danger now read from a time or a preparation
        notnow = msg.context_near("notnow", 0, 0) is not None
        prep = None if notnow else msg.context_near("prep", 0, 0)
        for hit, kind, _ in kept:
            if kind == "imminent":
                return None  # the cue itself already says so
            if "!" in hit.cue.flags:
                s, e = msg.sentence(hit.start, hit.end)
                if not _PAST_NEARBY.search(msg.text, s, e) or _TODAY.search(msg.text, s, e):
                    return (hit.start, hit.end), _NOTES["imminent"]
        called = msg.context_near("emergency", 0, 0)
        if called is not None:
            return _join(msg, kept[0][0], called), "someone has already called 999"
        for hit, kind, _ in kept:
            if notnow and kind != "third_party":
                continue
            base = hit.cue.kind  # "third_party" says whose, the cue says what
            if base in _TIMED_KINDS and not _IDEATION.search(msg.text, *msg.sentence(hit.start, hit.end)):
                when = msg.context_near("time", hit.start, hit.end)
                # "got about 60 now": for means, "now" says how many, not when
                if when is not None and not (
                    base == "means" and msg.text[when.start : when.end] in _WEAK_NOW
                ):
                    return _join(msg, hit, when), "stated intent, plan or means, with a time: now"
            if kind == "third_party":
                alone = msg.context_near("alone", hit.start, hit.end)
                if alone is not None:
                    return _join(msg, hit, alone), "someone at risk is alone or unreachable now"
        if prep is not None or (len(kept) > 1 and any(k == "farewell" for _, k, _ in kept)):
            hit = kept[0][0]
            return ((hit.start, hit.end) if prep is None else _join(msg, hit, prep)), "final preparations"
        return None


def _compound(msg: _Message, kept: list[tuple[_Hit, str, float]]) -> list[tuple[_Hit, str, float]]:
    """Separate cues add up: "im so done. bye everyone x" is two weak signals (each below 0.5 on
    its own) that together are a crisis. So does a weak cue said in earnest ("i'm done. i mean
    it") or with a time that is near ("want it played soon")."""
    spans: list[tuple[int, int]] = []
    for hit, _, _ in kept:
        if not any(a < hit.end and hit.start < b for a, b in spans):
            spans.append((hit.start, hit.end))
    together = len(spans) >= 2 or msg.serious
    out: list[tuple[_Hit, str, float]] = []
    for hit, kind, score in kept:
        if score < 0.8 and (together or (score < 0.5 and (msg.failed or _timed(msg, hit)))):
            score = min(0.95, score + 0.15)
        out.append((hit, kind, score))
    return out


def _timed(msg: _Message, hit: _Hit) -> bool:
    """A near time in the cue's sentence that belongs to what is to come, not to what was done."""
    s, e = msg.sentence(hit.start, hit.end)
    return any(
        not (hit.start <= m.start() < hit.end)
        and not _PAST_BEFORE_TIME.search(msg.text, max(s, m.start() - 30), m.start())
        for m in _NEAR_TIME.finditer(msg.text, s, e)
    )


def _spaces(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _join(msg: _Message, hit: _Hit, other: _Hit) -> tuple[int, int]:
    """Cover both cue and context when they are close enough to read together."""
    if abs(other.start - hit.start) <= 120:
        return min(hit.start, other.start), max(hit.end, other.end)
    return hit.start, hit.end


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per kind per stretch of text: the strongest."""
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-f.score, f.start)):
        if any(o.kind == f.kind and o.start < f.end and f.start < o.end for o in out):
            continue
        if f.score == 0.0 and any(o.score > 0 and o.start <= f.start and f.end <= o.end for o in out):
            continue
        out.append(f)
    return sorted(out, key=lambda f: (f.start, -f.score))
