"""How X counts a post: the weighted length of twitter-text v3, as a pure function.

X does not count characters. It counts *weight* (config v3: scale 100, default weight 200,
maximum 280 weighted characters):

1. The text is NFC-normalised first.
2. Every URL weighs 23, whatever its length, because X wraps it in a t.co link. A URL is what
   X's own extractor finds: anything with ``http://`` or ``https://`` on a known top-level
   domain, and also *bare* domains such as ``samaritans.org`` or ``www.nhs.uk`` — but a bare
   ``name.cc`` on a two-letter country domain only with a path after it (``nhs.uk`` alone is
   text, ``nhs.uk/help`` is a link), except ``.co`` and ``.tv``. A bare domain straight after
   ``-``, ``_``, ``.`` or ``/`` is not a link.
3. Every emoji weighs 2, however many code points it is made of (a skin tone, a ZWJ family, a
   flag, a keycap are one emoji). ``©``, ``®`` and ``™`` are emoji only with the emoji
   presentation selector U+FE0F.
4. Any other code point weighs 1 inside the light ranges (U+0000–U+10FF: Latin, Greek, Cyrillic,
   Hebrew, Arabic, Devanagari...; U+2000–U+200D spaces; U+2010–U+201F dashes and quotes;
   U+2032–U+2037 primes), else 2 (CJK, most symbols).
5. A post containing U+FFFE, U+FEFF or U+FFFF is invalid whatever its length.

Top-level domains come from ``data/tlds.txt`` (the Public Suffix List's ICANN section, rebuilt by
running this module on a copy of that list). Emoji sequences are recognised by the ``emoji``
package (Unicode's emoji data). No Django, no I/O beyond reading the packaged list once.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

import emoji as emoji_lib

SCALE: Final = 100
DEFAULT_WEIGHT: Final = 200
MAX_WEIGHTED_LENGTH: Final = 280
TRANSFORMED_URL_LENGTH: Final = 23
LIGHT_RANGES: Final[tuple[tuple[int, int], ...]] = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
INVALID_CHARACTERS: Final = frozenset({"\ufffe", "\ufeff", "\uffff"})
MAX_URL_LENGTH: Final = 4096
MAX_TCO_SLUG_LENGTH: Final = 40

_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_SPACES = "\u0009-\u000d\u0020\u0085\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_TLD_END = r"(?=[^0-9a-z@+\-]|$)"


@dataclass(frozen=True, slots=True)
class Entity:
    start: int  # code point offsets into the NFC-normalised text
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ParsedPost:
    weighted_length: int
    valid: bool
    urls: tuple[Entity, ...]
    emoji: tuple[Entity, ...]
    has_invalid_characters: bool

    @property
    def remaining(self) -> int:
        return MAX_WEIGHTED_LENGTH - self.weighted_length


@functools.cache
def _tlds() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(generic, country-code) top-level domains, longest first so alternation prefers them."""
    text = resources.files("civildesk.publishing").joinpath("data/tlds.txt").read_text(encoding="utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    country = [n for n in names if len(n) == 2 and n.isascii() and n.isalpha()]
    generic = [n for n in names if n not in set(country)]
    by_length = functools.partial(sorted, key=lambda n: (-len(n), n))
    return tuple(by_length(generic)), tuple(by_length(country))


@dataclass(frozen=True)
class _Patterns:
    extract: re.Pattern[str]
    ascii_domain: re.Pattern[str]
    invalid_short_domain: re.Pattern[str]
    special_short_domain: re.Pattern[str]
    tco: re.Pattern[str]
    without_protocol_bad_before: re.Pattern[str]


@functools.cache
def _patterns() -> _Patterns:
    generic, country = _tlds()
    gtld = "(?:(?:" + "|".join(re.escape(t) for t in generic) + ")" + _TLD_END + ")"
    cctld = "(?:(?:" + "|".join(re.escape(t) for t in country) + ")" + _TLD_END + ")"
    special_cctld = "(?:(?:co|tv)" + _TLD_END + ")"
    punycode = r"(?:xn--[\-0-9a-z]+)"
    domain_char = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
    subdomain = f"(?:(?:{domain_char}(?:[_\\-]|{domain_char})*)?{domain_char}\\.)"
    domain_name = f"(?:(?:{domain_char}(?:-|{domain_char})*)?{domain_char}\\.)"
    domain = f"(?:{subdomain}*{domain_name}(?:{gtld}|{cctld}|{punycode}))"
    path_char = f"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~|&@{_LATIN_ACCENTS}]"
    balanced = f"\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\)"
    path_end = f"(?:[+\\-a-z\u0400-\u04ff0-9=_#/{_LATIN_ACCENTS}]|(?:{balanced}))"
    path = f"(?:(?:{path_char}*(?:{balanced}{path_char}*)*{path_end})|(?:{path_char}+/))"
    query_char = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
    query_end = r"[a-z0-9\-_&=#/]"
    preceding = f"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|^)"
    extract = (
        f"({preceding})"  # 1 the character before
        f"((https?://)?"  # 2 the URL, 3 the protocol
        f"({domain})"  # 4 the domain
        f"(?::([0-9]+))?"  # 5 the port
        f"(/{path}*)?"  # 6 the path
        f"(\\?{query_char}*{query_end})?)"  # 7 the query
    )
    flags = re.IGNORECASE
    return _Patterns(
        extract=re.compile(extract, flags),
        ascii_domain=re.compile(
            f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{gtld}|{cctld}|{punycode})", flags
        ),
        invalid_short_domain=re.compile(f"^{domain_name}{cctld}$", flags),
        special_short_domain=re.compile(f"^{domain_name}{special_cctld}$", flags),
        tco=re.compile(f"^https?://t\\.co/([a-z0-9]+)(?:\\?{query_char}*{query_end})?", flags),
        without_protocol_bad_before=re.compile(r"[\-_./]$"),
    )


def _idna_length(domain: str) -> int | None:
    try:
        return len(domain.encode("idna"))
    except UnicodeError:
        return None


def extract_urls(text: str) -> list[Entity]:
    """The URLs X would shorten, with code point offsets (twitter-text's extractUrlsWithIndices)."""
    if "." not in text:
        return []
    p = _patterns()
    urls: list[Entity] = []
    for match in p.extract.finditer(text):
        before, url, protocol, domain, path = (match.group(i) or "" for i in (1, 2, 3, 4, 6))
        start, end = match.start(2), match.end(2)
        ascii_length = _idna_length(domain)
        if ascii_length is None or len(protocol or "https://") + len(url) - len(domain) + ascii_length > (
            MAX_URL_LENGTH
        ):
            continue
        if protocol:
            tco = p.tco.match(url)
            if tco:
                if len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                url, end = tco.group(0), start + len(tco.group(0))
            urls.append(Entity(start, end, url))
            continue
        if p.without_protocol_bad_before.search(before):
            continue
        last: Entity | None = None
        last_kept = False
        search_from = 0
        for ascii_match in p.ascii_domain.finditer(domain):
            found = ascii_match.group(0)
            offset = domain.index(found, search_from)
            search_from = offset + len(found)
            last = Entity(start + offset, start + offset + len(found), found)
            last_kept = bool(
                path or p.special_short_domain.match(found) or not p.invalid_short_domain.match(found)
            )
            if last_kept:
                urls.append(last)
        if last is None:
            continue
        if path:
            # The last domain takes the path and query with it.
            full = Entity(last.start, end, text[last.start : end])
            if last_kept:
                urls[-1] = full
    return urls


def extract_emoji(text: str) -> list[Entity]:
    """Each emoji (a whole sequence counts once), as twemoji-parser finds them."""
    found: list[Entity] = []
    for item in emoji_lib.emoji_list(text):
        value = str(item["emoji"])
        start, end = int(item["match_start"]), int(item["match_end"])
        # ©, ® and ™ (and ♟) are text unless followed by the emoji presentation selector.
        if value in _TEXT_UNLESS_SELECTED:
            continue
        found.append(Entity(start, end, value))
    return found


_TEXT_UNLESS_SELECTED: Final = frozenset("\u00a9\u00ae\u2122\u265f")


def character_weight(char: str) -> int:
    cp = ord(char)
    for lo, hi in LIGHT_RANGES:
        if lo <= cp <= hi:
            return SCALE
    return DEFAULT_WEIGHT


def parse(text: str) -> ParsedPost:
    """Weigh ``text`` the way X does and say whether it fits in one post."""
    normalised = unicodedata.normalize("NFC", text)
    urls = extract_urls(normalised)
    emoji = extract_emoji(normalised)
    url_at = {u.start: u for u in urls}
    emoji_at = {e.start: e for e in emoji}
    weight = 0
    i = 0
    while i < len(normalised):
        if i in url_at:
            weight += TRANSFORMED_URL_LENGTH * SCALE
            i = url_at[i].end
        elif i in emoji_at:
            weight += DEFAULT_WEIGHT
            i = emoji_at[i].end
        else:
            weight += character_weight(normalised[i])
            i += 1
    invalid = any(ch in INVALID_CHARACTERS for ch in normalised)
    weighted = weight // SCALE
    return ParsedPost(
        weighted_length=weighted,
        valid=not invalid and 0 < weighted <= MAX_WEIGHTED_LENGTH,
        urls=tuple(urls),
        emoji=tuple(emoji),
        has_invalid_characters=invalid,
    )


def weighted_length(text: str) -> int:
    return parse(text).weighted_length


def build_tld_file(public_suffix_list: Path, out: Path) -> int:
    """Write data/tlds.txt from a copy of the Public Suffix List; return how many TLDs."""
    icann = True
    names: set[str] = set()
    for raw in public_suffix_list.read_text(encoding="utf-8").splitlines():
        if "===BEGIN PRIVATE DOMAINS===" in raw:
            icann = False
        line = raw.strip()
        if not icann or not line or line.startswith("//"):
            continue
        line = line.lstrip("!*.").lower()
        if "." not in line:
            names.add(line)
    header = (
        "# Top-level domains: every single-label ICANN suffix of the Public Suffix List (MPL 2.0),\n"
        "# one per line. Rebuild with\n"
        "#   python -m civildesk.publishing.xtext /usr/share/publicsuffix/public_suffix_list.dat\n"
    )
    out.write_text(header + "".join(f"{n}\n" for n in sorted(names)), encoding="utf-8")
    return len(names)


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/publicsuffix/public_suffix_list.dat")
    target = Path(__file__).with_name("data") / "tlds.txt"
    print(f"{build_tld_file(source, target)} top-level domains written to {target}")
