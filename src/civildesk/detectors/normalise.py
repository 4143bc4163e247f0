"""Text normalisation that keeps a map back to the original offsets.

Abuse is written to dodge filters: ``sh1t``, ``a$$``, ``fuuuuck``, Cyrillic look-alikes, zero-width
characters. Detectors match on the normalised text and report spans in the *original* text, so
``Normalised.span(start, end)`` turns a match back into offsets a person can see highlighted.

Every message passes through here once, so the work is done by C-level string methods
(``lower``, ``translate``, regex scans) rather than a Python loop per character: plain ASCII text
lower-cases one-to-one, and an offset map is only rebuilt when a character folds to more or
fewer than one character (ligatures, combining accents, invisible characters, squeezed runs).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Look-alike letters from other scripts that are used to hide words (Cyrillic, Greek, fullwidth
# forms are folded by NFKC already).
_HOMOGLYPHS = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "κ": "k", "ν": "v", "ο": "o", "α": "a", "ε": "e",
    "ι": "i", "τ": "t", "υ": "u", "ѵ": "v", "ա": "w", "ǀ": "l", "ℓ": "l",
}  # fmt: skip

# Digits and symbols read as letters, applied only inside a token that also holds a letter, so
# that "£9", "4 days" and "07700 900364" stay as they are.
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
         "!": "i", "|": "l", "€": "e", "+": "t"}  # fmt: skip

_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}

_LEET_TABLE = str.maketrans(_LEET)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LEET_ANY = re.compile("[" + re.escape("".join(_LEET)) + "]")
_SPACE = re.compile(r"\s")
# Runs of three or more equal characters; ``isalpha`` then keeps only letter runs, as the rule
# says. ``(.)`` is several times cheaper to scan for than a Unicode letter class.
_RUN = re.compile(r"(.)\1\1+")


@dataclass(frozen=True, slots=True)
class Normalised:
    """``text`` is the normalised form; ``offsets[i]`` is the original index of ``text[i]``."""

    original: str
    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text back onto the original text."""
        if not self.offsets:
            return (0, 0)
        start = max(0, min(start, len(self.offsets) - 1))
        last = max(start, min(end, len(self.offsets)) - 1)
        return (self.offsets[start], self.offsets[last] + 1)


def _fold_char_uncached(ch: str) -> str:
    if ch in _INVISIBLE:
        return ""
    folded = unicodedata.normalize("NFKC", ch).lower()
    out: list[str] = []
    for c in folded:
        c = _HOMOGLYPHS.get(c, c)
        # strip combining accents ("fück" -> "fuck") but keep the base letter
        base = "".join(b for b in unicodedata.normalize("NFD", c) if not unicodedata.combining(b))
        out.append(base or c)
    return "".join(out)


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that folds each new character once and remembers the answer,
    so a message costs one C-level pass however many emoji or accents it holds."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char_uncached(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable({i: chr(i).lower() for i in range(128)})


def _fold(text: str) -> tuple[str, list[int] | None]:
    """Fold every character; the offset list is ``None`` while the fold is one-to-one."""
    if text.isascii():
        return text.lower(), None
    if all(len(_FOLD[ord(c)]) == 1 for c in set(_NON_ASCII.findall(text))):
        return text.translate(_FOLD), None
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _NON_ASCII.finditer(text):
        i = m.start()
        if i > pos:
            parts.append(text[pos:i].lower())
            offsets.extend(range(pos, i))
        folded = _FOLD[ord(text[i])]
        parts.append(folded)
        offsets.extend([i] * len(folded))
        pos = i + 1
    if pos < len(text):
        parts.append(text[pos:].lower())
        offsets.extend(range(pos, len(text)))
    return "".join(parts), offsets


def normalise(text: str, *, leet: bool = True, squeeze: bool = True) -> Normalised:
    """Lower-case, fold look-alikes and accents, drop invisible characters, read leetspeak inside
    words and squeeze runs of three or more of the same letter to two ("fuuuck" -> "fuuck"; the
    lexicon also matches the single-letter form)."""
    folded, offsets = _fold(text)
    if leet and _LEET_ANY.search(folded):
        folded = _apply_leet(folded)  # one-to-one: offsets unchanged

    if squeeze:
        cuts = [m.span() for m in _RUN.finditer(folded) if m.group(1).isalpha()]
        if cuts:
            if offsets is None:
                offsets = list(range(len(folded)))
            text_parts: list[str] = []
            offset_parts: list[int] = []
            pos = 0
            for start, end in cuts:
                text_parts.append(folded[pos : start + 2])
                offset_parts.extend(offsets[pos : start + 2])
                pos = end
            text_parts.append(folded[pos:])
            offset_parts.extend(offsets[pos:])
            folded, offsets = "".join(text_parts), offset_parts

    final = tuple(range(len(folded))) if offsets is None else tuple(offsets)
    return Normalised(original=text, text=folded, offsets=final)


def _apply_leet(text: str) -> str:
    """Read leet characters token by token (tokens split on whitespace). The scan jumps from one
    leet character to the next and widens each to its token: most text has none, and a token
    is read once however many it holds."""
    parts: list[str] = []
    pos = 0
    found = _LEET_ANY.search(text)
    while found is not None:
        start = found.start()
        while start > pos and not text[start - 1].isspace():  # ``isspace`` is the regex ``\s``
            start -= 1
        space = _SPACE.search(text, found.start())
        end = space.start() if space is not None else len(text)
        token = text[start:end]
        fixed = _leet_token(token)
        if fixed != token:
            parts.append(text[pos:start])
            parts.append(fixed)
            pos = end
        found = _LEET_ANY.search(text, end)
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def _leet_token(token: str) -> str:
    if token[0] == "@" and _LEET_ANY.search(token, 1) is None:
        return token  # a handle ("@user"): its "@" is kept, and nothing else could change
    letters = sum(map(str.isalpha, token))
    if not letters:
        return token
    digits = sum(map(str.isdigit, token))
    # "sh1t", "a$$", "@rse" are words in disguise; "07700", "£9", "10:30", "@user" handles
    # and URLs are not.
    if letters < digits or _looks_structured(token):
        return token
    if "!" not in token and "+" not in token and token[0] != "@":
        return token.translate(_LEET_TABLE)
    chars = list(token)
    last = len(token) - 1
    for k, ch in enumerate(token):
        rep = _LEET.get(ch)
        if rep is None:
            continue
        # a trailing "!" or "+" is punctuation, not a letter
        if ch in "!+" and (k == last or not token[k + 1].isalpha()):
            continue
        # "@" at the start of a token is a handle
        if ch == "@" and k == 0:
            continue
        chars[k] = rep
    return "".join(chars)


def _looks_structured(token: str) -> bool:
    return (
        "://" in token
        or token.startswith("www.")
        or (token.count(".") >= 1 and any(c.isdigit() for c in token) and "/" in token)
    )
