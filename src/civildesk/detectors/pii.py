"""Personal information: NHS numbers, phone numbers, e-mail and street addresses, postcodes, dates
of birth, full names beside contact details, and "this named person is on that ward / has that
diagnosis" disclosures.

The policy hides a *public* post that exposes someone's details and asks the author to send them
privately instead; in a direct message the same details are the right channel, so they are still
highlighted for the person handling the case (score 0, kind ``…_private``) but raise no label.

One weak clue on its own ("is there a clinic near SM4?", a bare date, "my sister was restrained on
Ward 1") is not a breach; clues add up, so a strong identifier lifts every clue beside it.
All matching runs on the original text: digits and ``@`` matter here, and the normaliser's leetspeak
folding would turn them into letters. Each stage is gated by a cheap check (a digit, an ``@``, a
word from a set) because most messages hold no personal information at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civildesk.detectors.base import DetectorConfig, Finding, Prepared

LABEL = "personal_information"


def _vocab(words: str) -> frozenset[str]:
    """A vocabulary written as one space-separated string (easier to read and extend)."""
    return frozenset(words.split())


_WORD = re.compile(r"[a-z][a-z0-9'&]*")
_DIGIT = re.compile(r"\d")


def _word_set(low: str) -> set[str]:
    """The words of a lower-cased text, for set look-ups. str.replace and str.split run in C; a
    regex scan costs about three times as much, and every message pays for this."""
    for p in ',.!?;:"()':
        low = low.replace(p, " ")
    return set(low.split())


def _words_before(low: str, end: int, width: int, last: int) -> list[str]:
    """The last ``last`` words of ``low`` in the ``width`` characters before ``end``."""
    return _WORD.findall(low, max(0, end - width), end)[-last:]


# -- NHS and phone numbers ---------------------------------------------------------------------

# Three-three-four (the way an NHS number is printed) or ten digits in a row; never part of a
# longer run, a price, a decimal or a reference with letters in it.
_NHS = re.compile(r"(?<![\w£$€#.,/:+-])\d{3}([ -]?)\d{3}\1\d{4}(?![\w]|[.,/:-]\d)")
_NHS_CUES = frozenset({"nhs", "chi", "patient", "hospital"})
# Words that make a ten-digit number something other than an NHS number.
_OTHER_NUMBER_CUES = _vocab(
    """order ref reference tracking invoice account acc booking ticket case transaction parcel
    confirmation serial policy customer membership crime claim isbn id reg registration code
    sort voucher receipt imei"""
)
# UK numbers: +44 / 0044 / 0 prefix, then nine or ten digits with single spaces, dashes or a
# bracketed area code ("(020) 7946 0000", "+44 (0)7700 900364").
_PHONE = re.compile(
    r"(?<![\w£$€#/.-])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)(?:\d(?:\)\s?|[ -])?){8,9}\d(?![\w]|[.,/:-]\d)"
)
_LONG_NUMBER = re.compile(r"\d[\d ().-]{7,}\d")
# Freephone, national-rate and premium numbers belong to services and businesses, never a person.
_PUBLIC_PREFIXES = ("0800", "0808", "0500", "0845", "0844", "0843", "0870", "0871", "0872", "09")
_SERVICE_PREFIXES = ("03", "055", "056")
_PHONE_MINE = frozenset({"my", "me", "mine", "her", "his", "their", "mum's", "dad's", "him"})
# "Call 01903 856 801 for details": a business advertising, not a person.
_PHONE_BUSINESS_AFTER = _vocab(
    "details info information bookings book booking appointments enquiries orders prices quote"
)
_PHONE_ORG = _vocab(
    """ward switchboard reception team office clinic surgery gp pharmacy helpline hotline line
    service hub centre center hospital desk pals advice trust practice"""
)

# -- e-mail ------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+'-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
# Shared inboxes that an organisation publishes; writing to one exposes nobody.
_ROLE_MAILBOXES = _vocab(
    """info enquiries enquiry contact hello admin office pals complaints communications comms press
    media feedback support help noreply no-reply reception referrals appointments team service
    customerservice customerservices sales hr recruitment jobs"""
)
_WORK_DOMAINS = ("nhs.net", "nhs.uk", "gov.uk", "ac.uk", "police.uk")

# -- postcodes and street addresses ------------------------------------------------------------

_AREAS = _vocab(
    """AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E
    EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN
    LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO
    SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"""
)
_INWARD = r"\d[ABD-HJLNP-UW-Z]{2}"
# Found by the inward code ("5AB"), which starts with a digit so the regex engine can skip ahead,
# then the outward code before it is checked and its area looked up in a set.
_INWARD_CODE = re.compile(rf"(?i){_INWARD}(?!\w)")
_OUTWARD_BEFORE = re.compile(r"(?i)(?<![\w-])([A-Z]{1,2})\d[A-Z\d]?\s?$")
# Right after a street address an outward code on its own ("31 Hazel Way SM4") still narrows it
# down to a few streets, so it counts there and nowhere else.
_POSTCODE_TAIL = re.compile(
    rf"(?i),?\s+(?:[A-Z][a-z]+,?\s+){{0,2}}(([A-Z]{{1,2}})\d[A-Z\d]?(?:\s?{_INWARD})?)(?!\w)"
)

_STREET_TYPES = (
    "road|rd|street|st|way|avenue|ave|lane|ln|close|cl|drive|dr|court|ct|gardens|gdns|crescent|cres|"
    "place|pl|grove|gr|terrace|terr|hill|rise|mews|row|square|sq|parade|walk|green|vale|view|"
    "broadway|approach|villas|mansions|heights|wharf|quay|yard|park|estate|gate|end|side|fields"
)
_STREET_WORDS = frozenset(_STREET_TYPES.split("|"))
# Starts with the house number (a digit-first pattern scans fast); "Flat 2, " is looked for before it.
_ADDRESS = re.compile(
    r"(?i)(\d{1,4}[a-z]?)(?:-\d{1,4})?,?\s+"
    r"((?:[a-z][a-z'’-]*\s+){1,3}?)"
    rf"(?:{_STREET_TYPES})\b\.?"
)
# "5 mins down the road", "3 times this way": chatter, not an address.
_ADDRESS_STOP = _vocab(
    """the a an this that these those my your his her our their its on in at to up down of off by for
    from with and or but across along over under round around near past into onto i you we they he
    she it is was be me us them mins min minutes hours hour hrs days day weeks week months month
    years year yrs times time miles mile metres meters yards steps people patients other same wrong
    right long short whole entire more less all every each first last next only few many some
    different best worst one two three four five six seven eight nine ten am pm"""
)
_FLAT_BEFORE = re.compile(r"(?i)\b(?:flat|apt|apartment|unit|room)\s*\d{1,4}[a-z]?,?\s+$")
_RESIDENTIAL_CUE = re.compile(
    r"(?i:\b(?:liv(?:e|es|ed|ing)|stay(?:s|ed|ing)?|mov(?:e|ed|ing)|address|house|flat|home|"
    r"(?:i'?m|i am|we'?re|we are|she'?s|he'?s|they'?re)\s+(?:at|on)|come\s+(?:to|round)|round\s+(?:to|at)|"
    r"deliver(?:ed)?\s+to|send\s+(?:it\s+)?to|post(?:ed)?\s+to|pick\s+(?:me|her|him)\s+up)\b"
    r"[^.!?\n]{0,15}$)"
)

# -- dates of birth ----------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH},?\s+(?:\d{{4}}|'\d{{2}})"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:\d{{4}}|'\d{{2}}))"
)
# A date only counts with a cue beside it: "DOB 12/08/1990", "born on 3 March 1985", "22/09/1938
# (dob)". Both patterns are anchored at a cue found with str.find, never scanned over the text.
_DOB_CUES = ["dob", "d.o.b", "birth", "born"]
_DOB_AFTER = re.compile(
    r"(?i)(?:d\.?\s?o\.?\s?b\b\.?|birth\s*date|birthday(?:\s+is)?|birth|born(?:\s+on)?)"
    rf"[^\w\n]{{0,4}}(?:(?:is|was|of|on|:)\s*){{0,2}}[^\w\n]{{0,3}}{_DATE}"
)
_DOB_BEFORE = re.compile(rf"(?i){_DATE}\s*[(\[,-]?\s*(?:date\s+of\s+)?$")

# -- names -------------------------------------------------------------------------------------

_NAME_WORD = r"(?:Mc|Mac|O')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
# Two or three capitalised words, or a title and a surname. Case-sensitive on purpose: capitals are
# the only cheap hint that a word is a name. "@Tom Baxter" is the person being replied to.
# (No look-behind: a pattern that starts with a capital letter lets the engine skip ahead; what
# comes before the name is checked afterwards.)
_NAME = re.compile(
    rf"(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+({_NAME_WORD})\b|({_NAME_WORD})[ \t]+({_NAME_WORD})(?:[ \t]+({_NAME_WORD}))?\b"
)
_FULL_NAME = re.compile(rf"({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{1,2}})\b")
_NOT_NAMES = _vocab(
    """the a an i my our your his her their this that these those it its he she we they you and or
    but so if when why how what who where which is are was were be been can could would should will
    shall does do did has have had not no yes oh ok okay well also still really very just please
    thanks thank hi hello hey dear morning evening night good great lovely happy merry best kind
    many regards cheers love god jesus lord christmas easter bank holiday new year mental health
    nhs trust ward wards bed bay hospital team teams clinic centre center unit hub house service
    services crisis line road street lane south north east west central london england uk
    university royal general st saint mary queen king prince princess national community primary
    care home day night early intervention mother baby child children adolescent adult older
    people monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december section act court police gp doctor
    dr nurse sister matron mr mrs ms miss mx consultant facebook twitter instagram linkedin tiktok
    whatsapp google bipolar depression anxiety ptsd ocd adhd covid lithium i'm im ive i've dont
    don't after before during since until today tomorrow yesterday last next every all some any
    both one two three four five six seven eight nine ten first second third border protection
    customs agency department ministry government party council news times post daily bbc itv sky
    college school academy fc united city club group ltd plc inc company foundation charity society
    big little old young dear sir madam social media online internet game gaming"""
)
_STAFF_TITLES = _vocab(
    """dr doctor prof professor nurse matron consultant psychiatrist psychologist therapist counsellor
    counselor manager worker coordinator co-ordinator keyworker ot hca receptionist staff lead leader
    director chief ceo chair minister mp cllr councillor officer pc dc sgt sergeant inspector judge
    sister physio pharmacist midwife"""
)
_POSSESSIVES = frozenset({"my", "our", "your", "his", "her", "their"})
_THANKS_WORDS = _vocab("thanks thank thx ty cheers shout shoutout kudos done grateful credit hats praise")
# Praise and affiliation after a name also mean staff: "Amy Lee on Ward 2 was a star",
# "Kerry Smith from the crisis team", "… for looking after my dad".
_STAFF_AFTER = re.compile(
    r"(?i:\W{0,3}(?:(?:the|a|our|my|an)\s+)?(?:nurse|hca|doctor|dr|manager|sister|staff|consultant|ot|physio|"
    r"psychologist|psychiatrist|support worker|receptionist|cleaner|porter|therapist|social worker)\b"
    r"|\s+(?:from|at)\s+(?!my\b|our\b|his\b|her\b|their\b|next door|down the road|round the corner)"
    r"|[^.!?\n]{0,60}\b(?:for|who)\s+(?:looking|looked|caring|cared|helping|helped|"
    r"supporting|supported|being|going|making|always|listening)"
    r"|[^.!?\n]{0,60}\b(?:star|amazing|brilliant|legend|angel|fantastic|incredible|superb|thank))"
)
_SIGN_OFF_WORDS = _vocab(
    """thanks thank thx ta cheers regards wishes best from love sincerely yours name name's i'm im am
    this signed"""
)

# -- health disclosures about someone else -----------------------------------------------------

_RELATION_WORDS = _vocab(
    """ex expartner exhusband exwife exboyfriend exgirlfriend exbf exgf neighbour neighbor sister
    brother sis bro mum mam mom mother dad father nan nana nanna gran granny grandma grandmother
    grandad granddad grandpa grandfather son daughter husband wife hubby partner boyfriend
    girlfriend bf gf fiance fiancee cousin aunt auntie aunty uncle niece nephew friend mate flatmate
    housemate colleague boss landlord landlady stepdad stepmum stepson stepdaughter lodger carer kid
    child baby twin"""
)
# "my sister", "my mum's", "her ex-husband", "my little brother", "my next door neighbour".
_RELATION_FORMS = frozenset(
    f for w in _RELATION_WORDS for f in (w, w + "s", w + "'s", "ex-" + w.removeprefix("ex"))
)
_RELATION_ADJECTIVES = _vocab(
    "little big older younger elderly old late step best door mate's friend's ex ex-"
)
_NAME_AFTER = re.compile(rf"(?:'s)?\s+({_NAME_WORD}(?:\s+{_NAME_WORD})?)")

# Health words, looked up in a dict (one big alternation regex is far too slow here): "diag" a
# diagnosis or condition, "med" a medicine, "sect" detention or restraint, "place" where someone is
# treated. Someone naming their *own* condition has no subject here, so it never counts.
_TERM_WORDS: dict[str, str] = {
    **dict.fromkeys(
        _vocab(
            """schizophrenia schizophrenic schizoaffective schizo bipolar manic psychosis psychotic
            depression depressed ptsd cptsd ocd bpd eupd anorexia anorexic bulimia bulimic dementia
            alzheimers alzheimer's autism autistic adhd hiv epilepsy epileptic overdose overdosed
            overdosing overdoses od'd od'ed suicidal addict addicts addicted addiction alcoholic heroin
            cocaine relapse relapsed dissociative paranoid paranoia psychopath sociopath selfharm
            selfharming"""
        ),
        "diag",
    ),
    **dict.fromkeys(
        _vocab(
            """lithium clozapine clozaril olanzapine quetiapine seroquel risperidone aripiprazole
            abilify haloperidol sertraline fluoxetine prozac citalopram escitalopram mirtazapine
            venlafaxine duloxetine lamotrigine valproate depakote diazepam valium lorazepam zopiclone
            pregabalin methadone buprenorphine subutex antipsychotic antipsychotics antidepressant
            antidepressants meds medication tablets pills insulin antabuse naltrexone"""
        ),
        "med",
    ),
    **dict.fromkeys(_vocab("sectioned sectioning detained restrained seclusion cto inpatient"), "sect"),
    "nuthouse": "place",
}
_PLACE_AFTER = r"\s+(?:(?:and baby|disorders?|care|health)\s+)?(?:ward|unit|hospital|centre|clinic)\b"
_TERM_PHRASES: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    **{w: ((re.compile(w + r"\s+\d{1,3}[a-z]?\b"), "place"),) for w in ("ward", "bed", "bay", "cubicle")},
    **{
        w: ((re.compile(w + _PLACE_AFTER), "place"),)
        for w in (
            "psych",
            "psychiatric",
            "secure",
            "acute",
            "forensic",
            "rehab",
            "detox",
            "intensive",
            "mother",
        )
    },
    "mental": (
        (re.compile(r"mental\s+health\s+act\b"), "sect"),
        (re.compile("mental" + _PLACE_AFTER), "place"),
    ),
    "eating": (
        (re.compile(r"eating\s+disorders?\b"), "diag"),
        (re.compile("eating" + _PLACE_AFTER), "place"),
    ),
    "loony": ((re.compile(r"loony\s+bin\b"), "place"),),
    "section": (
        (re.compile(r"section\s*(?:2|3|4|5|17|35|37|41|135|136)\b|section\s+(?:him|her|them)\b"), "sect"),
    ),
    "community": ((re.compile(r"community\s+treatment\s+order"), "sect"),),
    # admitted to a hospital, ward or unit ("admitted to the psych ward"), not "to the affair"
    "admitted": (
        (
            re.compile(
                r"admitted\s+(?:to|into|onto)\s+(?:the\s+|a\s+|an\s+)?(?:[\w&'-]+\s+){0,2}?"
                r"(?:hospital|ward|unit|wing|a&e|icu|itu|hdu|psych|psychiatric|mental|rehab|detox|"
                r"clinic|bed|inpatients?|hospice)\b"
            ),
            "sect",
        ),
    ),
    "personality": ((re.compile(r"personality\s+disorder"), "diag"),),
    "self": ((re.compile(r"self[- ]?harm\w*"), "diag"),),
    "attempted": ((re.compile(r"attempted\s+suicide"), "diag"),),
    "tried": ((re.compile(r"tried\s+to\s+(?:kill|end)\b"), "diag"),),
    "hearing": ((re.compile(r"hearing\s+voices"), "diag"),),
    "hep": ((re.compile(r"hep\s*[bc]\b"), "diag"),),
    "hepatitis": ((re.compile(r"hepatitis\s*[bc]?\b"), "diag"),),
    "crack": ((re.compile(r"crack\s+cocaine"), "diag"),),
    "depot": ((re.compile(r"depot\s+(?:injection|jab)s?\b"), "med"),),
}
# "got admitted", "been admitted" (but not "John admitted he lied").
_ADMITTED_BEFORE = re.compile(r"(?:been|got|was|is|be|being|get|gets|getting|re-?)\s*$")
# A capitalised word before "ward"/"unit"/"wing" names it: "Jupiter ward", "Merton unit".
_NAMED_PLACE_HEADS = frozenset({"ward", "unit", "wing"})
_NAMED_PLACE_BEFORE = re.compile(r"(?<![\w])([A-Z][a-z]+)\s+$")
_NOT_PLACE_NAMES = _vocab(
    "the this that a an on in at my her his their our your same which what every each whole acute psych "
    "secure open locked mental"
)
# Between a name and what is said of it: "on Ward 1", "has been sectioned", "is on lithium".
_PLACED = re.compile(r"\b(?:on|in|at|to|into|onto|off|from|of)\s+(?:the\s+|a\s+)?$")
_LINKING = _vocab(
    """is was has had have been got gets getting be being 's on in with under off stopped stopping
    started starting taking takes took needs refusing refuses refused diagnosed suffers suffering having
    back now again"""
)
_SENTENCE_END = re.compile(r"[!?\n]|\.(?:\s|$)")


@dataclass(slots=True)
class _Clue:
    """One piece of personal information, before the message-level scoring."""

    kind: str
    start: int
    end: int
    score: float
    strong: bool
    note: str


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number Modulus 11 check: weights 10..2 over the first nine digits; a result of 11
    means 0 and a result of 10 means the number cannot be valid."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _national(digits: str) -> str:
    """A UK number in its national form: 447700900364 and 00447700900364 become 07700900364."""
    if digits.startswith("0044"):
        return "0" + digits[4:].removeprefix("0")
    if digits.startswith("44"):
        return "0" + digits[2:].removeprefix("0")
    return digits


def _domain_in(domain: str, domains: tuple[str, ...]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


def _occurrences(low: str, words: list[str]) -> list[tuple[str, int]]:
    """Where each whole word occurs in ``low`` (str.find runs in C; a Python loop over every word
    of every message would not fit the time budget)."""
    found: list[tuple[str, int]] = []
    for word in words:
        i = low.find(word)
        while i >= 0:
            j = i + len(word)
            if (i == 0 or not _is_word_char(low[i - 1])) and (j == len(low) or not _is_word_char(low[j])):
                found.append((word, i))
            i = low.find(word, j)
    return found


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c in "'&"


def _has_email_shape(text: str) -> bool:
    """An ``@`` with something before it: an address, not a @handle."""
    i = text.find("@", 1)
    while i > 0:
        if text[i - 1].isalnum() or text[i - 1] in "._-+":
            return True
        i = text.find("@", i + 1)
    return False


class PersonalInformationDetector:
    """Finds personal information (label ``personal_information``); see the module docstring.

    Reads from the config: ``places`` (wards, sites, teams), ``staff`` (their names are not
    patients), ``organisation_names`` and, in ``extra``, ``org_domains``, ``public_emails`` and
    ``public_phones`` (the organisation's own published contact details, never personal).
    """

    name = "pii"

    def __init__(self, config: DetectorConfig | None = None) -> None:
        config = config or DetectorConfig()
        extra = config.extra
        self._org_domains = tuple(d.lower().lstrip("@.") for d in extra.get("org_domains", ()))
        self._public_emails = frozenset(e.lower() for e in extra.get("public_emails", ()))
        self._public_phones = frozenset(
            _national(re.sub(r"\D", "", p)) for p in extra.get("public_phones", ()) if p
        )
        names = [n for s in config.staff for n in (s.name, *s.aliases) if n]
        self._staff = frozenset(n.lower() for n in names)
        self._staff_words = frozenset(w.lower() for n in names for w in n.split())
        place_words = frozenset(w for p in config.places for w in _WORD.findall(p.lower()))
        org_words = frozenset(w for o in config.organisation_names for w in _WORD.findall(o.lower()))
        self._not_names = _NOT_NAMES | place_words | org_words
        self._places: dict[str, list[str]] = {}
        for place in config.places:
            words = _WORD.findall(place.lower())
            if words:
                self._places.setdefault(words[0], []).append(" ".join(words))
        self._heads = frozenset(_TERM_WORDS) | frozenset(_TERM_PHRASES) | frozenset(self._places)

    def detect(self, prepared: Prepared) -> list[Finding]:
        text = prepared.text
        low = text.lower()
        if len(low) != len(text):  # a few characters ("İ") grow when lower-cased; keep offsets
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        words = _word_set(low)
        clues: list[_Clue] = []
        digit = _DIGIT.search(text)
        if digit:
            first = digit.start()
            taken = self._numbers(text, low, clues) if _LONG_NUMBER.search(text, first) else []
            if "birth" in low or "born" in low or "dob" in low or "d.o.b" in low:
                self._dates_of_birth(text, low, clues)
            self._addresses(text, clues, taken, first, streets=not words.isdisjoint(_STREET_WORDS))
        if _has_email_shape(text):
            self._emails(text, clues)
        heads = words & self._heads
        if heads:
            relations = words & _RELATION_FORMS
            if relations or _NAME.search(text):
                self._health_disclosures(text, low, sorted(heads), sorted(relations), clues)
        if not clues:
            return []
        if any(c.strong and c.kind in ("phone", "email", "address", "nhs_number") for c in clues):
            self._sign_off(text, low, clues)
        return self._score(clues, private=prepared.message.is_private)

    def _score(self, clues: list[_Clue], *, private: bool) -> list[Finding]:
        clues.sort(key=lambda c: c.start)
        if private:
            return [
                Finding(
                    LABEL, 0.0, c.start, c.end, self.name, c.kind + "_private", c.note + "; shared privately"
                )
                for c in clues
            ]
        # Clues add up: a strong identifier beside another clue, or two different weak ones, make
        # the whole post a breach and every clue in it evidence. Organisation numbers (below 0.25)
        # are never lifted.
        kinds = {c.kind for c in clues if c.score >= 0.25}
        weak_kinds = {c.kind for c in clues if c.score >= 0.4 and not c.strong}
        combined = len(kinds) >= 2 and (any(c.strong for c in clues) or len(weak_kinds) >= 2)
        return [
            Finding(
                LABEL,
                max(c.score, 0.9) if combined and c.score >= 0.25 else c.score,
                c.start,
                c.end,
                self.name,
                c.kind,
                c.note,
            )
            for c in clues
        ]

    # -- numbers -----------------------------------------------------------------------------

    def _numbers(self, text: str, low: str, clues: list[_Clue]) -> list[tuple[int, int]]:
        taken: list[tuple[int, int]] = []
        for m in _NHS.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            before = set(_words_before(low, m.start(), 25, 3))
            cued = not before.isdisjoint(_NHS_CUES)
            if digits.startswith("0") and not cued:
                continue  # a phone number, looked at below
            if not before.isdisjoint(_OTHER_NUMBER_CUES) or not nhs_check_digit_ok(digits):
                continue
            score = 0.97 if cued else 0.92 if m.group(1) else 0.75
            clues.append(
                _Clue("nhs_number", m.start(), m.end(), score, True, "NHS number (valid check digit)")
            )
            taken.append((m.start(), m.end()))
        for m in _PHONE.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            national = _national(re.sub(r"\D", "", m.group()))
            if len(national) not in (10, 11) or national[1] == "0":
                continue
            if national in self._public_phones or national.startswith(_PUBLIC_PREFIXES):
                continue
            taken.append((m.start(), m.end()))
            near = _words_before(low, m.start(), 30, 5)
            if not _OTHER_NUMBER_CUES.isdisjoint(near[-3:]):
                continue  # "order ref 07700 900123": a reference that looks like a phone
            if national.startswith(_SERVICE_PREFIXES):
                clue = _Clue(
                    "phone",
                    m.start(),
                    m.end(),
                    0.2,
                    False,
                    "non-geographic number, usually an organisation's",
                )
            elif not _PHONE_MINE.isdisjoint(near):
                clue = _Clue("phone", m.start(), m.end(), 0.95, True, "personal phone number")
            elif not _PHONE_ORG.isdisjoint(
                _words_before(low, m.start(), 40, 6)
            ) or not _PHONE_BUSINESS_AFTER.isdisjoint(_WORD.findall(low, m.end(), m.end() + 20)):
                clue = _Clue("phone", m.start(), m.end(), 0.2, False, "sounds like a service's number")
            elif national.startswith("07"):
                clue = _Clue("phone", m.start(), m.end(), 0.9, True, "mobile number")
            else:
                clue = _Clue("phone", m.start(), m.end(), 0.85, True, "phone number")
            clues.append(clue)
        return taken

    def _dates_of_birth(self, text: str, low: str, clues: list[_Clue]) -> None:
        for cue in _DOB_CUES:
            i = low.find(cue)
            while i >= 0:
                if i == 0 or not low[i - 1].isalpha():
                    start = i - 8 if low.endswith("date of ", 0, i) else i
                    m = _DOB_AFTER.match(text, i)
                    b = None if m else _DOB_BEFORE.search(text, max(0, i - 30), start)
                    span = (start, m.end()) if m else (b.start(), i + len(cue)) if b else None
                    if span and not any(c.start < span[1] and span[0] < c.end for c in clues):
                        clues.append(_Clue("date_of_birth", *span, 0.8, True, "date of birth"))
                i = low.find(cue, i + 1)

    # -- e-mail ------------------------------------------------------------------------------

    def _emails(self, text: str, clues: list[_Clue]) -> None:
        for m in _EMAIL.finditer(text):
            address = m.group().lower()
            domain = m.group(1).lower()
            local = address.split("@", 1)[0]
            if (
                address in self._public_emails
                or _domain_in(domain, self._org_domains)
                or local in _ROLE_MAILBOXES
            ):
                continue
            if _domain_in(domain, _WORK_DOMAINS):
                clues.append(_Clue("email", m.start(), m.end(), 0.2, False, "work e-mail address"))
            else:
                clues.append(_Clue("email", m.start(), m.end(), 0.92, True, "personal e-mail address"))

    # -- addresses and postcodes -------------------------------------------------------------

    def _addresses(
        self, text: str, clues: list[_Clue], taken: list[tuple[int, int]], first: int, *, streets: bool
    ) -> None:
        postcodes: list[tuple[int, int]] = []
        for m in _INWARD_CODE.finditer(text, first):
            out = _OUTWARD_BEFORE.search(text, max(0, m.start() - 6), m.start())
            if out and out.group(1).upper() in _AREAS:
                postcodes.append((out.start(), m.end()))
        used: set[tuple[int, int]] = set()
        for m in _ADDRESS.finditer(text, first) if streets else ():
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "£$€.,/:#-"):
                continue  # part of a price, a time, a date or a longer number
            flat = _FLAT_BEFORE.search(text, max(0, m.start() - 16), m.start())
            start = flat.start() if flat else m.start()
            words = m.group(2).split()
            if any(w.lower().strip("'’") in _ADDRESS_STOP for w in words):
                continue
            capitalised = all(w[0].isupper() for w in words)
            cued = bool(flat) or bool(_RESIDENTIAL_CUE.search(text, max(0, start - 40), start))
            tail = _POSTCODE_TAIL.match(text, m.end())
            if tail and tail.group(2).upper() not in _AREAS:
                tail = None
            if not (capitalised or cued or tail):
                continue  # lower-case words with no cue: too likely to be chatter
            if tail:
                span = (tail.start(1), tail.end(1))
                used.add(span)
                clues.append(_Clue("postcode", *span, 0.45, False, "postcode of a street address"))
            if cued or tail:
                clues.append(_Clue("address", start, m.end(), 0.9, True, "home address"))
            else:
                clues.append(_Clue("address", start, m.end(), 0.45, False, "street address"))
        for span in postcodes:
            if span not in used and not any(s < span[1] and span[0] < e for s, e in used):
                clues.append(_Clue("postcode", *span, 0.45, False, "full postcode"))

    # -- health disclosures about someone else -----------------------------------------------

    def _terms(self, text: str, low: str, heads: list[str]) -> list[tuple[str, int, int]]:
        """Health words in the text as (group, start, end); ``heads`` are the words to look at."""
        terms: list[tuple[str, int, int]] = []
        for word, start in _occurrences(low, heads):
            end = start + len(word)
            group = _TERM_WORDS.get(word)
            if group:
                terms.append((group, start, end))
                continue
            for place in self._places.get(word, ()):
                stop = start + len(place)
                if low.startswith(place, start) and not low[stop : stop + 1].isalnum():
                    terms.append(("place", start, stop))
            for pattern, group in _TERM_PHRASES.get(word, ()):
                pm = pattern.match(low, start)
                if pm:
                    terms.append((group, start, pm.end()))
            if word == "admitted" and _ADMITTED_BEFORE.search(low, max(0, start - 10), start):
                terms.append(("sect", start, end))
            if word in _NAMED_PLACE_HEADS:
                nm = _NAMED_PLACE_BEFORE.search(text, max(0, start - 25), start)
                if nm and nm.group(1).lower() not in _NOT_PLACE_NAMES:
                    terms.append(("place", nm.start(1), end))
        return terms

    def _health_disclosures(
        self, text: str, low: str, heads: list[str], relations: list[str], clues: list[_Clue]
    ) -> None:
        terms = self._terms(text, low, heads)
        if not terms:
            return
        blocked = [(c.start, c.end) for c in clues if c.kind in ("address", "postcode")]
        subjects = [
            s
            for s in self._subjects(text, low, relations, terms)
            if not any(b0 < s[1] and s[0] < b1 for b0, b1 in blocked)
        ]
        if not subjects:
            return
        ends = [m.start() for m in _SENTENCE_END.finditer(text)]
        for s_start, s_end, named, first_name, staff in subjects:
            best: tuple[float, int, int, str] | None = None
            for group, t_start, t_end in terms:
                if named and t_start < s_end:
                    continue  # "ward 2 councillor Mazher Ali": a name is placed by what follows it
                if staff and group == "place":
                    continue  # "Jo from the crisis team on Ward 2": where staff work is no secret
                lo, hi = min(s_start, t_start), max(s_end, t_end)
                said_from = s_end
                crossed = [e for e in ends if lo <= e < hi and not s_start <= e < s_end]
                if crossed:
                    # a different sentence is not said about this person, unless it opens with
                    # them as a pronoun: "... Mark Evans from Hook Road? He was sectioned"
                    said_from = _pronoun_after(low, crossed[-1], t_start) if len(crossed) == 1 else -1
                    if not named or said_from < 0 or hi - lo > 160:
                        continue
                elif hi - lo > 110:
                    continue
                if named:
                    score = self._said_of(text, low, said_from, group, t_start, t_end)
                else:
                    score = 0.65 if first_name else 0.3
                if best is None or score > best[0]:
                    best = (score, lo, hi, group)
            if best is None or best[0] == 0.0:
                continue
            score, lo, hi, group = best
            what = {"place": "where they are treated", "sect": "detention", "med": "medication"}.get(
                group, "diagnosis"
            )
            who = (
                "named person" if named else "a relative named" if first_name else "someone close, not named"
            )
            clues.append(_Clue("health_disclosure", lo, hi, score, score >= 0.7, f"{who} with {what}"))

    @staticmethod
    def _said_of(text: str, low: str, name_end: int, group: str, t_start: int, t_end: int) -> float:
        """How surely a health word is said *of* the named person just before it: "Joan Fuller on
        Ward 1", "Sarah Jones has been sectioned" (yes); "Bill Nelson claims detained immigrants
        ...", "Rally To Support Detained Workers" (no)."""
        gap = low[name_end:t_start]
        if group == "place":
            placed = _PLACED.search(low, max(name_end, t_start - 12), t_start)
            return 0.92 if len(gap) <= 60 and placed else 0.0
        word = text[t_start:t_end]
        linked = not gap.strip() or not _LINKING.isdisjoint(_WORD.findall(gap))  # "Kev overdosed"
        if len(gap) > 30 or not (word.islower() or word.isupper()) or not linked:
            return 0.0
        return 0.92 if group == "sect" else 0.75

    def _subjects(
        self, text: str, low: str, relations: list[str], terms: list[tuple[str, int, int]]
    ) -> list[tuple[int, int, bool, bool, bool]]:
        """People a post could be about: (start, end, full name known, first name known, maybe
        staff). Names are only looked for in the stretch before each health word, where a
        disclosure would put them. Someone who may be staff ("Jo from Tolworth", "thanks to Sam
        Lee") is kept: where staff work is no disclosure, but a diagnosis said of them is."""
        found: list[tuple[int, int, bool, bool, bool]] = []
        for word, i in _occurrences(low, relations):
            before = _words_before(low, i, 30, 3)
            if before and before[-1] in _POSSESSIVES:
                start = i - len(before[-1]) - 1
            elif len(before) >= 2 and before[-2] in _POSSESSIVES and before[-1] in _RELATION_ADJECTIVES:
                start = low.rfind(before[-2], 0, i)
            else:
                continue  # "a friend", "the nurse's son": nobody in particular
            end = i + len(word)
            nm = _NAME_AFTER.match(text, end)
            names = nm.group(1).split() if nm else []
            if names and names[0].lower() in self._not_names:
                names = []
            full = len(names) >= 2 and self._is_name(names)
            found.append((start, nm.end() if names and nm else end, full, bool(names), False))
        windows: list[tuple[int, int]] = []
        for _, t_start, _ in sorted(terms, key=lambda t: t[1]):
            lo = max(0, t_start - 100)
            if windows and lo <= windows[-1][1]:
                windows[-1] = (windows[-1][0], t_start)
            else:
                windows.append((lo, t_start))
        candidates = (m for lo, hi in windows for m in _NAME.finditer(text, lo, hi))
        for m in candidates:
            if m.start() and (text[m.start() - 1] in "@#" or text[m.start() - 1].isalnum()):
                continue  # "@Tom Baxter" is the account being replied to
            if any(s <= m.start() < e for s, e, *_ in found):
                continue
            if m.group(1):
                if m.group(1).lower() in self._not_names:
                    continue
                words = [m.group(1)]
            else:
                words = [w for w in m.groups()[1:] if w]
                if not self._is_name(words):
                    continue
            found.append(
                (m.start(), m.end(), True, True, self._is_staff(text, low, m.start(), m.end(), words))
            )
        return found

    def _is_name(self, words: list[str]) -> bool:
        low = [w.lower() for w in words]
        return not any(w in self._not_names or w in _TERM_WORDS for w in low)

    def _is_staff(self, text: str, low: str, start: int, end: int, words: list[str]) -> bool:
        """Staff are praised, complained about or named by role; none of that is a disclosure."""
        if " ".join(words).lower() in self._staff or all(w.lower() in self._staff_words for w in words):
            return True
        before = _words_before(low, start, 40, 4)
        if before and before[-1].rstrip(".") in _STAFF_TITLES:
            return not (before[-1] == "sister" and len(before) > 1 and before[-2] in _POSSESSIVES)
        return not _THANKS_WORDS.isdisjoint(before) or bool(_STAFF_AFTER.match(text, end))

    # -- a name signed beside contact details ------------------------------------------------

    def _sign_off(self, text: str, low: str, clues: list[_Clue]) -> None:
        tail = len(text.rstrip(" .!x\n"))
        for m in _FULL_NAME.finditer(text):
            if m.start() and (text[m.start() - 1] in "@#" or text[m.start() - 1].isalnum()):
                continue
            if not self._is_name(m.group(1).split()):
                continue
            before = _words_before(low, m.start(), 20, 3)
            dash = text[max(0, m.start() - 3) : m.start()].strip().endswith(("-", "–", "~"))
            if dash or m.end() == tail or not _SIGN_OFF_WORDS.isdisjoint(before):
                clues.append(_Clue("name", m.start(), m.end(), 0.9, True, "full name beside contact details"))


_PRONOUN_OPENING = re.compile(r"\W*(?:he|she|they)\b")


def _pronoun_after(low: str, sentence_end: int, before: int) -> int:
    """Where "he"/"she"/"they" ends when it opens the sentence after ``sentence_end`` (and comes
    before ``before``), else -1."""
    m = _PRONOUN_OPENING.match(low, sentence_end + 1, before)
    return m.end() if m is not None else -1
