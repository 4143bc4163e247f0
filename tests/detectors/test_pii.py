"""Personal information: what a public post must not expose, and what it may say freely.

The Trust hides a public post that carries someone's NHS number, phone, e-mail, home address, date
of birth, or names a person beside their ward or diagnosis. The same details sent by direct
message are the right channel: still highlighted, never labelled. Everyday numbers, the Trust's own
contact details and people talking about their own health are not personal information.
"""

from __future__ import annotations

import pytest

from civildesk.detectors.base import DetectorConfig, Finding, MessageInput, StaffMember, prepare
from civildesk.detectors.pii import PersonalInformationDetector, nhs_check_digit_ok

CONFIG = DetectorConfig(
    organisation_names=("South West London and St George's Mental Health NHS Trust",),
    staff=(StaffMember("Ruth Akintola", role="consultant"), StaffMember("Dean Carr", role="ward manager")),
    places=(
        "Springfield",
        "Barnes",
        "Tolworth",
        "memory clinic",
        "Balham hub",
        "Jupiter ward",
        "Merton",
        "Ward 1",
    ),
    extra={
        "org_domains": ("swlstg.nhs.uk",),
        "public_emails": ("communications@swlstg.nhs.uk",),
        "public_phones": ("020 3513 5000",),
    },
)
DETECTOR = PersonalInformationDetector(CONFIG)


def findings(text: str, kind: str | None = "comment") -> list[Finding]:
    return DETECTOR.detect(prepare(MessageInput(text=text, kind=kind)))


def labelled(text: str, kind: str | None = "comment") -> bool:
    return any(f.score >= 0.5 for f in findings(text, kind))


def evidence(text: str, kind: str = "comment") -> dict[str, list[str]]:
    """kind -> highlighted text, for the findings that raise the label."""
    out: dict[str, list[str]] = {}
    for f in findings(text, kind):
        if f.score >= 0.5:
            out.setdefault(f.kind, []).append(text[f.start : f.end])
    return out


# -- the NHS number check digit ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9434765919", True),  # the example printed in NHS guidance
        ("2527601898", True),
        ("4010232137", True),
        ("1677604360", True),  # 11 - 0 = 11, which becomes a check digit of 0
        ("9434765918", False),  # one digit out
        ("9614255480", False),  # 11 - remainder = 10: no number with these first nine digits is valid
        ("9614255489", False),
        ("1234567890", False),
        ("943476591", False),  # nine digits
        ("94347659190", False),
    ],
)
def test_the_modulus_11_check_digit_decides_what_an_nhs_number_is(digits: str, valid: bool) -> None:
    assert nhs_check_digit_ok(digits) is valid


# -- public posts that expose someone ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # NHS numbers, spaced, dashed or in one run
        (
            "@LondonMHTrust hi my DOB is 12/08/1990 and NHS no 252 760 1898, can someone tell me who my new care coordinator is",
            "nhs_number",
        ),
        ("My NHS number is 943 476 5919 can u check if my referral went through", "nhs_number"),
        ("nhs no: 943-476-5919 pls chase my appointment", "nhs_number"),
        ("my number on the letter is 9434765919 if that helps", "nhs_number"),
        # phones
        (
            "Please ring me about my son's referral, 07700 900293 or email d.akande77@gmail.com. Thanks, Dapo Akande",
            "phone",
        ),
        ("text me on 07700 900123 when you get this x", "phone"),
        ("my mobile is +44 7700 900123, nobody has called me back", "phone"),
        ("+44 (0)7700 900461 is my number, still waiting on the callback", "phone"),
        ("ring me on (020) 7946 0123 after 5 please", "phone"),
        ("call my mum on 0161 496 0000 she's been waiting all week", "phone"),
        ("can the crisis team call me back on 07700-900-789", "phone"),
        # e-mail
        ("email me jo.bloggs84@hotmail.co.uk about my mum's discharge", "email"),
        ("my email is gazza_1975@yahoo.com, nobody replied to my complaint", "email"),
        # addresses and postcodes
        ("I live at 14 Elm Road, Morden SM4 5AB and the letter never came", "address"),
        ("Flat 2, 14 Elm Road - can you send the letter there instead", "address"),
        ("she lives at 4 acacia avenue and nobody's checked on her", "address"),
        ("come round to 22 Sycamore Close if you want to see for yourself", "address"),
        ("12 High Street, SM4 5AB is where the letters should go", "address"),
        # dates of birth
        ("DOB 12/08/1990, can you tell me when my appointment is", "date_of_birth"),
        ("date of birth: 3rd March 1985. still no letter", "date_of_birth"),
        ("she was born on 3 March 1985 and has been on the waiting list for months", "date_of_birth"),
        ("d.o.b. 01.02.1975 - can someone find my file", "date_of_birth"),
        # a named person beside their ward, bed, detention or diagnosis
        ("my mum Joan Fuller was restrained on Ward 1 last night and nobody rang us", "health_disclosure"),
        ("John Smith in bed 4 on Jupiter ward has schizophrenia and keeps shouting", "health_disclosure"),
        ("Mrs Fuller on Ward 3 keeps screaming all night, how is anyone meant to sleep", "health_disclosure"),
        ("Sarah Jones has been sectioned again lol", "health_disclosure"),
        ("my daughter Amy is on Ward 2 and nobody tells us anything", "health_disclosure"),
        ("Gary Pike from my road got admitted to the psych ward last night", "health_disclosure"),
        ("Danny O'Neill tried to kill himself last week, everyone's talking about it", "health_disclosure"),
        ("my neighbour Dave Wilson is off his meds again and screaming at 3am", "health_disclosure"),
        ("Kev Brown got sectioned last night, saw the police take him", "health_disclosure"),
        ("Jack Smith is on clozapine now so maybe he'll calm down", "health_disclosure"),
        ("Has anyone seen Mark Jones since he got out of Springfield?", "health_disclosure"),
        # the next sentence opens with them as a pronoun
        (
            "Does anyone know which ward Mark Evans from Hook Road is on? He was sectioned yesterday",
            "health_disclosure",
        ),
        ("Mark Evans is a legend. He has bipolar and still ran the marathon", "health_disclosure"),
        # "from <place>" may be where someone works or where they live; a diagnosis said of them is
        # a disclosure either way
        (
            "Sarah Jones from Tolworth has an eating disorder, she was on Ward 2 last year",
            "health_disclosure",
        ),
        ("Kate Brown at Tolworth has bipolar and she shouldn't be a nurse", "health_disclosure"),
        # another person's details and health together
        (
            "@LondonMHTrust my ex lives at 31 Hazel Way SM4 and she's stopped her lithium, someone needs to section her",
            "address",
        ),
    ],
)
def test_a_public_post_exposing_personal_details_is_a_breach(text: str, kind: str) -> None:
    found = evidence(text)
    assert kind in found, findings(text)
    assert all(f.score >= 0.5 for f in findings(text) if f.kind == kind)


def test_the_evidence_spans_cover_exactly_the_details() -> None:
    assert evidence(
        "@LondonMHTrust hi my DOB is 12/08/1990 and NHS no 252 760 1898, can someone tell me who my new care coordinator is"
    ) == {"date_of_birth": ["DOB is 12/08/1990"], "nhs_number": ["252 760 1898"]}
    assert evidence(
        "Please ring me about my son's referral, 07700 900293 or email d.akande77@gmail.com. Thanks, Dapo Akande"
    ) == {"phone": ["07700 900293"], "email": ["d.akande77@gmail.com"], "name": ["Dapo Akande"]}


def test_an_ex_partners_address_outward_code_and_medication_are_all_highlighted() -> None:
    found = evidence(
        "@LondonMHTrust my ex lives at 31 Hazel Way SM4 and she's stopped her lithium, someone needs to section her"
    )
    assert found["address"] == ["31 Hazel Way"]
    assert found["postcode"] == ["SM4"]
    assert "lithium" in found["health_disclosure"][0]


def test_a_message_of_unknown_kind_counts_as_public() -> None:
    assert labelled("text me on 07700 900123", kind=None)
    assert labelled("text me on 07700 900123", kind="mention")
    assert labelled("text me on 07700 900123", kind="reply")


def test_a_full_name_counts_only_beside_contact_details() -> None:
    assert evidence("Thanks, Dapo Akande") == {}
    assert evidence("my name is Jo Bloggs, call me on 07700 900123")["name"] == ["Jo Bloggs"]
    assert evidence("07700 900123 - Priya Shah")["name"] == ["Priya Shah"]


# -- the same details sent privately ----------------------------------------------------------


def test_details_in_a_direct_message_are_highlighted_but_not_a_breach() -> None:
    text = (
        "hey, it's about my nan Joan Fuller on Ward 1 (DOB 22/09/1938). the family want to know when the next "
        "ward round is. my number is 07700 900364"
    )
    found = findings(text, kind="dm")
    assert {f.kind for f in found} == {"health_disclosure_private", "date_of_birth_private", "phone_private"}
    assert all(f.score == 0.0 for f in found)
    assert all("shared privately" in f.note for f in found)
    assert "07700 900364" in [text[f.start : f.end] for f in found]


def test_the_same_words_in_public_are_a_breach() -> None:
    text = "it's about my nan Joan Fuller on Ward 1 (DOB 22/09/1938). my number is 07700 900364"
    assert labelled(text, kind="comment")
    assert not labelled(text, kind="dm")


# -- everyday numbers, the Trust's own details, and people's own health -----------------------


@pytest.mark.parametrize(
    "text",
    [
        # public service and Trust numbers
        "If you need urgent help call the crisis line on 0800 028 8000, it's 24/7",
        "call 111 or ring 999 if it's an emergency",
        "Samaritans are on 116 123 any time",
        "020 3513 5000 is the one to ring, they answer quickly",  # published by the Trust (config)
        "ring the ward on 020 8682 6000, they were really helpful",
        "the number on the letter is 0300 123 4567 but nobody answers",
        "freephone 0808 196 3646 for the carers line",
        # the NHS, but no number
        "my NHS app keeps logging me out",
        "what's an NHS number for? I don't know mine",
        "can I give my NHS number by DM instead?",
        # ten digits that are not NHS numbers
        "my nhs number is 943 476 5918 and the app says it's wrong",  # fails the check digit
        "order 4010232137 still hasn't arrived",  # passes the check, but it's an order number
        "tracking ref 2527601898 says delivered",
        "the ISBN is 9614255480",
        "booking ref 01632 960123 if anyone from the ward needs it",
        # prices, times, dates, years, counts
        "£1,250 for a private assessment, absolute joke",
        "it costs £12.50 to park for 3 hours",
        "see you at 10:30 on Tuesday",
        "appointment on 12/08/2024 got cancelled again",
        "been waiting since 2019 for an assessment",
        "born in 1985 and never been this stressed",
        "10 weeks and no callback, 24/7 my foot",
        "top 10 tips for sleeping better",
        # places without a person
        "Ward 1 was lovely, the staff were so kind",
        "is there a clinic near SM4?",
        "is there a clinic near SM4 5AB?",
        "the clinic at 120 Broad Street is shut again",
        "5 mins down the road from Springfield and still no parking",
        "waited 3 hours on the ward for a doctor",
        "tried 3 times this way and the form still crashes",
        "got a ps5 2tb for christmas",
        # people speaking about their own health
        "I have bipolar and I'm proud of how far I've come",
        "I was sectioned last year on Ward 3 and the staff saved my life",
        "been on lithium for 10 years, it's fine",
        # relatives without an identity
        "Raising an official complaint: my sister was restrained on Ward 1 last week and nobody has explained why it was needed.",
        "my mum's on Ward 2 and the food is awful",
        "if my mum isn't moved off that ward by friday I'm coming in",
        # staff named in praise or complaint
        "Dr Hollis in the memory clinic was so patient with my grandad today, thank you 💙",
        "Dr Ruth Akintola at the Balham hub is being paid by a drug company to push their pills on patients.",
        "The Merton ward manager Dean Carr takes backhanders from a care home chain to discharge people there.",
        "That social worker Claire from the Merton team wants to watch her back.",
        "Thank you to Kerry Smith on Ward 2 for looking after my dad",
        "Thanks to Dr Sam Lee. She was amazing when I was sectioned",
        "I met Mark Evans at the bus stop. They said the ward was full",
        "Kobe Bryant admitted to the affair, not the assault",
        "The girl who accused Kobe Bryant wouldn't testify. He admitted to the affair not assault.",
        "Big thanks to Nurse Amy Lee on Jupiter ward",
        "Amy Lee on Jupiter ward was an absolute star, thank you",
        "Jo Smith from the crisis team on Ward 2 was brilliant with my son",
        "Thanks to Sam Lee from Springfield for helping mum with her dementia",
        # names and health words that are not about each other (news, headlines, politics)
        "Bill Nelson claims detained immigrant parents charged $8/minute to call their children",
        "Rally To Support Detained Pizza-Worker Immigrant",
        "Study Proving Vaccines Cause Autism Banned From Internet",
        "Joseph Carter, my antag, is trying to establish a psychiatric hospital in Ash Grove",
        "Congratulations new councillors for ward 2 Mazher Ali Awan and ward 3 Agha Salman Khan",
        "Join us Monday at 8pm in Morris Hall room 130",
        "Social Media addicted muppets the lot of them",
        # a business advertising its own number
        "Reiki and ear candle clients welcome. Call 01903 856 801 for details",
        # the account being replied to
        "@Tom Baxter bipolar isn't real mate, you're just a moody attention seeker",
        "@LondonMHTrust why is the Springfield car park always full",
        # the Trust's own e-mail addresses
        "If you want to discuss our decision please email communications@swlstg.nhs.uk",
        "try pals@swlstg.nhs.uk, they sorted mine",
        "email info@mind.org.uk for the leaflet",
    ],
)
def test_everyday_talk_is_not_personal_information(text: str) -> None:
    assert not labelled(text), findings(text)


def test_a_postcode_on_its_own_is_a_weak_clue_not_a_breach() -> None:
    found = findings("is there a clinic near SM4 5AB?")
    assert [(f.kind, f.score < 0.5) for f in found] == [("postcode", True)]


def test_two_weak_clues_together_are_a_breach() -> None:
    assert labelled("12 High Street, SM4 5AB is where the letters should go")


def test_a_relative_on_a_ward_is_noted_but_becomes_a_breach_only_with_an_identifier() -> None:
    quiet = findings("my sister was restrained on Ward 1 last week")
    assert [f.kind for f in quiet] == ["health_disclosure"] and quiet[0].score < 0.5
    assert labelled("my sister was restrained on Ward 1 last week, her mobile is 07700 900555")


def test_a_configured_staff_member_is_never_read_as_a_patient() -> None:
    assert not labelled("Ruth Akintola on Jupiter ward has been brilliant with my son")
    assert labelled("Ruth Akintola on Jupiter ward", kind=None) is False
    other = PersonalInformationDetector(DetectorConfig())
    assert any(
        f.score >= 0.5 for f in other.detect(prepare(MessageInput(text="Ruth Akintola is on Ward 2 again")))
    )


def test_the_trusts_published_numbers_and_addresses_come_from_the_config() -> None:
    texts = (
        "020 3513 5000 is the one to ring",
        "write to the events team at hello.events@mindfulcharity.org",
        "our volunteer lead is on volunteer.lead@gmail.com",
    )
    bare = PersonalInformationDetector()
    configured = PersonalInformationDetector(
        DetectorConfig(
            extra={
                "public_phones": ("+44 20 3513 5000",),
                "org_domains": ("mindfulcharity.org",),
                "public_emails": ("Volunteer.Lead@gmail.com",),
            }
        )
    )
    for text in texts:
        message = prepare(MessageInput(text=text, kind="comment"))
        assert any(f.score >= 0.5 for f in bare.detect(message)), text
        assert configured.detect(message) == [], text


def test_no_config_still_works() -> None:
    bare = PersonalInformationDetector()
    assert bare.detect(prepare(MessageInput(text="call me on 07700 900123")))[0].kind == "phone"
    assert bare.detect(prepare(MessageInput(text="nothing to see here"))) == []
