"""The crisis detector: a person in crisis comes first, and "this queue is killing me" does not.

Each table below is one part of the story a comms officer would tell: what must raise a P1
(and with which kind, so the engine signposts 999 when the danger is now), and what must not,
however dark the words look.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from civildesk.detectors.base import DetectorConfig, Finding, MessageInput, prepare
from civildesk.detectors.crisis import CrisisDetector

DETECTOR = CrisisDetector(DetectorConfig())
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "policy_examples.jsonl"


def findings(text: str) -> list[Finding]:
    return DETECTOR.detect(prepare(MessageInput(text=text)))


def raised(text: str) -> list[Finding]:
    return [f for f in findings(text) if f.score >= 0.5]


def crisis_score(text: str) -> float:
    return max((f.score for f in findings(text)), default=0.0)


def kinds(text: str) -> set[str]:
    return {f.kind for f in raised(text)}


# --- Someone says they mean to die, or has a plan or the means -------------------------------
INTENT_PLAN_MEANS = [
    ("going to end it tonight", "intent"),
    ("I've decided. I'm going to end it tonight once everyone's asleep", "intent"),
    ("honestly just want to kill myself", "intent"),
    ("im gonna kms", "intent"),
    ("thinking about unaliving myself again", "intent"),
    ("might just end it all, nobody would notice", "intent"),
    ("I'm going to jump.", "intent"),
    ("im going to jump off the bridge by the station", "intent"),
    ("keep thinking of stepping in front of a train on the way home", "intent"),
    ("I'm going to top myself, I mean it this time", "intent"),
    ("not going to be around much longer so don't bother replying", "intent"),
    ("ready to ctb tbh", "intent"),
    ("i'm actively suicidal and i can't get through to the crisis line", "intent"),
    ("feeling really suicidal tonight", "intent"),
    ("gonna od on my sertraline", "intent"),
    ("scared I'm going to do something stupid", "intent"),
    ("i dont trust myself tonight, pills are in the drawer", "intent"),
    ("i cant keep myself safe anymore", "intent"),
    ("if they discharge me again I'll kill myself, I'm not joking", "intent"),
    ("the voices are telling me to jump", "intent"),
    ("k!ll mys3lf", "intent"),
    ("want to throw myself off the multi storey at Kingston", "intent"),
    ("I've written my letters.", "plan"),
    ("I know how I'd do it, I've thought about it loads", "plan"),
    ("I've got a plan now.", "plan"),
    ("googled how many paracetamol it takes to die", "plan"),
    ("what's the lethal dose of sertraline", "plan"),
    ("wrote a goodbye letter to my mum last night", "plan"),
    ("been stockpiling my tablets for weeks", "means"),
    ("bought a rope", "means"),
    ("saving up my meds, got about 60 now", "means"),
    ("got enough co-codamol saved to do it properly", "means"),
    ("standing on the bridge looking at the water", "means"),
    ("pills all lined up in front of me", "means"),
]


@pytest.mark.parametrize(("text", "kind"), INTENT_PLAN_MEANS)
def test_intent_plans_and_means_raise_a_crisis(text: str, kind: str) -> None:
    assert kind in kinds(text), findings(text)
    assert crisis_score(text) >= 0.85


# --- Danger now: the engine adds 999 / A&E for these -----------------------------------------
IMMINENT = [
    "took everything in the cupboard about 20 mins ago. feel weird",
    "I've taken 30 paracetamol",
    "just necked two boxes of co-codamol with vodka",
    "on the bridge now. sorry",
    "I'm on the roof of the multi storey right now",
    "overdosed an hour ago and feel really sleepy",
    "cut too deep and it won't stop bleeding",
    "noose is up",
    "ive started giving my stuff away. just so you know",
    "by the time you read this it'll be done",
    "goodbye everyone, thanks for trying",
    "this is my last post. love you all x",
    "tell my mum I'm sorry",
    "going to end it tonight",
    "bought a rope and I'm doing it tonight",
    "my brother says he'll end it tonight",
    "my sister took an overdose an hour ago and won't let me call an ambulance",
    "my son is suicidal and he's on his own at home right now",
    "my mate keeps saying he wants to die and he's not answering his phone",
    "took a whole box of sertraline, dont want to be saved",
    "I've swallowed about fifty of my mum's tablets",
    "😔 i've tаken 30 pаracetamol",  # Cyrillic look-alikes
    # the plan in the present tense, made serious by the distress beside it
    "I can't go on, I've got the pills and I'm taking them tonight",
    "can't do this anymore. got my tablets out and im taking them all now",
]


@pytest.mark.parametrize("text", IMMINENT)
def test_danger_now_is_marked_imminent(text: str) -> None:
    assert "imminent" in kinds(text), findings(text)
    assert crisis_score(text) >= 0.9


# Distress that is serious but not "call 999 now": the crisis line is the right signpost.
NOT_IMMINENT = [
    "not going to do anything stupid, promise, but the urge to self harm is really bad tonight and im on my own",
    "sometimes i think id be better off in the ground tbh 🙂",
    "keep picturing my own funeral and it feels like relief",
    "cut again last night, didn't even want to",
    "I can't cope anymore",
    "Starting to think the only way anyone takes me seriously is if I actually go through with it.",
]


@pytest.mark.parametrize("text", NOT_IMMINENT)
def test_serious_but_not_imminent(text: str) -> None:
    assert raised(text), findings(text)
    assert "imminent" not in kinds(text), findings(text)


# --- Self-harm: current urges and acts ---------------------------------------------------------
SELF_HARM = [
    "the urge to self harm is really bad tonight",
    "not going to do anything stupid, promise, but the urge to self harm is really bad tonight and im on my own",
    "cut again last night, didn't even want to",
    "been burning myself with a lighter again",
    "I keep hurting myself and I don't know how to stop",
    "sh urges are unbearable rn",
    "I've started cutting again and my mum doesn't know",
    "hiding my blades from my flatmate",
    "relapsed on sh after 2 years clean",
    "my self harm is getting worse and the CAMHS waiting list is 18 months",
    "fighting the urges tonight, its so hard",
    "i self harmed again, sorry",
    "want to self-h@rm so badly",
]


@pytest.mark.parametrize("text", SELF_HARM)
def test_current_self_harm_is_crisis(text: str) -> None:
    assert "self_harm" in kinds(text), findings(text)


def test_a_bare_relapse_is_a_weaker_self_harm_cue() -> None:
    score = crisis_score("relapsed. 8 months gone just like that")
    assert 0.5 <= score <= 0.7


# --- Passive ideation: wishing to be dead, no point, no reason ---------------------------------
PASSIVE = [
    "sometimes i think id be better off in the ground",
    "wish I could go to sleep and not wake up",
    "everyone would be better off without me",
    "keep picturing my own funeral and it feels like relief",
    "what's the point anymore",
    "can't do this anymore",
    "there's no reason to live",
    "i just don't want to be here anymore",
    "I'm not suicidal but I don't see the point in anything anymore",
    "honestly hope i dont wake up tomorrow",
    "I'm such a burden to everyone",
    "nobody would even notice if I was gone",
    "i want to die",
    "i wanna die fr",
    "want 2 die",
    "tired of being alive tbh",
    "I wish I'd never been born",
    "life isn't worth living like this",
    "im in crisis and nobody is answering",
    "keep having really dark thoughts",
    "just want it all to stop",
    "not sure how much longer i can keep going",
    "tbh I'd rather be dead than go back on that ward",
    "maybe they'll listen when I'm dead",
    "sewerslide thoughts again",
    "been having su1c1dal thoughts every day",
    "s*icidal af today ngl",
    "I don't want to exist anymore",
    "nothing left to live for since my wife passed",
    "havent slept in 4 days, f***ing exhausted, keep picturing my own funeral and it feels like relief",
]


@pytest.mark.parametrize("text", PASSIVE)
def test_passive_ideation_is_crisis(text: str) -> None:
    assert raised(text), findings(text)
    assert crisis_score(text) >= 0.6


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("everyone would be better off without me", 0.8, 0.9),
        ("what's the point anymore", 0.8, 0.9),
        ("I can't cope anymore", 0.5, 0.65),
        ("i'm not coping", 0.5, 0.6),
        ("I've taken 30 paracetamol", 0.95, 1.0),
        ("going to kill myself", 0.95, 1.0),
        ("the urge to self harm is really bad tonight", 0.9, 1.0),
    ],
)
def test_scores_follow_how_explicit_the_words_are(text: str, low: float, high: float) -> None:
    assert low <= crisis_score(text) <= high


# --- Farewells ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "goodbye everyone, thanks for trying",
        "this is my last post. love you all x",
        "tell my mum I'm sorry",
        "you won't hear from me again after tonight",
        "just wanted to say goodbye",
        "Goodbye world. I'm sorry",
    ],
)
def test_farewells_are_crisis(text: str) -> None:
    assert "farewell" in kinds(text), findings(text)


# --- Someone else is at risk -------------------------------------------------------------------
THIRD_PARTY = [
    "my brother says he'll end it tonight",
    "Sorry to use LinkedIn for this. My dad (70) has been stockpiling his heart tablets and his neighbour found a note.",
    "my friend's talking about killing herself, what do I do",
    "my daughter (15) is self harming and CAMHS won't see her",
    "my sister took an overdose an hour ago and won't let me call an ambulance",
    "my mate keeps saying he wants to die",
    "worried about my husband, he's been talking about ending it",
    "our kid's been talking about suicide again",
    "my son is suicidal and he's on his own at home right now",
    "my ex is threatening to kill herself if I don't go round",
    "Me mum's been saving up her tablets, I found them in her drawer",
    # a relative pronoun between the person and the cue ("a friend who's ...")
    "what's the number for the crisis line again? asking for a friend who's in a bad way tonight",
    "my mate who wants to end it all tonight won't answer his phone",
    "my sister, who has been cutting again, won't let me see her arms",
]


@pytest.mark.parametrize("text", THIRD_PARTY)
def test_someone_else_at_risk_is_third_party(text: str) -> None:
    assert "third_party" in kinds(text), findings(text)


def test_the_dads_stockpile_and_note_is_danger_now_when_he_is_alone() -> None:
    text = (
        "Sorry to use LinkedIn for this. My dad (70) has been stockpiling his heart tablets and his "
        "neighbour found a note. He's at home on his own right now."
    )
    assert {"third_party", "imminent"} <= kinds(text)


# --- Veiled intent inside criticism ------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Third time I've been turned away from A&E this month because I'm \"not unwell enough\". "
        "Starting to think the only way anyone takes me seriously is if I actually go through with it.",
        "6 months on the waiting list. I'm going to do something stupid before anyone sees me",
        "you lot won't care until I'm dead will you",
        "the crisis team hung up on me again. i can't do this anymore",
        "discharged again with a leaflet. honestly what's the point in carrying on",
    ],
)
def test_crisis_inside_criticism_of_services(text: str) -> None:
    assert raised(text), findings(text)


# --- Hard negatives: idioms and hyperbole ------------------------------------------------------
IDIOMS = [
    ("this queue is killing me", "idiom"),
    ("dying of laughter at this 😂", "idiom"),
    ("i'm dead 💀", "idiom"),
    ("the outtakes at the end of this reel 💀💀 i can't breathe", None),
    ("this referral form is doing my head in, actually dying over here 🫠", "idiom"),
    ("I'd kill for a decent chair in the Springfield waiting room, 2 hours on plastic 😂", "idiom"),
    ("this IT system is going to be the death of me, 3rd time it's logged me out mid-referral", "idiom"),
    ("kill me now, this meeting has been going 3 hours", "idiom"),
    ("absolutely killing it at parkrun this morning", "idiom"),
    ("the brownies in the new cafe are to die for", "idiom"),
    ("dead tired after a night shift", "idiom"),
    ("the new cafe at Springfield is dead good", "idiom"),
    ("If I have to listen to that hold music one more time I'll kill myself 😂", "idiom"),
    ("if spurs lose again i'm going to jump off a bridge lol", "idiom"),
    ("nearly killed myself falling down the stairs at the station", "idiom"),
    ("cut myself chopping onions, any plasters at reception?", "idiom"),
    ("burnt myself on the kettle at work, typical", "idiom"),
    ("my feet are killing me after that shift", "idiom"),
    ("I could murder a cup of tea", None),
    ("I'm dying to know when the new clinic opens", "idiom"),
    ("I can't do this anymore, the app has logged me out 5 times", "idiom"),
    ("I'm literally dying, the heating's broken in the waiting room", "idiom"),
    ("this weather makes me want to die lol", "idiom"),
    ("I'm going to die of embarrassment, I called the receptionist mum", None),
    ("bloody hell I nearly died when I saw the parking charges", "idiom"),
    ("stood on the bridge watching the fireworks with the kids", "idiom"),
    ("my phone's dead, can someone ring the ward for me", "idiom"),
    ("end of my tether with this referral", "idiom"),
    ("I'm going to end it with him tonight, he's been awful to me", "idiom"),
    ("my life is pointless without coffee lol", "idiom"),
    ("Honestly the death of me, this rota", "idiom"),
    ("im deceased 😭😭", "idiom"),
    ("that outfit is to die for", "idiom"),
    ("killing myself laughing at the comments", "idiom"),
    ("been killing myself at work to hit these targets", "idiom"),
    ("kms this exam is impossible 😂", "idiom"),
    ("throwing myself into the new job", "idiom"),
    ("my mum will kill me when she sees the parking fine", "idiom"),
    ("i could sleep forever after that shift", "idiom"),
    ("bus service has been cut again, how are patients meant to get to Tolworth", "idiom"),
    ("ran 5 kms for Mind today 💚", "idiom"),
    ("I give up trying to get through to your switchboard", None),
]


@pytest.mark.parametrize(("text", "explanation"), IDIOMS)
def test_idioms_and_hyperbole_are_not_crisis(text: str, explanation: str | None) -> None:
    assert not raised(text), findings(text)
    if explanation is not None:
        assert explanation in {f.kind for f in findings(text) if f.score == 0.0}, findings(text)


# --- Hard negatives: the subject, not a person at risk -----------------------------------------
TOPICS = [
    "Our school wants to run a suicide prevention assembly for Year 10s, do you have a speaker we could book?",
    "World Suicide Prevention Day today – please share the crisis line",
    "Raising money for Papyrus in memory of my cousin who died by suicide",
    "Doing my Samaritans training next week, any tips?",
    "Great webinar on self harm in young people today",
    "How do I support someone who is suicidal?",
    "what should you do if a friend says they want to kill themselves?",
    "The documentary about suicide in young men was hard to watch but important",
    "We lost my uncle to suicide in 2019, so this campaign means a lot",
    "He killed himself in 2015 and nobody from the trust ever contacted us",
    "The new Suicide Squad film is rubbish",
    "My nan wants to die at home, can the community team support that?",
    "Can you share info for people who self harm?",
    "ligature points on Ward 3 still haven't been fixed",
    "International Overdose Awareness Day, carry naloxone",
    "my character dies in the book and I cried for an hour",
    "Watching Grey's and someone dies every episode 😭",
    "the NHS is in crisis and everyone knows it",
    "cost of living crisis is making everyone's mental health worse",
    "the crisis line kept me on hold for 40 minutes last week, not good enough",
    "relapse prevention plan from the CMHT was really useful",
    "i relapsed on the booze last night, is there an alcohol service in Sutton?",
    "people who are in a bad way should call the line, not wait for a callback",
    "anyone who wants to die deserves a proper answer from the crisis team",
]


@pytest.mark.parametrize("text", TOPICS)
def test_talking_about_the_subject_is_not_crisis(text: str) -> None:
    assert not raised(text), findings(text)


# --- Hard negatives: negation and recovery -----------------------------------------------------
NEGATED_OR_RECOVERED = [
    (
        "I'm not in crisis, honestly - only popping in to say the Wellbeing Hub drop-in helped loads",
        "negated",
    ),
    ("I'm not suicidal, I just want an appointment", "negated"),
    ("I would never kill myself, I'm just exhausted", "negated"),
    ("I used to self harm but I'm 2 years clean", "recovery"),
    ("I self harmed for years. Now 3 years free and training as a peer supporter 💪", "recovery"),
    ("Tried to kill myself when I was 19. Now I volunteer on the crisis line. It gets better", "recovery"),
    ("no longer suicidal thanks to the home treatment team, can't thank them enough", "negated"),
    ("I don't want to die, I just want the pain in my back sorted", "negated"),
    ("promise I won't do anything silly, just venting about the wait", "negated"),
]


@pytest.mark.parametrize(("text", "explanation"), NEGATED_OR_RECOVERED)
def test_negation_and_recovery_are_not_crisis(text: str, explanation: str) -> None:
    assert not raised(text), findings(text)
    assert explanation in {f.kind for f in findings(text)}, findings(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal but I don't see the point in anything anymore",
        "not gonna lie, i want to die",
        "i'm not okay. i want to die",
        "I used to self harm and the urges are back this week",
        "i've never felt so suicidal",
        "I can't stop thinking about killing myself",
    ],
)
def test_negation_does_not_cancel_a_stated_feeling(text: str) -> None:
    assert raised(text), findings(text)


# --- Ordinary messages that share words with crisis cues ---------------------------------------
ORDINARY = [
    "took 2 paracetamol for a headache, can I take ibuprofen too?",
    "I take 5 tablets a day, is that normal with lithium?",
    "how many paracetamol can I take in a day?",
    "can we jump on a call at 3?",
    "I need help with my referral form",
    "giving away my old sofa, free to collect from Tooting",
    "Bought a rope swing for the kids 😊",
    "stockpiling loo roll again like it's 2020",
    "I'm saving up for a holiday",
    "Please end this meeting",
    "we need to end the stigma around mental health",
    "goodbye everyone! Last day at the Trust after 22 years, going to miss you all",
    "This is my last post on this account, follow the new one",
    "saying goodbye to our wonderful colleague Sue who retires today",
    "what's the point of having a complaints process if no one replies",
    "The bridge on the A3 is shut again, standing traffic all the way",
    "my mum died last year and I still miss her",
    "Samaritans are there 24/7, call 116 123 if you're struggling",
    "collecting my prescription from the pharmacy later",
    "does sertraline make anyone else this tired?",
    "My son needs his ADHD meds reviewed, who do I contact?",
    "The Springfield cafe is dead quiet on Sundays",
    "can't wait to see the new garden at Tolworth",
    "I hope the new building has a decent car park",
    "Everyone in the team has been brilliant, thank you",
    "no callback no letter nothing for 10 weeks",
    "thanks for trying to sort my appointment, much appreciated",
    "Rang 5 times. No answer. Given up.",
    "not a crisis but can someone call me back about my benefits letter",
    "my hours have been cut again and I can't afford the bus",
    # a first dose said in the same words as the plan above, with no distress beside it
    "Got my new meds from the pharmacy and I'm taking them tonight, bit nervous",
    "picked up my antibiotics and im taking them now",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_messages_are_left_alone(text: str) -> None:
    assert not raised(text), findings(text)


# --- Evidence ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("😔😔 i've tаken 30 pаracetamol", "tаken 30 pаracetamol"),
        ("Honestly. I just want to DIE.", "want to DIE"),
        ("keep picturing my own funeral and it feels like relief", "picturing my own funeral"),
        ("my brother says he'll end it tonight", "he'll end it"),
        ("tbh k!ll mys3lf is all i think about", "k!ll mys3lf"),
    ],
)
def test_evidence_spans_point_at_the_original_words(text: str, words: str) -> None:
    spans = [text[f.start : f.end] for f in raised(text)]
    assert any(words in span for span in spans), spans


def test_every_finding_is_well_formed() -> None:
    texts = [t for t, _ in INTENT_PLAN_MEANS] + IMMINENT + [t for t, _ in IDIOMS] + TOPICS
    for text in texts:
        for f in findings(text):
            assert f.label == "crisis" and f.detector == "crisis"
            assert 0 <= f.start < f.end <= len(text)
            assert 0.0 <= f.score <= 1.0
            assert f.note
            assert (f.score == 0.0) == (f.kind in {"idiom", "topic", "negated", "recovery"})


def test_an_empty_or_unrelated_message_has_no_findings() -> None:
    assert findings("") == []
    assert findings("😂😂") == []
    assert findings("What time does the Barnes clinic open on Saturday?") == []


def test_organisations_can_add_their_own_phrases() -> None:
    local = CrisisDetector(DetectorConfig(extra={"crisis_phrases": ["going to the cliffs at Seaford"]}))
    text = "I'm going to the cliffs at Seaford"
    assert [f.kind for f in local.detect(prepare(MessageInput(text)))] == ["passive"]
    assert not raised(text)


# --- The Trust's own examples --------------------------------------------------------------------
@pytest.mark.data
@pytest.mark.skipif(not EXAMPLES.exists(), reason="needs ../shared/policy_examples.jsonl")
def test_policy_examples_crisis_recall_and_precision() -> None:
    rows = [json.loads(line) for line in EXAMPLES.read_text("utf-8").splitlines() if line.strip()]
    for row in rows:
        found = raised(row["text"])
        assert bool(found) == ("crisis" in row["labels"]), (row["id"], findings(row["text"]))
        needs_999 = "emergency" in row["signposts"]
        assert ("imminent" in {f.kind for f in found}) == needs_999, (row["id"], found)


# --- More ways people say it (written blind, then checked) ---------------------------------------
# (text, danger now?)
MORE_CRISIS = [
    ("@LondonMHTrust its 3am and ive got the pills in my hand. i dont know why im telling you", True),
    ("can someone from the crisis team ring me. I've had enough of everything and I've got a plan", False),
    ("I'm so tired of fighting. I just want to sleep forever", False),
    ("honestly the world would be a better place without me in it", False),
    ("Took a load of my sertraline about an hour ago. Don't know what to do now", True),
    (
        "my girlfriend has locked herself in the bathroom and says she's taking all her tablets. what do i do",
        True,
    ),
    ("pls help my brother is on the motorway bridge and wont come down", True),
    ("I keep thinking about driving into a wall on the way to work", False),
    ("i hate myself so much i want to hurt myself", False),
    ("Cut myself again tonight. Deeper than usual. I'm scared", False),
    ("I've been self-harming since I was 14 and it's getting worse, CAMHS discharged me", False),
    ("if I'm honest I don't think I'll be here by Christmas", False),
    ("Nobody would care if I disappeared tbh", False),
    ("there's no point in me being here anymore, I'm just a burden on my family", False),
    ("Can't stop crying. Don't want to wake up tomorrow.", False),
    ("I swallowed a whole packet of paracetamol and now I feel sick", True),
    ("Tonight's the night. Thank you to everyone who tried to help me.", True),
    (
        "my son (16) told me he wants to kill himself. CAMHS waiting list is 9 months. What am I supposed to do",
        False,
    ),
    ("I'm standing on Hammersmith bridge. I'm sorry.", True),
    ("my nan keeps saying she wishes she was dead since grandad died, is this normal?", False),
    (
        "ended up in A&E last night after I took an overdose. they discharged me this morning with nothing",
        True,
    ),
    ("I'm not going to lie I've been having thoughts of ending my life", False),
    ("i want to disappear forever", False),
    ("Been hearing voices telling me to hurt myself. Scared.", False),
    ("unaliving myself is all i think about rn", False),
    ("i just wanna die tbh 😔", False),
    ("lowkey want to kms", False),
    ("what's the point in living if nobody listens", False),
    ("im so done. bye everyone x", True),
    ("I've got enough tablets saved up. Just waiting for the right moment.", False),
    ("looked up how many of my quetiapine it would take", False),
    (
        "my housemate hasn't come out of his room in 3 days and left a note on the kitchen table saying sorry",
        True,
    ),
    ("Please just let me die", False),
    ("Life isn't worth it anymore. No one would notice if I was gone", False),
    ("when I'm gone maybe someone will finally read my referral", False),
    ("sat in the car with the engine running. dont know why im posting this", True),
    ("I don't want to live anymore", False),
    ("thinking of ending things tbh", False),
    ("I'm a danger to myself right now", True),
    ("Can you tell my mum I'm sorry and I love her", True),
    ("the urges to cut are so strong tonight i dont know if i can fight them", False),
    ("went back to self harming after 3 years, feel so ashamed", False),
    ("My partner tried to hang himself last night and the hospital sent him home today", True),
    ("I genuinely can't see a future for myself anymore", False),
    ("s/h again. sorry", False),
    ("I have a rope in my wardrobe", False),
    ("Planning to go to Beachy Head this weekend. Just so you know.", True),
    ("i'd rather die than go back to that ward", False),
    ("i wna die fr", False),
    ("im gna end it 2nite", True),
    ("cba with life anymore tbh", False),
    ("💊💊💊 tonight. sorry everyone", True),
    ("I'm not going to kill myself but I really want to die", False),
    ("I don't want to kill myself, I just want to stop existing", False),
    ("feel like ending it all, nobody gets it", False),
    ("my head is telling me to end it and i dont know how much longer i can fight it", False),
    ("Honestly think my family would be happier if I wasn't around", False),
    ("It would be so easy to just step off the platform tomorrow morning", True),
    ("mate im in bits, cant stop thinking about topping myself", False),
    ("my little sister has been cutting her arms, found blood on her sheets", False),
    ("I think my dad is going to do something stupid, he's been drinking and talking about his gun", False),
    ("CAMHS told my daughter to 'distract herself' when she said she wanted to die. Disgraceful.", False),
    ("Just taken all my mirtazapine. Wanted someone to know.", True),
    ("need someone to talk me down rn. on the bridge at kingston", True),
    ("i deserve to die honestly", False),
    ("Everyday I wake up disappointed I'm still alive", False),
    ("ive written goodbye messages to everyone on my phone", True),
    ("my ex just texted saying 'this is goodbye' and now her phone is off", True),
    ("I hurt myself again last night and I don't know who to tell", False),
    ("Part of me wants to go to sleep and never wake up", False),
    ("been googling ways to die all night", False),
    ("Im so sick of being alive", False),
    ("i am going to hang myself", False),
    ("I've tried everything. Therapy, meds, crisis team. I'm done trying. I want out.", False),
    ("Please help me I don't feel safe", False),
    ("urge to relapse is unreal tonight. 200 days clean of sh", False),
    ("I want my life to be over", False),
    ("sometimes I stand near the edge of the platform and think about it", False),
    (
        "@LondonMHTrust been on your waiting list 14 months. I honestly don't think I'll make it to the appointment",
        False,
    ),
    (
        "Sorry for messaging here. My mum's just rung me saying she's taken all her tablets. I'm 2 hours away. What do I do",
        True,
    ),
    ("can't keep doing this. every day is the same. I'm so tired of waking up", False),
    ("Thank you for nothing. When I'm found you can explain to my kids why nobody called back", False),
    ("I keep looking at the train tracks on my walk home and thinking how easy it would be", False),
    ("my therapist is on leave and i've started hurting myself again, who do i contact", False),
    ("nobody would miss me if i went", False),
    ("I've been stockpiling my zopiclone for a month. Not sure why I'm telling you", False),
    ("i'm not safe tonight", True),
    ("Got home from A&E. Cut my arm open again, 6 stitches this time", False),
    ("there's a girl sat on the railings at Kingston bridge crying, who do I call??", True),
    ("Tell the crisis team not to bother, it'll be done by the time they get here", True),
    (
        "Just want to say thank you to Ward 3 staff. You tried your best with me. I'm sorry I couldn't get better. Goodbye",
        True,
    ),
    ("some days I'd give anything not to exist", False),
    ("Every night I pray I don't wake up", False),
    ("i want 2 kill myself", False),
    ("thinking abt ending it tbh", False),
    ("I'm going to walk into the sea tonight", True),
    ("i feel like a burden to everyone and they'd all be better off", False),
    ("I've had enough. I'm going to do it this weekend", True),
    ("my flatmate said she's going to kill herself and locked her door. please help", True),
    ("I can't stop thinking about dying", False),
    ("why bother living when nothing changes", False),
    ("my self harm has got so bad I've started hiding it from my partner", False),
    ("I'm scared of what I might do to myself", False),
]


@pytest.mark.parametrize(("text", "now"), MORE_CRISIS)
def test_more_ways_of_saying_it(text: str, now: bool) -> None:
    found = kinds(text)
    assert found, findings(text)
    assert ("imminent" in found) == now, findings(text)


MORE_NOT_CRISIS = [
    "this hold music is actually going to kill me 😩 been on for 45 mins",
    "Dying to know if the new parking rules start Monday",
    "I'm dead 😂 who wrote this poster",
    "killing it with the new website, well done comms team",
    "Our walk for Papyrus raised £2,340 for suicide prevention! Thank you all 💚",
    "Our ward hosts a self harm awareness session on Thursday, all welcome",
    "Is there training for staff on how to talk to someone who is suicidal?",
    "I was suicidal in 2019 and the Home Treatment Team literally saved my life. Thank you ❤️",
    "5 years self harm free today 🎉 never thought I'd get here",
    "Can I take paracetamol with my sertraline?",
    "my prescription ran out and the GP won't answer, I need my meds",
    "I nearly died laughing at the Christmas panto the ward put on",
    "the waiting list is killing my mum, she's been waiting 14 months for a memory assessment",
    "Why did you cut the crisis cafe hours? People rely on that",
    "I could cry, they've cancelled my appointment AGAIN",
    "Bye for now everyone, logging off for the weekend! Have a good one",
    "Goodbye 2025, you were rough. Here's to a better year",
    "Is it true the Trust is ending the contract with the cleaning company?",
    "my dad died by suicide 10 years ago, and today I ran the marathon for Samaritans",
    "Honestly if I hear one more person say 'have you tried yoga' I'll scream",
    "The documentary 'Life After Suicide' was so powerful",
    "my cat knocked my tablets off the shelf and I've lost half of them, can the pharmacy replace them?",
    "I'd die for a coffee right now, 8 hours on shift",
    "The bridge by the hospital is closed for repairs, use the back entrance",
    "do you have leaflets on supporting a child who self harms? for our school",
    "Not in crisis but would like someone to call me back about my care plan",
    "My mate jumped off the top board at the leisure centre today, proud of him",
    "I'm going to jump on the next train to Kingston, see you there",
    "stop giving away our data to american companies",
    "this is the end of an era, Springfield old building being demolished",
    "i'm so done with this referral process, third form this month",
    "not gonna lie the new canteen is dead good",
    "who do I talk to about my son's overdose last year, we still have no answers from the trust",
    "I've been tasked with writing the suicide prevention strategy for our PCN, any tips?",
    "ugh I want to die, just sent an email to the whole team meant for my manager 🙈",
    "I'm not suicidal, I'm just absolutely knackered and need a sick note",
    "Had suicidal thoughts years ago but doing really well now thanks to my CPN",
    "Can you recommend any self harm support groups for parents in Wandsworth?",
    "Season finale of Grey's made me want to die 😭😭 why would they do that",
    "lmao i'm going to kill my brother, he ate my leftovers",
    "I'd literally kill for a weekend off",
    "my back is killing me after that ward round",
    "The new Samaritans campaign with Network Rail is brilliant",
    "Another suicide on the trains this morning, my commute was 2 hours late. Awful for the family though",
    "Our nurses deserve a pay rise, they're worked to death",
    "dead chuffed with the new garden at Tolworth",
    "Why is there no crisis team cover on weekends? Someone is going to die",
    "People who self harm deserve compassion, not judgement from A&E staff",
    "I volunteer with Samaritans and we need more listeners for night shifts",
    "Take your meds, drink water, touch grass 😌",
    "I'm going to throw my laptop out the window if Teams crashes again",
    '"I want to die" - me every time the printer jams',
    "That bake off final nearly killed me 😂",
    "She killed it at the mental health awareness day talk!",
    "This is my last week at the Trust, thanks for the memories everyone",
    "Our overdose awareness stall will be in the main reception all week",
    "i'm done with this heat, 32 degrees on the ward",
    "bought a rope light for the ward christmas tree 🎄",
    "my friend's band is called Suicide Kings lol",
    "I'm not going anywhere, don't worry, just venting",
    "Cutting my hours was the best thing I did for my mental health",
    "Struggling to get a GP appointment, it's hopeless round here",
    "Is 'I feel hopeless' enough to get a referral?",
    "the new policy on ligatures is a joke, the bathroom doors still have hooks",
    "what's the point of the patient survey if nothing changes",
    "@LondonMHTrust the phone line has been dead all morning, is there another number?",
    "This new appointments system is going to be the end of me 🙃",
    "My son jumped off the diving board for the first time today!! So proud",
    "Shoutout to the crisis team who literally saved my life last year. Forever grateful",
    "I'm dying to see the new mural at Springfield, is it open to the public?",
    "Absolutely killing myself laughing at these ward xmas jumpers 😂😂",
    "I'd kill to get a GP appointment this side of Easter",
    "What support is there for families bereaved by suicide?",
    "my daughter has an overdose of homework this week lol",
    "Please can someone explain the self harm pathway for 16-17 year olds",
    "'I'm fine' - me, lying, every single day 😅",
    "honestly the parking at St George's makes me want to cry",
    "Drop dead gorgeous new building, well done",
    "i'm going to jump for joy if my referral actually comes through",
    "That's the last time I use the online booking, never works",
    "goodbye to the old visiting hours, hello 24/7 for families 👏",
    "He's a survivor of 2 suicide attempts and now a peer support worker at the trust",
    "The pills you gave me make me dizzy, is that normal?",
    "we need a bridge between adult and children's services, people fall through the gap",
    "Why are there no ligature-free rooms on the adolescent unit? That's a huge risk",
    "if my tax return doesn't submit i'm going to lose it",
    "My anxiety is through the roof today but I'm using my coping skills 💪",
    "I don't want to die in a hospital, can I get end of life care at home?",
    "I was sectioned in 2021 and felt suicidal for months but I'm in a much better place now",
    "Mental health nurses are dead on their feet, hire more staff",
]


@pytest.mark.parametrize("text", MORE_NOT_CRISIS)
def test_more_near_misses(text: str) -> None:
    assert not raised(text), findings(text)


# --- How the reading works ---------------------------------------------------------------------
def test_weak_signals_add_up() -> None:
    assert not raised("im so done")  # on its own: a complaint as often as a crisis
    assert not raised("bye everyone x")
    assert raised("im so done. bye everyone x")


def test_a_person_in_danger_in_front_of_the_author_is_danger_now() -> None:
    assert {"third_party", "imminent"} <= kinds("there's a lad stood on the edge of the bridge on the A3")
    # the same words as a story from the past are not an emergency
    assert "imminent" not in kinds(
        "a lad was stood on the edge of the bridge last year, police talked him down"
    )


def test_past_in_another_clause_does_not_cancel_a_present_feeling() -> None:
    assert raised("I was diagnosed 3 years ago and I want to die")
    assert not raised("I wanted to die when I was 15, so glad I held on")


def test_quoting_a_phrase_is_not_saying_it() -> None:
    assert not raised("Is 'I feel hopeless' enough to get a referral?")
    assert raised("my ex just texted saying 'this is goodbye' and now her phone is off")


def test_thinking_about_it_right_now_is_not_doing_it_right_now() -> None:
    assert "imminent" not in kinds("unaliving myself is all i think about rn")
    assert "imminent" in kinds("going to unalive myself rn")


# --- Families of cues added after the own-case review (tests/cases/crisis*.jsonl) ---------------
# Each row is one family, written in words that are not in the case files: (text, kind expected,
# danger now?). "kind" is one of the kinds the finding must include.
CUE_FAMILIES = [
    # a handle or quotation marks do not hide the words
    ("@LondonMHTrust kms fr", "intent", False),
    ("she left work saying she was going to 'end it' and her phone is off", "third_party", True),
    # reported speech: someone else's first person
    (
        "My colleague messaged the group 'I'm sorry, this is the end for me' and isn't answering",
        "third_party",
        True,
    ),
    # "no one tells you": "you" is the object, the feeling is the author's
    ("no one tells you how exhausting it is to want to die every day", "passive", False),
    # stockpiles: an amount of a medicine kept back
    ("I've got 2 months of sertraline saved up", "means", False),
    ("been putting my pregabalin aside instead of taking it", "means", False),
    ("stopped taking my meds and started saving them", "means", False),
    (
        "I've got 3 months of quetiapine saved up. Haven't decided when. Just wanted someone to know",
        "means",
        False,
    ),
    ("been looking at ropes online", "means", False),
    ("he's bought a hose for the car exhaust and he's at home on his own", "third_party", True),
    ("im in the bath with a razor", "imminent", True),
    ("downed my whole prescription an hour ago", "imminent", True),
    ("she's taken something and won't tell me what", "third_party", True),
    ("I've been taking more of my tablets than I should, on purpose", "self_harm", False),
    # farewells and final arrangements
    ("my brother texted me saying goodbye and now he won't answer", "farewell", True),
    ("made my will and found a new home for my dog", "farewell", True),
    ("Please pass on to my sister that I'm sorry", "farewell", True),
    # command voices, including the voice of someone who has died
    ("the voices keep telling me to walk into the river", "intent", False),
    ("i can hear my dad's voice telling me to come and join him", "intent", False),
    # self-harm without the words "self harm"
    ("punching walls till my knuckles bleed", "self_harm", False),
    ("been scratching till i bleed again", "self_harm", False),
    ("started banging my head against the wall again", "self_harm", False),
    ("found fresh cuts on my daughter's arms", "third_party", False),
    # eating disorders: behaviour, and the body in danger
    ("been purging after every meal", "self_harm", False),
    ("not eaten in 6 days and I keep fainting", "physical", True),
    # euphemisms and plans
    ("im checking out for good", "intent", False),
    ("planning my exit", "passive", False),
    ("I want to leave this world", "intent", False),
    ("I'm not safe at home tonight", "intent", True),
    ("cant stop picturing myself hanging", "passive", False),
    ("i hope i get hit by a bus on the way home", "passive", False),
    ("I can't find one reason to keep going", "passive", False),
    ("the only reason im still here is my dog", "passive", False),
    ("feel like everyone would be easier if i just wasn't in them", "passive", False),
    ("i dont see myself making it to 30", "passive", False),
    ("scared of what i'll do tonight", "passive", False),
    ("after my attempt last month i'm going to try again and get it right this time", "attempt", False),
    # not English
    ("quiero morir", "intent", False),
    ("me voy a quitar la vida esta noche", "intent", True),
    ("chcę umrzeć", "intent", False),
    ("Nie chcę już żyć", "passive", False),
    ("mujhe jeena nahi hai", "passive", False),
    ("dw i eisiau marw", "intent", False),
    ("quero morrer", "intent", False),
    ("je veux mourir", "intent", False),
    ("ich will sterben", "intent", False),
    ("میں مرنا چاہتا ہوں", "intent", False),  # Urdu script
    ("죽고 싶어", "intent", False),  # Korean (New Malden)
    ("Ne yapacağımı bilmiyorum, artık yaşamak istemiyorum", "passive", False),  # Turkish
    ("nebenoriu gyventi", "intent", False),  # Lithuanian
    ("main marna chahunda haan", "intent", False),  # Punjabi, Roman script
    # someone has rung 999: danger now
    ("my mate is on the roof of the car park saying he'll jump, I've rung 999", "third_party", True),
]


@pytest.mark.parametrize(("text", "kind", "now"), CUE_FAMILIES)
def test_families_of_cues(text: str, kind: str, now: bool) -> None:
    found = kinds(text)
    assert kind in found, findings(text)
    assert ("imminent" in found) == now, findings(text)


# Weak signals that need company: on their own they are ordinary, together they are a crisis.
@pytest.mark.parametrize(
    ("alone", "together"),
    [
        ("at richmond bridge now", "hiya. thinking of jumping. at richmond bridge now"),
        ("i won't be around for christmas", "honestly i won't be around for christmas. i mean it"),
        ("there won't be a next time", "crisis team sent me away again. there won't be a next time"),
        (
            "is it normal to plan your own funeral playlist",
            "planned my own funeral playlist, want it played soon",
        ),
        ("my heart keeps racing", "haven't eaten in 5 days and my heart keeps racing"),
        (
            "gave my cat to my neighbour",
            "gave my cat to my neighbour and texted my mum sorry. tonight's the night",
        ),
        (
            "I'm at Vauxhall bridge.",
            "I'm at Vauxhall bridge. I've been here an hour. I can't make myself go home",
        ),
    ],
)
def test_weak_cues_count_only_together(alone: str, together: str) -> None:
    assert not raised(alone), findings(alone)
    assert raised(together), findings(together)


def test_danger_now_needs_a_time_that_belongs_to_the_act() -> None:
    # "tonight" says when the planning happened, not when it will be done
    assert "imminent" not in kinds("I sat down tonight and worked out exactly how I'd do it")
    # "haven't decided when": no 999 from a stated preparation
    assert "imminent" not in kinds("got 60 tablets saved. haven't decided when. just so you know")
    # "as soon as she's out" is a condition, not a time
    assert "imminent" not in kinds(
        "after an overdose at the weekend my sister says she'll do it again as soon as she's out"
    )
    assert "third_party" in kinds(
        "after an overdose at the weekend my sister says she'll do it again as soon as she's out"
    )


def test_negation_and_anniversaries_in_new_families() -> None:
    assert not raised("no quiero morir, solo estoy cansada")
    assert not raised("자살 예방의 날 행사")  # a suicide prevention day event
    assert not raised("ten years ago tonight I took an overdose. today I'm a peer support worker")
    assert not raised("This time last year I was suicidal. Today I started my nursing degree")


NEW_NEAR_MISSES = [
    "I could kill for a coffee",
    "World Suicide Prevention Day is on Wednesday",
    "my phone is dead",
    "I'm done with this app",
    "I'm going to jump on the bus and see you at group",
    "checking out of the hotel at 11, then heading to the clinic",
    "we want to leave the world a better place for our kids",
    "the Richmond choir doing Don't Stop Me Now",
    "scratching my eczema till it bleeds, any cream recommendations?",
    "tell my mum I'm sorry I missed her call, I'm on nights",
    "He left a note on the fridge saying he's gone to the shops",
    "can't stop thinking about the bridge collapse on the news",
    "I've written my will and booked a cruise, retirement here I come!",
    "I'm at London Bridge now, running late, sorry",
    "banging my head against a brick wall with this referral",
    "Leaving the NHS after 20 years, farewell everyone and thank you",
    "my heart is racing before my first group",
    "Sorry everyone, the Tuesday group is cancelled",
    "we're giving away free plants at the open day",
    "bought a hose for the garden",
    "been looking at rope lights for the ward tree",
    "stopped taking my meds because of the side effects, who do I talk to?",
    "I'll try again tomorrow, the online form crashed after my attempt to log in",
    "the kids will be better off at the new school",
    "gave my old games to my little brother",
    "my nan is ready to go home from the ward",
    "I'm not going to make it to the meeting, sorry",
    "dying would be easier than this meeting lol",
    "planning my exit from the company, new job in May",
    "I keep picturing myself falling asleep on the train",
    "I'm jumping off a cliff next month... attached to a paraglider! Sponsored, please donate",
    "Just sick of everything being politicised",
    "if I see one more 'car park full' sign I'm going to throw myself in the Wandle 🙄",
    "I'm sat on the wall by the car park eating my lunch",
]


@pytest.mark.parametrize("text", NEW_NEAR_MISSES)
def test_new_near_misses(text: str) -> None:
    assert not raised(text), findings(text)


@pytest.mark.parametrize(
    ("cue", "complaint"),
    [
        ("intent 0.9 - (want|wish) to die", "capturing groups"),
        ("intent 0.9 - want to (?:die", "bad pattern"),
    ],
)
def test_a_broken_pattern_file_names_the_bad_cue(cue: str, complaint: str) -> None:
    """The family regex is checked as a whole; a bad cue is then found and named."""
    from civildesk.detectors.crisis import _Table

    text = "@family die die\nintent 0.9 - i want to die\n" + cue + "\n@family context\ntime 0 - tonight\n"
    with pytest.raises(ValueError, match=complaint) as caught:
        _Table(text)
    assert cue.split(" - ", 1)[1] in str(caught.value)


def test_every_shipped_family_compiles() -> None:
    """The shipped table compiles each family when a message first needs it; so that a broken
    cue cannot wait for the one message that opens its family, the whole file is checked here."""
    from civildesk.detectors.crisis import _load_table, _Table

    shipped = _load_table()
    assert not any(fam.compiled for fam in shipped.families.values())  # nothing paid for up front
    text = resources.files("civildesk.detectors").joinpath("data", "crisis_patterns.txt").read_text("utf-8")
    checked = _Table(text)
    assert all(fam.compiled for fam in checked.families.values())
    assert {n: len(f.cues) for n, f in checked.families.items()} == {
        n: len(f.cues) for n, f in shipped.families.items()
    }


# Found by the demo's live stream: a DM the rules let through as P5.
@pytest.mark.parametrize(
    "text",
    [
        "i don't think i can keep going tonight. i've got all my tablets here",
        "I can't keep going tonight",
        "i've got all my tablets here and i'm going to take them",
        "got my sertraline out, gonna take them all",
    ],
)
def test_not_going_on_tonight_and_taking_them_are_crisis(text: str) -> None:
    assert raised(text), findings(text)


@pytest.mark.parametrize(
    "text",
    [
        "i've got my tablets here",  # carrying medication is ordinary on its own
        "got my inhaler and my tablets with me, going to take them with food",
        "I've got the kids' vitamins, going to take them to school",
    ],
)
def test_having_medication_to_hand_is_not_crisis_alone(text: str) -> None:
    assert not raised(text), findings(text)
