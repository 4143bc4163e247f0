"""Word lists and phrase patterns for profanity, hate, violence, abuse and mean-spirited posts.

The vocabulary lives in ``data/lexicon_*.txt`` so that it can be read and extended without
touching code. Their syntax, one directive or entry per line (``#`` starts a comment line):

``@name = alt | alt``
    A macro: regex alternatives that templates use as ``{name}``. Repeating the line appends.
``%class NAME [obfuscatable]``
    The lines below are words (``|``-separated) forming the class ``{NAME}``. ``fuck{,s,ed}``
    expands braces, a trailing ``*`` allows any ending, a space also matches "-", "_" or nothing.
    ``obfuscatable`` words are also what ``f*ck``-style spellings are resolved against.
``%words LABEL KIND SCORE [flag...] [+class...] [-- note]``
    Words that are evidence on their own (swears, slurs); they also join each ``+class``.
``%phrases LABEL KIND SCORE [flag...] [-- note]``
    Regex templates, one a line, after ``cues:`` lines of words and optional ``requires:``
    lines: the section's regex only runs when a cue word is in the message and, if given, a
    required word too (cheap gating keeps the detector within its budget; a test proves it
    never changes an answer). In templates a space matches any run of non-word characters,
    ``'`` is an optional apostrophe (``[...]`` classes are left alone), `` ?`` an optional
    space ("nut ?house"), `` ~ `` skips up to four words (`` ~~ ``: ten), ``(`` does not
    capture, and ``{name}`` is a class or macro. SCORE 0 marks an explanation: it never raises
    a label and it cancels overlapping findings of the same label.

Flags: ``negatable`` (a "not"/"never" just before or inside turns the hit into a ``negated``
explanation), ``capname`` (a capitalised word mid-sentence is a name: "Dick", "Fanny"), ``lazy``
(an explanation section that only runs once its label has a positive hit).

Spans are found on the normalised text (``prepared.norm``) and mapped back to the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path

from civildesk.detectors.base import DetectorConfig, Finding, LazyRegex, Prepared

_DATA = Path(__file__).with_name("data")
_FILES = ("common", "profanity", "hate", "violence", "abuse", "mockery")
# Which label a resolved ``f*ck`` spelling prefers when several words fit: a hidden letter is
# far more often a swear than a slur, so a slur is chosen only when nothing else fits.
_RESOLVE_ORDER = {"profanity": 0, "abuse": 1, "": 2, "hate": 3}
_VOWELS = frozenset("aeiouy")
_FLAGS = frozenset({"negatable", "capname", "obfuscatable", "lazy"})

_SEP = r"[\s_.\-]*"
_GAP4 = r"(?:\W+[\w'’*]+){0,4}?\W+"
_GAP10 = r"(?:\W+[\w'’*]+){0,10}?\W+"
_TEMPLATE_TOKENS = re.compile(r"(\[(?:\\.|[^\]\\])*\])|\{(\w+)\}| ~~ | ~ |\\'| \?| +|'|\((?!\?)")
_BRACES = re.compile(r"\{([^{}]*)\}")
_PLAIN = re.compile(r"[a-z0-9' ]+")
_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)*")
_NEGATIONS = (
    r"(?:\b(?:not|never|no|nobody|nothing|none|neither|nor|cannot|dont|wont|cant|isnt|arent|wasnt|werent"
    r"|didnt|doesnt|shouldnt|wouldnt|couldnt|aint|havent|hasnt|hadnt|mustnt)\b|n['’]t\b)"
)
_NEGATION = re.compile(_NEGATIONS)
# A negation earlier in the same clause ("I would never hurt her"; not "isn't real mate, you're").
_NEG_BEFORE = re.compile(_NEGATIONS + r"[^\w,.;:!?]+(?:[\w'’]+[^\w,.;:!?]+){0,2}$")
_SPACED = re.compile(r"(?<![a-z])[a-z](?:[\s.*_\-]{1,2}[a-z](?![a-z])){2,}")
_INFIX_FUCK = re.compile(r"(?<![a-z])[a-z]+fuck[a-z]*")
# Three single letters in a row among the tokens: worth looking for "f u c k".
_SPACED_GATE = re.compile(rb" [a-z] [a-z] [a-z] ")
# Lone letters that start a spelled-out swear ("f u c k", "s h i t"); "a" and "i" are words.
_LONE_LETTERS = frozenset(c.encode() for c in "bcdefghjklmnopqrstvwxyz")
# ASCII text splits into the same words as _TOKEN (apostrophes dropped) several times faster
# as bytes: everything but a letter becomes a space.
_SPLIT_TABLE = bytes(c if chr(c).isalpha() else 32 for c in range(256))
# Any other text, apostrophes dropped, splits into its runs of a-z the same way: UTF-8 encodes
# no other character to an ASCII byte.
_LOWER_TABLE = bytes(c if 97 <= c <= 122 else 32 for c in range(256))
_STARRED_GATE = re.compile(r"[a-z][*#]")
# Words too common to tell us that a multi-word entry ("piss off", "cock up") may be present.
_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the of to in on off up out about over down at for with and or is are be it this that you"
        " your my me i we he she they them go get got take taking took see look by from into as all"
        " people men women man woman person patients staff lot show shows end day time life work job"
        " what know back thing way make made give put keep come coming doing do did new old good"
        " home place one two next more some any every just real really",
    )
)
# An opening quotation mark: an apostrophe inside a word ("isn't") is not one.
_QUOTE_ANY = re.compile("[\"“”«»]|(?<![a-z])['‘]")
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»\n]{1,160})[\"“”«»]|(?<![a-z0-9])['‘]([^'‘’\n]{1,120}?)['’](?![a-z])")
# Someone else's words being reported or condemned: graffiti, what a person shouted, "the word".
_REPORTING = re.compile(
    r"\b(?:spray(?:ed|ing)?|graffiti|scrawl(?:ed)?|wr[io]te|written|paint(?:ed)?|etched|carved"
    r"|shout(?:ed|ing|s)?|yell(?:ed|ing|s)?|scream(?:ed|ing)?|call(?:ed|ing|s)?|said|says|saying"
    r"|heard|overheard|told|tell(?:s|ing)?|word|words|term|slur|phrase|language|described|labell?ed"
    r"|report(?:ed|ing)?|clean(?:ed)?|remove[ds]?|offensive|upsetting|unacceptable|stigma|abuse[ds]?"
    r"|racist|homophobic|ableist|transphobic|hate crime)\b"
)
_SENTENCE_END = frozenset(".!?\n")


@dataclass(frozen=True, slots=True)
class _Role:
    label: str
    kind: str
    score: float
    flags: frozenset[str]
    note: str


@dataclass(slots=True)
class _Word:
    roles: list[_Role] = field(default_factory=list)
    cues: set[int] = field(default_factory=set)
    multi: bool = False  # the telling word of a multi-word entry: run the multi-word regex

    def merge(self, other: _Word) -> None:
        self.roles.extend(r for r in other.roles if r not in self.roles)
        self.cues |= other.cues


@dataclass(frozen=True, slots=True)
class _Section:
    label: str
    kind: str
    score: float
    flags: frozenset[str]
    note: str
    regex: LazyRegex
    requires: frozenset[str] | None  # runs only if one of these words is present too


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    label: str
    kind: str
    score: float
    note: str


# ---------------------------------------------------------------------------------------------
# Loading the word lists


@dataclass(slots=True)
class _Source:
    """The parsed data files, before anything is compiled."""

    macros: dict[str, list[str]] = field(default_factory=dict)
    classes: dict[str, list[str]] = field(default_factory=dict)
    obfuscatable: set[str] = field(default_factory=set)
    words: list[tuple[str, _Role, list[str]]] = field(default_factory=list)
    phrases: list[tuple[_Role, list[str], list[str], list[str]]] = field(default_factory=list)


def _expand(entry: str) -> list[str]:
    m = _BRACES.search(entry)
    if not m:
        return [entry]
    head, tail = entry[: m.start()], entry[m.end() :]
    return [form for alt in m.group(1).split(",") for form in _expand(head + alt + tail)]


def _entries(line: str) -> list[str]:
    return [form.lower() for part in line.split("|") if part.strip() for form in _expand(part.strip())]


def _split_alternatives(body: str) -> list[str]:
    """Split on ``|`` outside parentheses and brackets."""
    out: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in body:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "|" and depth == 0:
            out.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    out.append("".join(current).strip())
    return [alt for alt in out if alt]


def _header(parts: list[str]) -> tuple[_Role, list[str]]:
    words, _, note = " ".join(parts).partition(" -- ")
    label, kind, score, *rest = words.split()
    flags = frozenset(p for p in rest if p in _FLAGS)
    unknown = [p for p in rest if p not in _FLAGS and not p.startswith("+")]
    if unknown:
        raise ValueError(f"unknown lexicon flag(s) {unknown}")
    return _Role(label, kind, float(score), flags, note.strip()), [p[1:] for p in rest if p.startswith("+")]


def _parse(texts: Iterable[str]) -> _Source:
    src = _Source()
    for text in texts:
        mode = ""
        name = ""
        role: _Role | None = None
        joins: list[str] = []
        cues: list[str] = []
        requires: list[str] = []
        templates: list[str] = []
        for raw in [*text.splitlines(), "%end"]:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("%"):
                if mode == "phrases" and role is not None:
                    src.phrases.append((role, cues, requires, templates))
                parts = line[1:].split()
                mode, cues, requires, templates = parts[0], [], [], []
                if mode == "class":
                    name = parts[1]
                    src.classes.setdefault(name, [])
                    if "obfuscatable" in parts[2:]:
                        src.obfuscatable.add(name)
                elif mode in ("words", "phrases"):
                    role, joins = _header(parts[1:])
                continue
            if line.startswith("@"):
                key, _, body = line[1:].partition("=")
                src.macros.setdefault(key.strip(), []).extend(_split_alternatives(body))
            elif mode == "class":
                src.classes[name].extend(_entries(line))
            elif mode == "words" and role is not None:
                for form in _entries(line):
                    src.words.append((form, role, joins))
                    for cls in joins:
                        src.classes.setdefault(cls, []).append(form)
            elif mode == "phrases" and line.startswith(("cues:", "requires:")):
                target = cues if line.startswith("cues:") else requires
                for part in line.partition(":")[2].split("|"):
                    part = part.strip()
                    target.extend([part] if re.fullmatch(r"\{\w+\}", part) else _entries(part))
            elif mode == "phrases":
                templates.append(line)
    return src


# ---------------------------------------------------------------------------------------------
# Compiling: word tries and templates


_KEY_CACHE: dict[str, str] = {}


def _key(s: str) -> str:
    """A spelling-insensitive key: letters only, "@" read as "a", repeated letters squashed."""
    key = _KEY_CACHE.get(s)
    if key is None:
        letters = "".join(c for c in s.replace("@", "a") if "a" <= c <= "z")
        key = "".join(c for i, c in enumerate(letters) if i == 0 or letters[i - 1] != c)
        if len(_KEY_CACHE) < 20000:
            _KEY_CACHE[s] = key
    return key


def _word_units(form: str) -> list[str]:
    """One regex piece per character of a listed word. Vowels and the last letter may be
    doubled ("fuuck", "shitt"); the normaliser already squeezed longer runs to two."""
    last_letter = max((i for i, c in enumerate(form) if c.isalpha()), default=-1)
    units: list[str] = []
    for i, ch in enumerate(form):
        if ch == "*" and i == len(form) - 1:
            units.append("[a-z]*")
        elif ch in " -":
            if not units or units[-1] != _SEP:
                units.append(_SEP)
        elif ch in "'’":
            units.append("['’]?")
        elif ch.isalpha() and (ch in _VOWELS or i == last_letter):
            units.append(f"{re.escape(ch)}{re.escape(ch)}?")
        else:
            units.append(re.escape(ch))
    return units


def _phrase_units(alt: str) -> list[str]:
    """Units for a plain macro alternative, read exactly as a template would read it."""
    units: list[str] = []
    for ch in alt:
        if ch == " ":
            if not units or units[-1] != r"\W+":
                units.append(r"\W+")
        elif ch == "'":
            units.append("['’]?")
        else:
            units.append(re.escape(ch))
    return units


def _trie(forms: Iterable[str], units: Callable[[str], list[str]] = _word_units) -> str:
    """One alternation with shared prefixes factored out: Python's regex engine tries branches
    one by one, so a flat list of a thousand words is twenty times slower than a trie."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for form in forms:
        node = root
        for unit in units(form):
            node = node.setdefault(unit, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        alts = [unit + emit(child) for unit, child in sorted(node.items()) if unit]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root) or "(?!)"


def _telling(form: str) -> str:
    """The word of a multi-word entry least likely to turn up by chance ("piss" in "piss off")."""
    tokens = _TOKEN.findall(form)
    telling = [t for t in tokens if t not in _STOPWORDS] or tokens
    return max(reversed(telling), key=len) if tokens else ""


def _variants(token: str) -> set[str]:
    """The spellings a one-word entry may take once normalised: with or without apostrophes,
    and with up to two of its vowels (or its last letter) doubled ("fuuck", "shitt")."""
    out: set[str] = set()
    plain = token.replace("'", "")
    bases = {token, plain, token.replace("'", "’")}
    if not plain.endswith("s"):
        bases.add(plain + "s")  # "everyone's" reads "everyones" once apostrophes go
    for base in bases:
        # the last letter may be stretched too, but not a plural "s" ("asses" is not "assess")
        spots = [i for i, c in enumerate(base) if c in _VOWELS or (i == len(base) - 1 and c != "s")]
        for k in range(3):
            for chosen in combinations(spots, k):
                out.add("".join(c * 2 if i in chosen else c for i, c in enumerate(base)))
    return out


class _Compiler:
    def __init__(self, src: _Source, extra_macros: dict[str, list[str]]) -> None:
        self.src = src
        self.macros = {**src.macros, **extra_macros}
        self.cache: dict[str, str] = {}

    def ref(self, name: str) -> str:
        if name not in self.cache:
            if name in self.src.classes:
                self.cache[name] = "(?:" + _trie(self.src.classes[name]) + ")"
            elif name in self.macros:
                alts = self.macros[name]
                plain = [a for a in alts if _PLAIN.fullmatch(a)]
                rest = [self.template(a) for a in alts if not _PLAIN.fullmatch(a)]
                parts = ([_trie(plain, _phrase_units)] if plain else []) + rest
                self.cache[name] = "(?:" + "|".join(parts) + ")"
            else:
                raise KeyError(f"lexicon template refers to unknown {{{name}}}")
        return self.cache[name]

    def template(self, tpl: str) -> str:
        def sub(m: re.Match[str]) -> str:
            tok = m.group()
            if m.group(1):
                return tok  # a character class is plain regex
            if m.group(2):
                return self.ref(m.group(2))
            if tok == " ~~ ":
                return _GAP10
            if tok == " ~ ":
                return _GAP4
            if tok == "\\'":
                return "'"
            if tok == " ?":
                return r"\W*"
            if tok.startswith(" "):
                return r"\W+"
            if tok == "'":
                return "['’]?"
            return "(?:"

        return _TEMPLATE_TOKENS.sub(sub, tpl)

    def section(self, templates: list[str]) -> LazyRegex:
        alternatives = [alt for t in templates for alt in _split_alternatives(t)]
        body = "|".join(self.template(t) for t in _factor(alternatives))
        return LazyRegex(rf"(?<![a-z])(?:{body})(?!\w)")


def _top_level_words(template: str) -> list[str]:
    """Split a template on spaces that are outside brackets."""
    words: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in template:
        depth += (ch in "([{") - (ch in ")]}")
        if ch == " " and depth == 0:
            words.append("".join(current))
            current = []
        else:
            current.append(ch)
    words.append("".join(current))
    return words


def _factor(templates: list[str]) -> list[str]:
    """Merge templates that open the same way ("{i_will} ... kill you", "{i_will} ... burn the
    place down") into one with a shared head: the regex engine then tries the head once at each
    word instead of once per template, which is most of the cost of a section."""
    groups: dict[str, list[list[str]]] = {}
    for template in templates:
        words = _top_level_words(template)
        groups.setdefault(words[0], []).append(words)
    out: list[str] = []
    for members in groups.values():
        if len(members) > 1 and any(m[1].startswith("~") for m in members if len(m) > 1):
            out.extend(" ".join(m) for m in members)
            continue
        if len(members) == 1:
            out.append(" ".join(members[0]))
            continue
        shared = 0
        while all(len(m) > shared + 1 and m[shared] == members[0][shared] for m in members):
            shared += 1
        head = " ".join(members[0][:shared])
        tails = "|".join(" ".join(m[shared:]) for m in members)
        out.append(f"{head} ({tails})")
    return out


@dataclass(frozen=True, slots=True)
class _Lexicon:
    index: dict[str, _Word]  # every spelling of every one-word entry
    keys: frozenset[str]
    keyed: dict[str, _Word]  # spelling-insensitive key -> entry, for what the regexes find
    prefixes: tuple[tuple[str, _Word], ...]
    prefix_cores: tuple[str, ...]
    prefix_scan: re.Pattern[str]
    infix: _Word | None  # "absofuckinglutely": the one swear safe to find inside other words
    multi_scan: re.Pattern[str]
    special: dict[str, _Word]  # entries that are not letters ("🖕", "😂")
    special_scan: re.Pattern[str]
    sections: tuple[_Section, ...]
    explaining: frozenset[int]  # sections marked lazy
    resolvable: dict[str, tuple[tuple[str, _Word], ...]]
    resolved: dict[str, tuple[str, _Word] | None] = field(default_factory=dict)
    # ``index``, ``keys`` and each section's ``requires`` as bytes, to look up what _words() finds
    word_index: dict[bytes, _Word] = field(default_factory=dict)
    word_keys: frozenset[bytes] = frozenset()
    word_requires: tuple[frozenset[bytes] | None, ...] = ()

    def __post_init__(self) -> None:
        self.word_index.update((k.encode(), v) for k, v in self.index.items())
        object.__setattr__(self, "word_keys", frozenset(self.word_index))
        object.__setattr__(
            self,
            "word_requires",
            tuple(
                None if s.requires is None else frozenset(w.encode() for w in s.requires)
                for s in self.sections
            ),
        )


def _staff_macros(staff: tuple[tuple[str, ...], ...]) -> dict[str, list[str]]:
    names: list[str] = []
    for aliases in staff:
        for name in aliases:
            words = re.findall(r"[a-z]+", name.lower())
            if words:
                names.append(" ".join(words))
                if len(words) >= 2 and len(words[-1]) >= 4:
                    names.append(words[-1])  # "Dr Hollis" is also "Hollis"
    return {"staff_name": sorted(set(names)) or ["(?!)"]}


def _place_macros(places: tuple[str, ...]) -> dict[str, list[str]]:
    names = {" ".join(re.findall(r"[a-z0-9]+", p.lower())) for p in places}
    return {"place": sorted(n for n in names if n) or ["(?!)"]}


@lru_cache(maxsize=1)
def _read_sources() -> tuple[str, ...]:
    return tuple((_DATA / f"lexicon_{name}.txt").read_text(encoding="utf-8") for name in _FILES)


@lru_cache(maxsize=16)
def _build(staff: tuple[tuple[str, ...], ...], places: tuple[str, ...] = ()) -> _Lexicon:
    src = _parse(_read_sources())
    comp = _Compiler(src, _staff_macros(staff) | _place_macros(places))
    forms: dict[str, _Word] = {}  # every listed spelling, as written in the data files

    for form, role, _joins in src.words:
        entry = forms.setdefault(form, _Word())
        if role not in entry.roles:
            entry.roles.append(role)

    def spellings(entries: list[str]) -> Iterator[str]:
        for item in entries:
            m = re.fullmatch(r"\{(\w+)\}", item)
            yield from src.classes[m.group(1)] if m else [item]

    sections: list[_Section] = []
    for number, (role, cues, requires, templates) in enumerate(src.phrases):
        needed = None
        if requires:
            needed = frozenset(v for f in spellings(requires) for v in _variants(_telling(f)))
        regex = comp.section(templates)
        sections.append(_Section(role.label, role.kind, role.score, role.flags, role.note, regex, needed))
        for form in spellings(cues):
            forms.setdefault(form, _Word()).cues.add(number)

    # Spellings like "f*ck" and "id*ot" are resolved against swears, slurs and insults.
    resolvable: dict[str, list[tuple[str, _Word]]] = {}
    seen: set[str] = set()
    for form in [f for f, _, _ in src.words] + [f for c in sorted(src.obfuscatable) for f in src.classes[c]]:
        flat = re.sub(r"[^a-z]", "", form)
        if form.endswith("*") or not flat or flat in seen:
            continue
        seen.add(flat)
        resolvable.setdefault(flat[0], []).append((flat, forms.setdefault(form, _Word())))

    # "fuckwits" is listed as an insult and also starts with the swear "fuck*": give it both.
    prefixes = {f[:-1]: e for f, e in forms.items() if f.endswith("*")}
    for form, entry in forms.items():
        for prefix, pentry in prefixes.items():
            if form.startswith(prefix) and form != prefix + "*":
                entry.merge(pentry)

    # One-word entries are found by looking tokens up (every spelling in ``index``); multi-word
    # ones by a small regex that runs when their most telling word is present; entries that are
    # not words ("🖕") by a regex over non-ASCII text. What the regexes find is looked up by key.
    index: dict[str, _Word] = {}
    keyed: dict[str, _Word] = {}
    multi: list[str] = []
    special: dict[str, _Word] = {}
    for form, entry in forms.items():
        if form.endswith("*"):
            keyed.setdefault(_key(form), _Word()).merge(entry)
        elif not re.search(r"[a-z]", form):
            special[form] = entry
        elif _TOKEN.fullmatch(form):
            for variant in _variants(form):
                index.setdefault(variant, _Word()).merge(entry)
        else:
            trigger = _telling(form)
            if entry.roles:
                multi.append(form)
                keyed.setdefault(_key(form), _Word()).merge(entry)
            for variant in _variants(trigger) if trigger else ():
                if entry.roles:
                    index.setdefault(variant, _Word()).multi = True
                else:  # a cue only: its most telling word is cue enough
                    index.setdefault(variant, _Word()).cues |= entry.cues
            joined = "".join(_TOKEN.findall(form))
            if _TOKEN.fullmatch(joined):  # "bellend", "wetwipe"
                for variant in _variants(joined):
                    index.setdefault(variant, _Word()).merge(entry)
    for form, entry in forms.items():  # exact words the prefix regex may also meet ("fucking")
        if _TOKEN.fullmatch(form) and entry.roles:
            keyed.setdefault(_key(form), _Word()).merge(entry)
    starred = sorted(f for f in forms if f.endswith("*"))
    return _Lexicon(
        index=index,
        keys=frozenset(index),
        keyed=keyed,
        prefixes=tuple(sorted(((_key(p), e) for p, e in prefixes.items()), key=lambda kv: -len(kv[0]))),
        prefix_cores=tuple(sorted(prefixes)),
        prefix_scan=re.compile(rf"(?<![a-z])(?:{_trie(starred)})"),
        infix=prefixes.get("fuck"),
        multi_scan=re.compile(rf"(?<![a-z])(?:{_trie(sorted(multi))})(?![a-z])"),
        special=special,
        special_scan=re.compile("|".join(re.escape(f) for f in special) or "(?!)"),
        sections=tuple(sections),
        explaining=frozenset(n for n, sec in enumerate(sections) if "lazy" in sec.flags),
        resolvable={k: tuple(v) for k, v in resolvable.items()},
    )


# ---------------------------------------------------------------------------------------------
# The detector


class LexiconDetector:
    """Finds profanity, hate, violence, abuse and mean-spirited language with evidence spans.

    ``config.staff`` names become targets for insults and threats ("Dr Hollis is a muppet");
    ``config.places`` name the Trust's sites and wards, for mockery such as "everyone knows you
    were in Springfield".
    """

    name = "lexicon"

    def __init__(self, config: DetectorConfig | None = None) -> None:
        staff = config.staff if config else ()
        places = config.places if config else ()
        self._lex = _build(tuple((m.name, *m.aliases) for m in staff), tuple(places))
        self._gate = True  # tests switch gating off to prove it never changes an answer

    def detect(self, prepared: Prepared) -> list[Finding]:
        norm = prepared.norm
        text = norm.text
        lex = self._lex
        words = _words(text)
        regions: list[tuple[int, int]] = []
        direct: list[tuple[int, int, _Word]] = []
        starred = ("*" in text or "#" in text) and _STARRED_GATE.search(text) is not None
        spaced = (
            not _LONE_LETTERS.isdisjoint(words)
            and _SPACED_GATE.search(b" %b " % b" ".join(words)) is not None
        )
        if starred or spaced:
            clean = self._deobfuscate(text, regions, direct, spaced)
            if clean != text:
                text, words = clean, _words(clean)

        # One pass over the listed words present: what they are evidence of, which phrase
        # sections they cue, and whether positions must be looked for at all.
        index = lex.word_index
        cued: set[int] = set()
        positioned: set[str] = set()
        multi = False
        for t in lex.word_keys.intersection(words):
            entry = index[t]
            cued |= entry.cues
            if entry.roles:
                positioned.add(t.decode())
            multi = multi or entry.multi
        prefixed = False
        for core in lex.prefix_cores:
            if core in text:
                prefixed = True
                break
        special = not text.isascii() and lex.special_scan.search(text) is not None
        active = cued - lex.explaining if self._gate else set(range(len(lex.sections))) - lex.explaining
        if not (active or positioned or multi or prefixed or special or direct):
            return []  # the common case: nothing in the message that could raise a label

        hits: list[_Hit] = []
        for start, end, entry in self._positions(text, positioned, multi, prefixed, special, direct):
            active |= entry.cues - lex.explaining
            cued |= entry.cues
            end = _extend(start, end, regions)
            for role in entry.roles:
                if "capname" in role.flags and _is_name(prepared.text, norm.span(start, end)[0]):
                    continue
                hits.append(_Hit(start, end, role.label, role.kind, role.score, role.note))

        sections = lex.sections
        requires = lex.word_requires
        present = frozenset(words)
        for number in sorted(active):  # a fixed order keeps the answer independent of gating
            sec = sections[number]
            needed = requires[number]
            if self._gate and needed is not None and needed.isdisjoint(present):
                continue
            self._run(sec, text, hits)
        # explanations only matter once their label has something to explain
        explaining = cued & lex.explaining if self._gate else lex.explaining
        if explaining and hits:
            positive = {h.label for h in hits if h.score > 0}
            for number in sorted(explaining):
                sec = sections[number]
                if sec.label in positive:
                    self._run(sec, text, hits)

        if not hits:
            return []
        hits = _reported_quotes(text, hits)
        return [
            Finding(h.label, h.score, *norm.span(h.start, h.end), self.name, h.kind, h.note)
            for h in _settle(hits)
        ]

    @staticmethod
    def _run(sec: _Section, text: str, hits: list[_Hit]) -> None:
        for m in sec.regex.get().finditer(text):
            start, end = m.span()
            if "negatable" in sec.flags and _negated(text, start, end):
                hits.append(_Hit(start, end, sec.label, "negated", 0.0, "negated: " + sec.note))
            else:
                hits.append(_Hit(start, end, sec.label, sec.kind, sec.score, sec.note))

    def _positions(
        self,
        text: str,
        positioned: set[str],
        multi: bool,
        prefixed: bool,
        special: bool,
        direct: list[tuple[int, int, _Word]],
    ) -> list[tuple[int, int, _Word]]:
        """Where the listed words that are evidence on their own stand in the text."""
        lex = self._lex
        index = lex.index
        out = list(direct)
        if positioned:
            out.extend(_occurrences(text, positioned, index))
        if multi:
            for m in lex.multi_scan.finditer(text):
                found = lex.keyed.get(_key(m.group()))
                if found is not None:
                    out.append((m.start(), m.end(), found))
        if prefixed:
            for m in lex.prefix_scan.finditer(text):
                out.append((m.start(), m.end(), _prefix_entry(lex, _key(m.group()))))
            if lex.infix is not None and "fuck" in text:
                out.extend((m.start(), m.end(), lex.infix) for m in _INFIX_FUCK.finditer(text))
        if special:
            out.extend((m.start(), m.end(), lex.special[m.group()]) for m in lex.special_scan.finditer(text))
        return out

    def _deobfuscate(
        self, text: str, regions: list[tuple[int, int]], direct: list[tuple[int, int, _Word]], spaced: bool
    ) -> str:
        """Rewrite "f***ing", "sh*t" and "f u c k" as the words they hide (same length, so
        offsets still line up); record where, so spans can cover the whole disguise."""
        lex = self._lex
        subs: list[tuple[int, int, str]] = []
        if "*" in text or "#" in text:
            for start, end in _starred_words(text):
                found = _resolve(lex, text[start:end])
                if found is None:
                    continue
                flat, entry = found
                if len(flat) == end - start:
                    subs.append((start, end, flat))
                else:
                    direct.append((start, end, entry))
        for m in _SPACED.finditer(text) if spaced else ():
            letters = re.sub(r"[^a-z]", "", m.group())
            spelled = lex.index.get(letters)
            if spelled is not None and spelled.roles:
                subs.append((m.start(), m.end(), letters.ljust(m.end() - m.start())))
                regions.append(m.span())
        if not subs:
            return text
        out: list[str] = []
        pos = 0
        for start, end, rep in sorted(subs):
            if start < pos:
                continue
            out.extend((text[pos:start], rep))
            pos = end
        out.append(text[pos:])
        return "".join(out)


def _occurrences(text: str, words: set[str], index: dict[str, _Word]) -> list[tuple[int, int, _Word]]:
    """Where whole words stand in the text: a substring search each, far cheaper than walking
    every token; a word spelt with an apostrophe ("f'kin") falls back to the walk."""
    out: list[tuple[int, int, _Word]] = []
    missing = False
    for word in words:
        at = text.find(word)
        if at < 0:
            missing = True
        while at >= 0:
            end = at + len(word)
            if (at == 0 or not text[at - 1].isalpha()) and (end == len(text) or not text[end].isalpha()):
                out.append((at, end, index[word]))
            at = text.find(word, end)
    if missing:
        for m in _TOKEN.finditer(text):
            word = m.group()
            if ("'" in word or "’" in word) and (plain := word.replace("'", "").replace("’", "")) in words:
                out.append((m.start(), m.end(), index[plain]))
    return out


def _words(text: str) -> list[bytes]:
    """The words of a text, apostrophes dropped ("everyone's" -> "everyones"), as bytes: a
    Python string per word costs more than the rest of a message that lists none."""
    if text.isascii():
        return text.encode().translate(_SPLIT_TABLE, b"'").split()
    return text.replace("'", "").replace("’", "").encode().translate(_LOWER_TABLE).split()


def _starred_words(text: str) -> list[tuple[int, int]]:
    """Spans of words with "*" or "#" standing in for letters ("f***ing", "sh#t"); a word must
    open with a letter, so "#hashtags" and "*emphasis*" are left alone."""
    spans: list[tuple[int, int]] = []
    last = -1
    for m in _STARRED_GATE.finditer(text):
        if m.start() < last:
            continue
        start = m.start()
        while start > 0 and "a" <= text[start - 1] <= "z":
            start -= 1
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_*#"):
            continue
        end = m.end()
        while end < len(text) and ("a" <= text[end] <= "z" or text[end] in "*#"):
            end += 1
        spans.append((start, end))
        last = end
    return spans


def _prefix_entry(lex: _Lexicon, key: str) -> _Word:
    entry = lex.keyed.get(key)
    if entry is not None and entry.roles:
        return entry
    return next(p for prefix, p in lex.prefixes if key.startswith(prefix))


def _resolve(lex: _Lexicon, token: str) -> tuple[str, _Word] | None:
    """The listed word a starred spelling hides: each "*" first stands for one letter
    ("f***ing" = "fucking"), then for one to a few ("f*king")."""
    if token in lex.resolved:
        return lex.resolved[token]
    candidates = lex.resolvable.get(token[0], ())
    runs = re.findall(r"[a-z]+|[*#]+", token)
    found: tuple[str, _Word] | None = None
    for flexible in (False, True):
        pattern = "".join(
            run
            if run[0].isalpha()
            else (f"[a-z]{{1,{len(run) + 2}}}" if flexible else f"[a-z]{{{len(run)}}}")
            for run in runs
        )
        rx = re.compile(pattern)
        best: tuple[int, float] | None = None
        for flat, entry in candidates:
            if rx.fullmatch(flat):
                rank = min(
                    ((_RESOLVE_ORDER.get(r.label, 2), -r.score) for r in entry.roles), default=(1, 0.0)
                )
                if best is None or rank < best:
                    best, found = rank, (flat, entry)
        if found is not None:
            break
    if len(lex.resolved) < 4096:
        lex.resolved[token] = found
    return found


def _extend(start: int, end: int, regions: list[tuple[int, int]]) -> int:
    for rs, re_ in regions:
        if rs == start:
            return max(end, re_)
    return end


def _is_name(original: str, start: int) -> bool:
    """A capitalised word that does not open a sentence is taken for a name ("Dick Turpin")."""
    if start >= len(original) or not original[start].isupper():
        return False
    before = original[:start].rstrip()
    return bool(before) and before[-1] not in _SENTENCE_END and not before.endswith(("@", '"', "'"))


def _negated(text: str, start: int, end: int) -> bool:
    if _NEGATION.search(text[start:end]):
        return True
    return bool(_NEG_BEFORE.search(text[max(0, start - 24) : start]))


def _reported_quotes(text: str, hits: list[_Hit]) -> list[_Hit]:
    """Words inside quotation marks, in a message that reports or condemns them ("someone
    sprayed 'sp*stics out' on the shelter"), are the author's evidence, not the author's abuse."""
    if not _QUOTE_ANY.search(text) or not any(h.score > 0 for h in hits):
        return hits
    quotes = [m.span() for m in _QUOTED.finditer(text)]
    if not quotes or not _REPORTING.search(text):
        return hits
    out: list[_Hit] = []
    for h in hits:
        inside = h.score > 0 and any(qs <= h.start and h.end <= qe for qs, qe in quotes)
        if inside:
            kind = "quoted_slur" if h.label == "hate" else "quoted"
            out.append(
                _Hit(h.start, h.end, h.label, kind, 0.0, "quoted or reported, not the author's own words")
            )
        else:
            out.append(h)
    return out


def _settle(hits: list[_Hit]) -> list[_Hit]:
    """Explanations cancel what they overlap; a hit inside a stronger hit of the same label
    adds nothing; duplicates go."""
    explanations = [h for h in hits if h.score == 0]
    kept: list[_Hit] = []
    for h in hits:
        if h.score > 0 and any(
            e.label == h.label and e.start < h.end and h.start < e.end for e in explanations
        ):
            continue
        kept.append(h)
    out: list[_Hit] = []
    for h in sorted(kept, key=lambda h: (h.start, -(h.end - h.start), -h.score)):
        if any(
            o.label == h.label
            and o.start <= h.start
            and h.end <= o.end
            and (o.score >= h.score or h.score == 0)
            for o in out
        ):
            continue
        out.append(h)
    return sorted(out, key=lambda h: (h.start, h.label))
