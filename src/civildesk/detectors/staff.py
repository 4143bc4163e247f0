"""Posts that go after a member of staff, and allegations presented as fact about a person.

The policy protects criticism of the organisation but not attacks on an individual employee
("Targets a member of staff") nor libel ("defamatory posts"). Both need the same two things: *who*
is being talked about, and *what* is being said about them. So the detector first finds people
("Dr Hollis", "my care coordinator Sam", "the receptionist at Balham", "@kelly_runs_ldn"), then cues
(insults, calls to sack, threats, allegations of crime or misconduct), and ties each cue to the
nearest person in the same sentence (or the previous one when the cue's sentence says "she"/"he").

Every staff reference is reported with score 0 (kind ``staff_mention``) so that a reviewer can see
who was named even when nothing is wrong with the post.

Phrase lists live in ``data/staff_phrases.txt``; :class:`PhraseBook` compiles them into one
trie-shaped regex so that the cost stays flat however long the lists grow.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from civildesk.detectors.base import DetectorConfig, Finding, LazyRegex, Prepared
from civildesk.detectors.normalise import normalise

_DATA = Path(__file__).parent / "data"

# -- phrase books ----------------------------------------------------------------------------

_Node = dict[str, "_Node"]
_MACRO = re.compile(r"@(\w+)")
_KEY_APOSTROPHE = re.compile(r"['’]")
_KEY_SPACE = re.compile(r"[\s\-]+")
# Apostrophes are optional and hyphens interchangeable with spaces: "shes", "co ordinator".
_SYMBOLS = {" ": r"[\s\-]+", "'": "['’]?", "’": "['’]?", "-": r"[\s\-]?"}


def _expand(entry: str) -> list[str]:
    """All spellings of an entry: "{a|b|} c" gives "a c", "b c", "c". Braces nest."""
    out = [" ".join(e.split()) for e in _alternatives(entry, 0)[0]]
    return list(dict.fromkeys(out))


def _alternatives(s: str, i: int) -> tuple[list[str], int]:
    """Expand ``s`` from ``i`` up to an unmatched "|" or "}" (returned as the stop index)."""
    results = [""]
    options: list[str] = []
    while i < len(s):
        ch = s[i]
        if ch == "{":
            inner: list[str] = []
            i += 1
            while True:
                alts, i = _alternatives(s, i)
                inner.extend(alts)
                if i >= len(s) or s[i] == "}":
                    break
                i += 1  # past "|"
            results = [r + a for r in results for a in dict.fromkeys(inner)]
        elif ch in "|}":
            break
        else:
            results = [r + ch for r in results]
        i += 1
    options.extend(results)
    return options, i


def _key(phrase: str) -> str:
    """What a phrase and its match in the text have in common: no apostrophes, single spaces."""
    return _KEY_SPACE.sub(" ", _KEY_APOSTROPHE.sub("", phrase)).strip()


# The engine tries the branches of an alternation in order, so the likeliest next character goes
# first: word-initial letter frequencies at the root, letter frequencies below it (a space first,
# since most words end where a phrase goes on). This alone makes a scan about 40% faster.
_ROOT_ORDER = "tsawhiobmcfdplnegryuvjkqxz0123456789"
_INNER_ORDER = " etaoinshrdlcumwfgypbvkjxqz0123456789"


def _rank(order: str, ch: str) -> tuple[int, str]:
    i = order.find(ch)
    return (i if i >= 0 else len(order), ch)


def _emit(node: _Node, order: str = _ROOT_ORDER) -> str:
    children = sorted((ch for ch in node if ch), key=lambda ch: _rank(order, ch))
    alts = [_SYMBOLS.get(ch, re.escape(ch)) + _emit(node[ch], _INNER_ORDER) for ch in children]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return "(?:" + body + ")?" if "" in node else body


# One entry of a phrase book: a phrase the trie finds, and an optional tail that must follow it.
Entry = tuple[str, "re.Pattern[str] | None"]


class PhraseBook:
    """Phrases in named sections, all found in one pass.

    Python's regex engine tries every branch of a flat alternation at every position, so a few
    thousand phrases would cost tens of microseconds a message; sharing prefixes in a trie makes
    the cost depend on the text instead. Matches never overlap: the longest phrase at the
    leftmost position wins.

    An entry written "head ~ tail" puts only the head's spellings in the trie and checks the tail
    as one small regex where a head matched: "{treated|treats} ~ @obj like {dirt|a child}" would
    otherwise multiply out to thousands of trie phrases, which are slow to compile.
    """

    def __init__(self, sections: Mapping[str, Iterable[str | Entry]]) -> None:
        self.entries_of: dict[str, tuple[tuple[str, re.Pattern[str] | None], ...]] = {}
        self._phrases: dict[str, list[str]] = {}
        root: _Node = {}
        for section, entries in sections.items():
            for entry in entries:
                phrase, tail = (entry, None) if isinstance(entry, str) else entry
                # a hyphen in a phrase may be a space or nothing in the text: "co-ordinator";
                # the phrase as written is stored too, so most matches are found without _key()
                for key in {phrase, _key(phrase), _key(phrase.replace("-", ""))}:
                    known = self.entries_of.get(key, ())
                    if key and (section, tail) not in known:
                        self.entries_of[key] = (*known, (section, tail))
                self._phrases.setdefault(section, []).append(phrase)
                node = root
                for ch in phrase:
                    node = node.setdefault(ch, {})
                node[""] = {}
        # A consumed leading separator (the text is searched with a space in front) lets the
        # engine skip every position inside a word cheaply, which a look-behind does not.
        body = _emit(root) or "(?!)"
        # Compiled on the first search: a big book's regex takes a few tenths of a second, and the
        # staff detector opens its books only for the messages its gate lets through.
        self._regex = LazyRegex(r"[^a-z0-9](" + body + r")(?![a-z0-9])")

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, section) for every phrase in ``text`` (already normalised); a phrase
        listed in two sections is reported once for each."""
        out: list[tuple[int, int, str]] = []
        spaced = " " + text
        pos = 0
        regex = self._regex.get()
        while (m := regex.search(spaced, pos)) is not None:
            start, end = m.start(1) - 1, m.end(1) - 1
            found = m.group(1)
            resume = -1
            for section, tail in self.entries_of.get(found) or self.entries_of.get(_key(found), ()):
                t = tail.match(text, end) if tail is not None else None
                if tail is None or t is not None:
                    stop = end if t is None else t.end()
                    out.append((start, stop, section))
                    resume = max(resume, stop)  # words inside a tail belong to this phrase
            # when only a tail failed ("can sort" + "you a sick note"), look again from the next word
            pos = resume + 1 if resume >= 0 else m.start(1) + 1
        return out

    def add_to(self, gate: Gate, wanted: Callable[[str], bool]) -> None:
        """Teach ``gate`` what a text needs for a phrase of a ``wanted`` section to be found."""
        # A match is looked up by its text or its _key(), which differ from the phrase matched
        # only in apostrophes, spaces and hyphens: so a phrase reports the sections of every
        # phrase that reads the same without them.
        tails: dict[str, list[re.Pattern[str] | None]] = {}
        for key, entries in self.entries_of.items():
            tails.setdefault(_loose(key), []).extend(tail for section, tail in entries if wanted(section))
        for phrases in self._phrases.values():
            for phrase in phrases:
                needed = tails.get(_loose(phrase))
                if needed:
                    patterns = [tail for tail in needed if tail is not None]
                    gate.add(phrase, None if len(patterns) < len(needed) else tuple(dict.fromkeys(patterns)))

    @classmethod
    def load(cls, filename: str) -> PhraseBook:
        return cls(read_sections(filename))


class Gate:
    """A cheap test that a text cannot contain any of some phrases, so that finding them can be
    skipped. Each part of a phrase (what the text must keep apart with something other than a
    letter or digit) shows in the text as one of a few words, maximal ``[a-z0-9]`` runs; a
    phrase is filed under the words of its longest part, with those of its second longest,
    and with the tails one of which must follow it. A phrase with neither letters nor digits
    ("🖕") needs its leading characters instead."""

    def __init__(self) -> None:
        # kept as bytes: a text encoded as UTF-8 splits into its ``[a-z0-9]`` runs with one
        # ``translate``, since no other character encodes to an ASCII letter or digit
        self._needs: dict[bytes, dict[tuple[re.Pattern[str], ...] | None, set[bytes] | None]] = {}
        self._words: set[bytes] = set()
        self._literals: set[str] = set()
        self.disabled = False  # tests open the gate to prove it never changes an answer

    def add(self, phrase: str, tails: tuple[re.Pattern[str], ...] | None) -> None:
        parts = [_opening_words(part.lstrip("'’-"), 0) for part in _PARTS.findall(phrase)]
        parts.sort(key=lambda words: min(map(len, words)), reverse=True)
        if not parts or "" in parts[0]:
            self._literals.add(_LITERAL_HEAD.match(phrase).group())  # type: ignore[union-attr]
            return
        second = {w.encode() for w in parts[1]} if len(parts) > 1 and "" not in parts[1] else None
        for word in parts[0]:
            key = word.encode()
            self._words.add(key)
            needs = self._needs.setdefault(key, {})
            known = needs.get(tails, set())
            needs[tails] = None if known is None or second is None else known | second

    def may_find(self, text: str) -> bool:
        """False only when none of the phrases can be found in ``text``."""
        if self.disabled:
            return True
        words = text.encode().translate(_ALNUM_ONLY).split()
        for word in self._words.intersection(words):
            # a tail must match right after its head, so it is somewhere in the text
            for tails, also in self._needs[word].items():
                if (also is None or not also.isdisjoint(words)) and (
                    tails is None or any(tail.search(text) for tail in tails)
                ):
                    return True
        return any(literal in text for literal in self._literals)


def _loose(phrase: str) -> str:
    return _LOOSE.sub("", phrase)


_LOOSE = re.compile(r"['’\s\-]+")
_ALNUM = re.compile(r"[a-z0-9]")
# Maps every byte but an ASCII letter or digit to a space (see Gate).
_ALNUM_ONLY = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for c in range(256))
# The parts of a phrase that the text must separate from each other with something other than a
# letter or digit: a space matches "[\s\-]+" and other symbols only themselves. Inside a part an
# apostrophe or hyphen may be left out, joining words ("shes", "coordinator").
_PARTS = re.compile(r"[a-z0-9'’\-]*[a-z0-9][a-z0-9'’\-]*")
_LITERAL_HEAD = re.compile(r"[^\s'’\-]*")


def _opening_words(phrase: str, at: int) -> set[str]:
    """The words a match of ``phrase`` from index ``at`` may open with: an apostrophe or hyphen
    may stand in the text and end the word ("co ordinator") or be left out ("coordinator"); any
    other character that is not a letter or digit, and the end of the phrase, end it."""
    if at == len(phrase):
        return {""}
    ch = phrase[at]
    if _ALNUM.fullmatch(ch):
        return {ch + rest for rest in _opening_words(phrase, at + 1)}
    if ch in "'’-":
        return {""} | _opening_words(phrase, at + 1)
    return {""}


def read_sections(filename: str) -> dict[str, list[Entry]]:
    """Parse a phrase file (syntax in its header) into expanded entries by section."""
    sections: dict[str, list[Entry]] = {}
    macros: dict[str, str] = {}
    current: list[Entry] | None = None

    def sub_macros(s: str) -> str:
        return _MACRO.sub(lambda m: macros[m.group(1)], s)

    for raw in (_DATA / filename).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line == "#" or line.startswith("# "):
            continue
        if line.startswith("@") and "=" in line:
            name, _, value = line[1:].partition("=")
            macros[name.strip()] = "{" + sub_macros(value.strip()) + "}"
        elif line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is not None:
            head, tilde, tail = sub_macros(line).lower().partition(" ~ ")
            pattern = _tail_regex(tail) if tilde else None
            current.extend((phrase, pattern) for phrase in _expand(head))
    return sections


def _tail_regex(tail: str) -> re.Pattern[str]:
    """The tail of a "head ~ tail" entry as a regex matching right after the head."""
    body, _ = _grammar(" ".join(tail.split()), 0)
    return re.compile(_SPACE + body + r"(?![a-z0-9])")


_SPACE = _SYMBOLS[" "]


def _grammar(s: str, i: int) -> tuple[str, int]:
    """Translate phrase syntax to regex from ``i`` up to an unmatched "|" or "}". An optional
    group swallows the space next to it, so "{a|} b" matches "a b" and "b"."""
    parts: list[str] = []
    while i < len(s) and s[i] not in "|}":
        if s[i] != "{":
            parts.append(_SYMBOLS.get(s[i], re.escape(s[i])))
            i += 1
            continue
        alts: list[str] = []
        while True:
            alt, i = _grammar(s, i + 1)
            alts.append(alt)
            if i >= len(s) or s[i] == "}":
                break
        i += 1  # past "}"
        group = "(?:" + "|".join(a for a in alts if a) + ")"
        if all(alts):
            parts.append(group)
        elif i < len(s) and s[i] == " " and (not parts or parts[-1] == _SPACE):
            parts.append("(?:" + group + _SPACE + ")?")
            i += 1
        elif parts and parts[-1] == _SPACE:
            parts[-1] = "(?:" + _SPACE + group + ")?"
        else:
            parts.append(group + "?")
    return "".join(parts), i


# -- vocabularies ------------------------------------------------------------------------------


def _word_file(filename: str) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {"": set()}
    section = ""
    for raw in (_DATA / filename).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#") or not line:
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        out.setdefault(section, set()).update(line.lower().split())
    return {k: frozenset(v) for k, v in out.items()}


_BOOK = PhraseBook.load("staff_phrases.txt")
_NAMES_FILE = _word_file("staff_first_names.txt")
_AMBIGUOUS_NAMES = _NAMES_FILE.get("ambiguous", frozenset())
# First names that may be written in lower case ("my cpn jo") and those that need a capital.
_LOWER_NAMES = _NAMES_FILE[""] - _AMBIGUOUS_NAMES
_FIRST_NAMES = _NAMES_FILE[""] | _AMBIGUOUS_NAMES
_NOT_NAMES = _word_file("staff_not_names.txt")[""]


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STAFF_TITLES = frozenset({"dr", "doctor", "prof", "professor"})
_OFFICE_ROLES = frozenset(
    {"chief executive", "chief exec", "ceo", "medical director", "director of nursing", "head of nursing",
     "complaints manager", "clinical director"}
)  # fmt: skip
_CUES = {"threat", "doxx", "sack", "insult", "conduct", "complain", "allege"}
_STRONG = {"threat", "doxx", "sack", "insult", "allege"}
_SOFT_ALLEGATIONS = re.compile(
    r"lie|lying|liar|racist|sexist|phobic|bigot|misogyn|semitic|cover|whitewash|dishonest|cheat|bent|shady|two"
)
_NEGATORS = word_set(
    "not never isnt wasnt arent werent dont doesnt didnt wont wouldnt cant couldnt shouldnt hasnt "
    "havent hadnt aint nobody hardly nothing without"
)
_SOFTENERS = frozenset({"bit", "slightly", "tad", "little", "somewhat", "abit"})
_SELF = frozenset({"i", "im", "ive", "id", "we", "weve"})
_THIRD = frozenset({"he", "she", "hes", "shes", "him", "her", "his", "they", "them", "theyre"})
# "they nicked my charger" is nobody in particular; "she's been stealing" is someone.
_HE_SHE = frozenset({"he", "she", "hes", "shes", "him", "her"})
_SECOND = frozenset({"you", "youre", "ur", "u", "yourself"})
_PERSON_PRONOUNS = _THIRD | _SECOND
_ORG_HANDLE = re.compile(r"nhs|trust|council|police|gov|hospital|mind|samaritan|charity|team|news|uk$", re.I)
_REF_SECTIONS = frozenset({"title", "role", "person", "place"})
_STAFF_HANDLE_TITLES = "dr|doc|nurse|prof|sister|matron"  # a handle that opens with one is staff
_STAFF_HANDLE_IN_TEXT = re.compile(f"@(?:{_STAFF_HANDLE_TITLES})")
_STAFF_HANDLE = re.compile(f"(?i)^(?:{_STAFF_HANDLE_TITLES})")
_STAFF_HANDLE_ANYWHERE = re.compile(f"(?i)@(?:{_STAFF_HANDLE_TITLES})")
# Sections whose phrases can lead to a finding: an allegation, or a reference to staff.
_FINDING_SECTIONS = frozenset({"allege", "title", "role", "place"})
# Capitalised words after "Doctor" that make it fiction, not staff ("Doctor Who", "Dr Foster").
_FICTION = word_set(
    "who strange foster house no evil jekyll frankenstein dolittle doolittle seuss pepper oz martens feelgood phil google"
)
# Reported speech: in "Dr Hollis said the side effects can be horrible" the cue is not about her.
_SPEECH = re.compile(
    r"(?i)\b(?:said|says|told|tells|explained|explains|warned|mentioned|reckons|thinks|thought|asked|advised)\b[^,.;!?]*$"
)
# Flexible threats and addresses that fixed phrases cannot spell out.
_THREAT = re.compile(
    r"\bknow where (?:[\w'’]+ ){0,3}(?:lives|parks|drinks|works out|takes (?:her|his) kids)\b|\bwait(?:ing)? for (?:[\w'’]+ ){1,3}(?:after (?:work|(?:her|his) shift)|outside (?:work|the (?:ward|clinic|hospital)))"
)
_ADDRESS = re.compile(
    r"\b(?:\d+[a-z]?,?\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?\s+(?:Road|Rd|Street|Avenue|Ave|Lane|Close|Way|Drive|Crescent|"
    r"Gardens|Place|Terrace|Grove|Court|Hill|Rise|Mews|Square)\b|\b[A-Z]{1,2}\d{1,2}[A-Z]?\s?\d[A-Z]{2}\b"
)

_U = "A-ZÀ-ÖØ-Þ"
_L = "a-zß-öø-ÿ"
_NAME = rf"[{_U}](?:[{_L}]+(?:['’]?[{_U}][{_L}]+)?|['’][{_U}][{_L}]+)(?:-[{_U}][{_L}]+)?(?![\w])"
_NAME_AFTER = re.compile(rf"\.?[ \t]*,?[ \t]+({_NAME})(?:[ \t]+({_NAME}))?")
_CAPS_AFTER = re.compile(r"\.?[ \t]+([A-Z]{2,}(?:['’-][A-Z]+)?)(?![\w])")
_INITIAL_AFTER = re.compile(r"\.?[ \t]+([A-HJ-Z])\.?(?![\w&])")  # "Dr H", never "my dr I think"
_LOWER_AFTER = re.compile(rf"\.?[ \t]+([{_L}][{_L}'’-]+)(?![\w])")
_NAME_BEFORE = re.compile(
    rf"(?:^|[^\w@])({_NAME})(?:[ \t]+({_NAME}))?[ \t]*[,(\-–]?[ \t]*"
    r"(?:(?:is|was|who is|who's|whos|as)[ \t]+)?(?:(?:the|my|our|her|his|their|a|an)[ \t]+)?$"
)
_DET_BEFORE = re.compile(
    r"(?i)(?:^|[^\w'’])(my|our|your|ur|his|her|their|the|that|this|a|an|any|some|every|no|other|"
    r"(?!(?:there|here|it|that|what|who|he|she|let|where|how|when|one|everyone|someone|nobody)['’]s)"
    r"[a-z0-9]+['’]s)\s+((?:[\w'’-]+\s+){0,2})$"
)
_LOCATOR = re.compile(
    r"(?i)[ \t]*,?[ \t]+(?:(?:who|that)(?=[ \t])|(?:(?:was|is|were)[ \t]+)?(?:on|at|from|in|for|of|based[ \t]+(?:at|in)|covering)[ \t]+"
    r"(?:the[ \t]+)?(?-i:[A-Z][\w'’-]*(?:[ \t]+(?:[A-Z][\w'’-]*|\d+[A-Za-z]?(?!\w)))*)"
    r"|(?:(?:was|is|were)[ \t]+)?(?:on|at|from|in)[ \t]+(?:the[ \t]+)?(?:[\w'’-]+[ \t]+)?"
    r"(?:ward|reception|desk|front desk|team|unit|clinic|hub|duty|nights|days|switchboard|crisis (?:line|team))"
    r"(?:[ \t]+\d+[A-Za-z]?(?!\w))?)"
)
_NAME_LOCATOR = re.compile(
    rf"(?:^|[^\w@])({_NAME})[ \t]+(?:from|at|on|in|of)[ \t]+(?:the[ \t]+)?(?:[\w'’&-]+[ \t]+){{0,3}}$"
)
_CAPNAME = re.compile(rf"(?<![\w@])({_NAME})(?:[ \t]+({_NAME}))?")
_HANDLE = re.compile(r"(?<![\w.])@(\w{2,30})")
_SENT_END = re.compile(r"[.!?]+(?=\s|$)|\n+")
_TITLE_DOT = re.compile(r"(?i)(?:^|\W)(?:dr|mr|mrs|ms|prof|st|no)$")
_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)?")

_NAMED, _SPECIFIC, _BARE = 3, 2, 1


@dataclass(slots=True)
class _Ref:
    start: int
    end: int
    strength: int
    staff: bool
    label: str = ""
    cues: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Hit:
    ns: int  # normalised offsets
    ne: int
    start: int  # original offsets
    end: int
    section: str


class StaffDetector:
    """Staff mentions, posts that target staff, and allegations about identifiable people."""

    name = "staff"

    def __init__(self, config: DetectorConfig | None = None) -> None:
        config = config or DetectorConfig()
        sections: dict[str, list[str]] = {}
        lower_names = set(_LOWER_NAMES)
        self._staff_handles: set[str] = set()
        for i, member in enumerate(config.staff):
            parts = member.name.split()
            phrases = [normalise(member.name).text]
            for alias in member.aliases:
                if alias.startswith("@"):
                    self._staff_handles.add(alias[1:].lower())
                else:
                    phrases.append(normalise(alias).text)
            sections[f"staff:{i}"] = [" ".join(p.split()) for p in phrases]
            lower_names.update(p.lower() for p in parts)
        self._config_book = PhraseBook(sections) if sections else None
        # Findings need an allegation or a member of staff: the phrases of these sections, or an
        # @handle (see _refs). Other phrases, cues included, never yield a finding on their own.
        self._gate = Gate()
        _BOOK.add_to(self._gate, lambda section: section in _FINDING_SECTIONS)
        if self._config_book is not None:
            self._config_book.add_to(self._gate, lambda section: True)
        self._staff_names = [m.name for m in config.staff]
        self._lower_names = frozenset(lower_names)
        self._surnames = frozenset(m.name.split()[-1].lower() for m in config.staff if m.name.split())
        self._org_handles = frozenset(h.lstrip("@").lower() for h in config.account_handles)

    # -- finding people ------------------------------------------------------------------------

    def _name_after(self, text: str, pos: int, loose: bool) -> tuple[int, int] | None:
        """A name right after ``pos``: capitalised and not a common word, or a known first name in
        lower case ("nurse jo"); with ``loose`` any uncommon lower-case word ("dr hollis").
        (-1, -1) marks a fictional doctor, who is nobody's staff."""
        m = _NAME_AFTER.match(text, pos)
        if m and m.group(1).lower() in _FICTION:
            return (-1, -1)
        if m and m.group(1).lower() not in _NOT_NAMES:
            second = m.group(2)
            if second and second.lower() not in _NOT_NAMES:
                return m.start(1), m.end(2)
            return m.start(1), m.end(1)
        m = _CAPS_AFTER.match(text, pos)  # "DR HOLLIS WAS SO RUDE"
        if m and m.group(1).lower() not in _NOT_NAMES:
            return m.start(1), m.end(1)
        m = _LOWER_AFTER.match(text, pos)
        if m:
            word = m.group(1).lower()
            if word in self._lower_names or (loose and len(word) > 2 and word not in _NOT_NAMES):
                return m.start(1), m.end(1)
        m = _INITIAL_AFTER.match(text, pos) if loose else None
        return (m.start(1), m.end(1)) if m else None

    def _role_ref(self, text: str, hit: _Hit, office: bool) -> _Ref | None:
        start, end = hit.start, hit.end
        word = text[start:end]
        before = text[max(0, start - 50) : start]
        if word.lower() == "manager" and re.search(r"(?i)\b(?:my|his|her|their|your)\s+$", before):
            return None  # "my manager at work": the writer's employer, not the Trust's staff
        if word.lower() == "sister":
            # "my sister" is family; "Sister Patel" (or "sister patel") is a title
            if re.search(r"(?i)\b(?:my|his|her|your|our|their|\w+'s)\s+$", before):
                return None
            if word[0] != "S":
                name = self._name_after(text, end, loose=True)
                return _Ref(start, name[1], _NAMED, True) if name and name[0] >= 0 else None
        det = _DET_BEFORE.search(before)
        det_word = det.group(1).lower() if det else ""
        ref_start = start - len(before) + det.start(1) if det else start
        name = self._name_after(text, end, loose=False)
        if name == (-1, -1):
            return None
        if name:
            return _Ref(ref_start, name[1], _NAMED, True)
        if det_word in ("a", "an", "any", "some", "every", "no", "other"):
            return None  # "a nurse", "no psychologist": nobody in particular
        m = _NAME_BEFORE.search(text, max(0, ref_start - 40), ref_start)
        if m and (m.group(1).lower() in _FIRST_NAMES or m.group(1).lower() in self._lower_names):
            return _Ref(m.start(1), end, _NAMED, True)
        locator = _LOCATOR.match(text, end)
        ref_end = locator.end() if locator else end
        modifiers = det.group(2) if det else ""
        if det_word in ("the", "") and not (
            locator or office or any(w[:1].isupper() for w in modifiers.split())
        ):
            return _Ref(ref_start, ref_end, _BARE, True)
        return _Ref(ref_start, ref_end, _SPECIFIC, True)

    def _refs(self, prepared: Prepared, hits: list[_Hit], handles: bool) -> list[_Ref]:
        text = prepared.text
        refs: list[_Ref] = []
        for hit in hits:
            section = hit.section
            if section == "title":
                title = text[hit.start : hit.end].lower().rstrip(".")
                staff = title in _STAFF_TITLES
                if title == "miss" and not text[hit.start].isupper():
                    continue
                name = self._name_after(text, hit.end, loose=title in ("dr", "prof"))
                if name == (-1, -1):
                    continue
                if name:
                    surname = text[name[0] : name[1]].split()[-1].lower()
                    refs.append(_Ref(hit.start, name[1], _NAMED, staff or surname in self._surnames))
                elif staff:
                    ref = self._role_ref(text, hit, office=False)
                    if ref:
                        refs.append(ref)
            elif section == "role":
                ref = self._role_ref(
                    text, hit, office=_key(text[hit.start : hit.end].lower()) in _OFFICE_ROLES
                )
                if ref:
                    refs.append(ref)
            elif section == "person":
                refs.append(_Ref(hit.start, hit.end, _SPECIFIC, False))
            elif section == "place":
                m = _NAME_LOCATOR.search(text, max(0, hit.start - 60), hit.start)
                if m and (m.group(1).lower() in _FIRST_NAMES or m.group(1).lower() in self._lower_names):
                    refs.append(_Ref(m.start(1), hit.end, _NAMED, True))
            elif section.startswith("staff:"):
                who = self._staff_names[int(section[6:])]
                refs.append(_Ref(hit.start, hit.end, _NAMED, True, label=who))
        if handles:
            for m in _HANDLE.finditer(text):
                handle = m.group(1).lower()
                if handle in self._org_handles or (
                    _ORG_HANDLE.search(handle) and not _STAFF_HANDLE.match(handle)
                ):
                    continue
                staff = handle in self._staff_handles or bool(_STAFF_HANDLE.match(handle))
                refs.append(_Ref(m.start(), m.end(), _NAMED, staff))
        return _merge(refs)

    # -- the detector --------------------------------------------------------------------------

    def detect(self, prepared: Prepared) -> list[Finding]:
        norm = prepared.norm
        ntext = norm.text
        if not self._gate.may_find(ntext) and not (
            "@" in ntext and (self._staff_handles or _STAFF_HANDLE_ANYWHERE.search(prepared.text))
        ):
            # no allegation, title, role, place or staff name, and no @handle that _refs() could
            # take for staff: it needs "@" in the normalised text and, unless the directory lists
            # handles, one matching _STAFF_HANDLE in the original
            return []
        raw_hits = _BOOK.find(ntext)
        if self._config_book is not None:
            raw_hits += self._config_book.find(ntext)
        # Most messages name nobody and attack nobody: stop before any real work.
        sections = {section for _, _, section in raw_hits}
        has_cue = not sections.isdisjoint(_CUES)
        handles = "@" in ntext and (has_cue or self._staff_handles or _STAFF_HANDLE_IN_TEXT.search(ntext))
        named = not sections.isdisjoint(_REF_SECTIONS) or any(s.startswith("staff:") for s in sections)
        if not has_cue and not handles and not named:
            return []
        offsets = norm.offsets  # phrase matches are never empty, so no clamping is needed
        hits = [_Hit(ns, ne, offsets[ns], offsets[ne - 1] + 1, section) for ns, ne, section in raw_hits]
        refs = self._refs(prepared, hits, bool(handles))
        if any(r.staff for r in refs):
            hits += _pattern_cues(prepared)
        cues = [h for h in hits if h.section in _CUES]
        findings = [
            Finding(
                "targets_staff",
                0.0,
                r.start,
                r.end,
                self.name,
                "staff_mention",
                _mention_note(prepared.text, r),
            )
            for r in refs
            if r.staff
        ]
        if cues:
            findings += self._judge(prepared, hits, cues, refs)
        return findings

    def _judge(
        self, prepared: Prepared, hits: list[_Hit], cues: list[_Hit], refs: list[_Ref]
    ) -> list[Finding]:
        text = prepared.text
        ntext = prepared.norm.text
        ends = _sentence_ends(text)
        modifiers = [h for h in hits if h.section in ("assert", "hedge", "aside", "reporting", "group")]
        reporting = any(h.section == "reporting" for h in modifiers)
        findings: list[Finding] = []
        names_checked = False
        for cue in cues:
            # "accused me of stealing", "like a criminal", "daylight robbery"
            if any(h.section == "aside" and h.start <= cue.start < h.end + 3 for h in modifiers):
                continue
            sent = bisect_right(ends, cue.start)
            window = _tokens_before(ntext, cue.ns, prepared.norm.offsets, ends, sent)
            if _negated(window):
                continue
            if cue.section == "conduct" and window[-1:] and window[-1] in _SOFTENERS:
                continue  # "a bit abrupt" is a gripe, not an attack
            if cue.section in ("conduct", "insult", "sack", "allege") and _self_subject(window):
                continue
            if cue.section == "sack" and _reported_past(text[cue.start : cue.end], window):
                continue
            if _grouped(modifiers, cue):
                continue
            ref = _attribute(refs, cue, ends, sent, window, text)
            if (
                ref is not None
                and cue.section in ("conduct", "insult")
                and _SPEECH.search(text, ref.end, max(ref.end, cue.start))
            ):
                continue
            if ref is None and cue.section == "allege" and not names_checked:
                names_checked = True
                refs = _merge(refs + _people_by_name(text))
                ref = _attribute(refs, cue, ends, sent, window, text)
            if cue.section == "allege":
                finding = self._allegation(prepared, cue, ref, window, modifiers, ends, sent, reporting)
                if finding is not None:
                    findings.append(finding)
                    if ref is not None and ref.staff and finding.score > 0:
                        strength = "allegation" if finding.score >= 0.9 else "weak allegation"
                        ref.cues.append((cue.start, cue.end, strength))
                continue
            if ref is not None and ref.staff:
                ref.cues.append((cue.start, cue.end, cue.section))
        praised = any(h.section == "praise" for h in hits)
        for ref in refs:
            if ref.cues:
                finding = self._targeting(text, ref, praised)
                if finding is not None:
                    findings.append(finding)
        return findings

    def _allegation(
        self,
        prepared: Prepared,
        cue: _Hit,
        ref: _Ref | None,
        window: list[str],
        modifiers: list[_Hit],
        ends: list[int],
        sent: int,
        reporting: bool,
    ) -> Finding | None:
        text = prepared.text
        soft = bool(_SOFT_ALLEGATIONS.search(text[cue.start : cue.end].lower()))
        local = window[-4:]
        if ref is not None and text.startswith("@", ref.start) and not any(w in _SECOND for w in local):
            # a reply's @handle is its addressee: "@sam he's a crook" is about "he", not @sam
            close = len(_TOKEN.findall(text.lower(), ref.end, cue.start)) <= 2
            if not close:
                ref = None
        if ref is not None:
            start, end = min(ref.start, cue.start), max(ref.end, cue.end)
            level = 2 if ref.strength == _NAMED else 1
            who = text[ref.start : ref.end]
        elif any(w in _HE_SHE for w in window[-4:]) or (
            any(w in _SECOND for w in window[-4:]) and _HANDLE.search(text)
        ):
            start, end = cue.start, cue.end
            level, who = 1, "a person referred to as he/she"
        else:
            return None
        if soft:
            level -= 1
        sentence = (ends[sent - 1] if sent else 0, ends[sent] if sent < len(ends) else len(text))
        asserted = any(h.section == "assert" for h in modifiers)
        hedged = min(
            2, sum(1 for h in modifiers if h.section == "hedge" and sentence[0] <= h.start < cue.start)
        )
        question = "?" in text[cue.end : sentence[1] + 1]
        level += int(asserted) - int(hedged) - int(question)
        if reporting:
            return Finding(
                "defamation", 0.0, start, end, self.name, "reporting", "reporting a crime or asking for help"
            )
        if level <= 0:
            return Finding(
                "defamation", 0.0, start, end, self.name, "hedged", f"opinion or question about {who}"
            )
        score = 0.9 if level >= 2 else 0.6
        return Finding(
            "defamation", score, start, end, self.name, "allegation", f"allegation stated as fact about {who}"
        )

    def _targeting(self, text: str, ref: _Ref, praised: bool) -> Finding | None:
        sections = [c[2] for c in ref.cues]
        strong = [s for s in sections if s in _STRONG or s == "allegation"]
        fear = any(s in ("threat", "doxx") for s in sections)
        medium = {
            text[c[0] : c[1]].lower() for c in ref.cues if c[2] in ("conduct", "complain", "weak allegation")
        }
        if praised and not strong and len(medium) == 1:
            return None  # "didn't listen at first but came round, really grateful"
        if ref.strength == _NAMED:
            score = 0.9 if strong or len(medium) >= 2 else 0.6
        elif ref.strength == _SPECIFIC:
            score = 0.9 if fear else 0.6
        else:
            score = 0.6 if fear else (0.3 if strong else 0.0)
        if score == 0.0:
            return None
        start = min(ref.start, *(c[0] for c in ref.cues))
        end = max(ref.end, *(c[1] for c in ref.cues))
        kinds = sorted(set(sections))
        who = text[ref.start : ref.end]
        return Finding(
            "targets_staff",
            score,
            start,
            end,
            self.name,
            "targets_staff",
            f"{'/'.join(kinds)} aimed at {who}",
        )


# -- helpers -----------------------------------------------------------------------------------


def _merge(refs: list[_Ref]) -> list[_Ref]:
    """One reference per person: "consultant Dr Smith" is found as a role and as a title."""
    refs.sort(key=lambda r: r.start)
    out: list[_Ref] = []
    for r in refs:
        if out and r.start <= out[-1].end + 1:
            last = out[-1]
            last.end = max(last.end, r.end)
            last.strength = max(last.strength, r.strength)
            last.staff = last.staff or r.staff
            last.label = last.label or r.label
        else:
            out.append(r)
    return out


def _mention_note(text: str, ref: _Ref) -> str:
    what = {_NAMED: "named", _SPECIFIC: "identifiable", _BARE: "generic"}[ref.strength]
    who = f" ({ref.label})" if ref.label else ""
    return f"{what} staff reference: {text[ref.start : ref.end]}{who}"


def _sentence_ends(text: str) -> list[int]:
    ends = []
    for m in _SENT_END.finditer(text):
        if m.group().startswith(".") and _TITLE_DOT.search(text, max(0, m.start() - 5), m.start()):
            continue  # "Dr. Hollis" does not end a sentence
        ends.append(m.end())
    return ends


def _tokens_before(ntext: str, ns: int, offsets: tuple[int, ...], ends: list[int], sent: int) -> list[str]:
    """Up to five words before a cue, within its sentence, apostrophes dropped."""
    lo = max(0, ns - 40)
    if sent:
        # sentence ends are original offsets: find the first normalised index past this one's start
        lo = max(lo, bisect_left(offsets, ends[sent - 1], lo, ns))
    return [t.replace("'", "").replace("’", "") for t in _TOKEN.findall(ntext, lo, ns)][-5:]


def _negated(window: list[str]) -> bool:
    last = window[-3:]
    if last[-2:] in (["not", "just"], ["not", "only"]):
        return False
    return any(w in _NEGATORS for w in last)


def _self_subject(window: list[str]) -> bool:
    for w in reversed(window):
        if w in _SELF:
            return True
        if w in _PERSON_PRONOUNS:
            return False
    return False


_BARE_OUTCOMES = {"sacked", "fired", "struck off", "dismissed", "suspended"}
_PAST_AUXILIARIES = {"was", "were", "been", "got", "had"}


def _reported_past(cue_text: str, window: list[str]) -> bool:
    """ "He was struck off in 2015": a report of something that happened (public record, often),
    not a call for it to happen. Calls carry a modal ("should be sacked") and match other lines;
    "was sacked for stealing" is still caught as an allegation."""
    return cue_text.lower() in _BARE_OUTCOMES and bool(window) and window[-1] in _PAST_AUXILIARIES


def _grouped(modifiers: list[_Hit], cue: _Hit) -> bool:
    """ "they're all on the fiddle": a generalisation about a group, not an allegation."""
    return any(h.section == "group" and 0 <= cue.start - h.end <= 30 for h in modifiers)


def _attribute(
    refs: list[_Ref], cue: _Hit, ends: list[int], sent: int, window: list[str], text: str
) -> _Ref | None:
    """The person a cue is about: the nearest reference in the same sentence, else the last one
    of the previous sentence when this sentence points back to someone ("She needs sacking")."""
    best: _Ref | None = None
    best_gap = 10**9
    for ref in refs:
        if bisect_right(ends, ref.start) != sent:
            continue
        gap = cue.start - ref.end if ref.end <= cue.start else max(0, ref.start - cue.end) + 1
        if gap < best_gap:
            best, best_gap = ref, gap
    if best is not None or sent == 0:
        return best
    sentence_start = ends[sent - 1]
    points_back = (
        any(w in _THIRD for w in window) or len(_TOKEN.findall(text.lower(), sentence_start, cue.start)) <= 2
    )
    if not points_back:
        return None
    previous = [r for r in refs if bisect_right(ends, r.start) == sent - 1]
    return previous[-1] if previous else None


def _pattern_cues(prepared: Prepared) -> list[_Hit]:
    """Threats and home addresses that need a regex rather than a fixed phrase."""
    norm = prepared.norm
    ntext = norm.text
    out = []
    if "know where" in ntext or "wait" in ntext:
        for m in _THREAT.finditer(ntext):
            start, end = norm.span(m.start(), m.end())
            out.append(_Hit(m.start(), m.end(), start, end, "threat"))
    if not any(
        w in ntext for w in ("live", "address", "house", "flat", "home", "postcode", "street", "road")
    ):
        return out
    for m in _ADDRESS.finditer(prepared.text):
        ns = bisect_left(norm.offsets, m.start())
        out.append(_Hit(ns, ns + 1, m.start(), m.end(), "doxx"))
    return out


def _people_by_name(text: str) -> list[_Ref]:
    """Capitalised first names ("Kelly", "Kelly Smith"): looked for only when an allegation has
    no other target, since most capitalised words are not people."""
    out = []
    for m in _CAPNAME.finditer(text):
        first = m.group(1).lower()
        if first not in _FIRST_NAMES or first in _NOT_NAMES:
            continue
        full = m.group(2) is not None and m.group(2).lower() not in _NOT_NAMES
        out.append(_Ref(m.start(1), m.end(2) if full else m.end(1), _NAMED if full else _SPECIFIC, False))
    return out
