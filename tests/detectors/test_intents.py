"""The intents detector reads what an author wants from the Trust.

Someone who writes "Complaint!!" wants the complaints process; someone who asks "when will my dad
be discharged" is asking about one person's care, which the Trust will not discuss in public; a
question about sertraline is a clinical question to signpost; "thank you 💙" is praise to count;
"NO CALLBACK. 10 WEEKS." is criticism the policy protects. Sarcasm, sign-offs, rhetorical jibes,
news, chit-chat and emoji-only replies must not be mistaken for any of these.
"""

from __future__ import annotations

import pytest

from civildesk.detectors import DetectorConfig, Finding, MessageInput, prepare
from civildesk.detectors.intents import IntentDetector

DETECTOR = IntentDetector(DetectorConfig())
MINE = {"complaint", "individual_care", "clinical_question", "praise", "criticism", "question"}


def findings(text: str) -> list[Finding]:
    return DETECTOR.detect(prepare(MessageInput(text=text)))


def labels(text: str) -> set[str]:
    return {f.label for f in findings(text) if f.score >= 0.5}


def best(text: str, label: str) -> Finding | None:
    hits = [f for f in findings(text) if f.label == label and f.score >= 0.5]
    return max(hits, key=lambda f: f.score) if hits else None


# --------------------------------------------------------------------------- complaint

COMPLAINTS = [
    ("Raising an official complaint: my sister was restrained on Ward 1 last week", "complaint"),
    ("Complaint!! The lift at the Barnes outpatients has been broken for a month", "complaint"),
    ("COMPLAINT: nobody turned up to my mum's home visit", "complaint"),
    ("#complaint the toilets at Springfield have been out of order for weeks", "complaint"),
    ("I want to make a formal complaint about how my dad was treated", "complaint"),
    ("I'll be complaining to PALS first thing Monday", "complaint"),
    ("Reporting this to the CQC. Absolutely disgraceful.", "complaint"),
    ("im taking this to the ombudsman", "complaint"),
    ("I've written to my MP about this", "complaint"),
    ("Formal complaint going in tomorrow, I've had enough", "complaint"),
    ("This is a formal complaint about the way my mum was spoken to at reception", "complaint"),
    ("still waiting on a response to my complaint from March", "complaint"),
    ("We will be making a complaint about the discharge", "complaint"),
    ("I have a complaint about the parking at Tolworth", "complaint"),
    ("Dr Hollis spoke to my grandad like he was a child. She needs retraining or sacking.", "complaint"),
    ("I wish to complain about the receptionist at the Balham hub", "complaint"),
    ("how do I complain about the crisis team?", "how_to_complain"),
    ("who do I write to about a grievance with the CMHT? is it PALS or someone else", "how_to_complain"),
    ("Where do I send a complaint? The website just goes round in circles", "how_to_complain"),
    ("Can someone send me the link to your complaints procedure pls", "how_to_complain"),
    ("what's the complaints process for the community team?", "how_to_complain"),
    ("dont know how to make a complaint, can anyone help", "how_to_complain"),
    ("How can I make a complaint about my son's care?", "how_to_complain"),
    ("is there an email for complaints or do I have to go through PALS", "how_to_complain"),
    ("i want to put in a complant about the way i was treated at the crisis house", "complaint"),
    ("wud like 2 make a complaint abt my sons care coordinator, hes never there", "complaint"),
    ("I've complained three times and nobody has responded", "complaint"),
    ("I'll be contacting my MP and the local paper if this isn't sorted by Friday", "complaint"),
    ("This needs escalating. My mum has been waiting for a bed for 3 days in A&E.", "complaint"),
    ("If I'm not happy with how my complaint was handled what can I do next?", "how_to_complain"),
    ("how do i make a formal complaint abt a nurse", "how_to_complain"),
    ("@LondonMHTrust complaint reference 661 663 0494, 8 weeks and still no response", "complaint"),
    ("Dr Heale is arrogant and doesn't listen. He shouldn't be allowed near patients.", "complaint"),
    (
        "the consultant who signed off my section didn't even speak to me. i'll be following it up formally",
        "complaint",
    ),
    (
        "putting in a complaint. the clinic cancelled my son's appointment by text an hour before. again.",
        "complaint",
    ),
    ("I'd like to lodge a formal complaint regarding my father's discharge.", "complaint"),
    ("I'm going to report you to the ombudsman if I don't hear back this week", "complaint"),
    (
        "My son was restrained by four staff on Ward 1 and now has bruises. I want this investigated.",
        "complaint",
    ),
]

NOT_COMPLAINTS = [
    "Genuinely the worst run organisation I've ever dealt with.",
    "NO CALLBACK. NO LETTER. NOTHING. 10 WEEKS.",
    "No complaints here, the staff on Ward 2 were lovely",
    "I'm not complaining, just wondering when the café reopens",
    "Can't complain, the new drop-in times suit me much better",
    "Complaints about mental health services up 20% says new report",
    "my nan always complains about the food but she loves it really",
    "why do people complain about the NHS when it's free at the point of use",
    "Really not good enough",
    "People who moan about staff should try doing the job for a week",
    "I don't want to make a complaint, I just want someone to ring me back",
    "Tbh the CMHT have been really good with me this year, no complaints",
    "Your PALS team were really helpful when I raised a concern about my dad",
    "Shocking that you're closing the Mitcham day centre with no consultation",
    "For anyone who wants to complain, the chief exec's mobile is 07700 900133 😉",
    "Gay men shouldn't be allowed to work on children's wards",
    "Dr Osei was struck off in 2015, it's on the tribunal website. Why is he advising your board?",
]


@pytest.mark.parametrize(("text", "kind"), COMPLAINTS)
def test_complaint_language_is_a_complaint(text: str, kind: str) -> None:
    found = best(text, "complaint")
    assert found is not None, text
    assert found.kind == kind


@pytest.mark.parametrize("text", NOT_COMPLAINTS)
def test_grumbles_and_denials_are_not_complaints(text: str) -> None:
    assert "complaint" not in labels(text)


def test_a_denied_complaint_is_kept_as_an_explanation() -> None:
    notes = [f for f in findings("No complaints from me, lovely team") if f.label == "complaint"]
    assert notes and notes[0].score == 0.0 and notes[0].kind == "negated"


# --------------------------------------------------------------------------- criticism

CRITICISM = [
    # blame for what the service did
    "If my brother dies because you sent him home, I'm holding every one of you responsible",
    "I'm holding the Trust accountable for my son's death",
    "I blame you lot for this mess",
    "Genuinely the worst run organisation I've ever dealt with. Letters arriving after the appointment date.",
    "NO CALLBACK. NO LETTER. NOTHING. 10 WEEKS.",
    "Really not good enough",
    "The ICO reprimand is on their website for anyone to read. Hope lessons were actually learned.",
    "Good news story, but board papers show bed occupancy over 100% for eleven months. That's the real story.",
    "why does the Trust spend money on rebranding when there's no psychologist in the team?",
    "this referral form is doing my head in, actually dying over here 🫠",
    "this IT system is going to be the death of me, 3rd time it's logged me out",
    "I'd kill for a decent chair in the waiting room, 2 hours on plastic 😂",
    "us crips know the step-free route better than your signage does 😂 fix the signs pls",
    "The therapist was brilliant. But 11 months to get there nearly broke me.",
    "Waited 14 weeks for a first appointment and it got cancelled the day before. Shambles.",
    "Phones ring out every single time I try the Wandsworth team",
    "Your crisis line is useless, on hold for 40 minutes last night",
    "the new website is a complete mess, can't find the referral form anywhere",
    "Lovely staff but the waiting list is a joke",
    "The rebrand must have cost a fortune while wards are short staffed",
    "Sick and tired of being passed from pillar to post",
    "How is a 9 month wait for CAMHS acceptable?",
    "Another letter arriving the day after my appointment. Every time.",
    "The wait for an ADHD assessment is ridiculous",
    "Cheers for the copy-paste reply",
    "thanks for nothing",
    "Great, another 10 week wait",
    "Well done on losing my referral AGAIN",
    "the car park at Springfield is a nightmare, took 25 mins to find a space",
    "I've been fobbed off for months",
    "Why does it take 6 months to get a callback?",
    "Third time I've been turned away from A&E because I'm 'not unwell enough'",
    "bring back the old drop-in, the new one is rubbish",
    "my referral went in 7 weeks ago. Still nothing.",
    "the out of hours line never picks up, what's the point of it",
    "Absolutely shocking communication from the memory service",
    "nobody from the team has bothered to ring us back",
    "Disgraceful. My mum deserved better.",
    "sort it out Springfield, the lifts have been broken since Easter",
    "Lip service. Nothing ever changes.",
    "Very disappointed with the community team's response",
    "ur crisis line is a joke mate rang 6 times nobody picked up",
    "Two years on the waiting list for an autism assessment. Two. Years.",
    "The new parking charges at Springfield are daylight robbery",
    "Wow. Just wow. Not a single reply in 3 weeks.",
    "Well that's a waste of a Saturday, drove 40 mins and the clinic was shut",
    "Nobody from the home treatment team turned up. Again.",
    "Fantastic. Just fantastic. 5 months for a letter telling me I'm on a waiting list.",
    "love how you post about wellbeing when your own staff are burnt out",
    "ngl the new logo is kinda mid",
    "i love the nurses on ward 3 but management need to get a grip",
    "I'm not having a go at the staff, they're lovely, but the system is broken",
    "the link in your bio is broken",
    "Not impressed with the new parking system at all",
    "The food on Ward 3 is genuinely inedible",
    "Letters going to my old address AGAIN despite telling you 4 times",
    "the wait times in A&E for mental health patients are a national scandal",
    "Is it just me or is the new app rubbish",
    "Why does nobody ever answer the phone at the Wandsworth CMHT? Absolutely fuming",
    "My wife was discharged from the home treatment team today without anyone telling us",
    "Can somebody from the Trust please explain why the Richmond crisis café has been shut every weekend this month?",
    "Honestly don't know why I bother. Third cancelled appointment in a row.",
    "I'm not one to complain but the toilets on the ground floor have been out of order since March",
    "The nurse was lovely but the doctor didn't listen to a word I said",
    "Thanks for getting back to me. Still no date for my assessment though.",
    "Great, just great. Another letter telling me nothing.",
    "Proper grim that the Sutton day centre is closing. My mum went every Tuesday for 8 years. Gutted.",
    "Patients treated like cattle on that unit.",
    "i'd rather die than use the Trust's new app again, who designed this UI 😭",
    "@LondonMHTrust i'm done with your phone system, 3 transfers and cut off. done.",
    "If the Trust had listened to families, my son would still be alive. That's all I'll say.",
    "The medical director's pay is in the annual report: over £200k. Meanwhile my son waits two years.",
    "Rang the crisis line at 2am and got a voicemail. Not ok.",
    "Where do I send feedback about the Tooting clinic? It wasn't great.",
    "Why has my CPN been cancelled 3 weeks running? No explanation, nothing.",
    "This campaign is patronising rubbish",
    "Same old story, cuts cuts cuts",
    "whats the point of a crisis line if nobody answers it",
    # decisions, and who took them; a ward's culture
    "stupid idea tbh, who signed this off",
    "ridiculous decision to close the crisis cafe",
    "the trust's new parking policy is a stupid idea",
    "My mate works there and says Ward 6 is run by a bunch of bullies",
    "there's a real bullying culture on that unit",
    "Great, another 'consultation' that changes nothing. Thanks so much 🙄",
    "Why are you promoting this when people are dying on waiting lists?",
]

NOT_CRITICISM = [
    "Dr Hollis in the memory clinic was so patient with my grandad today, thank you 💙",
    "Happy Friday everyone! Enjoy the sunshine ☀️",
    "Heads up: someone's sprayed graffiti on the bus shelter outside Tolworth. Can it be cleaned off? Really upsetting for patients.",
    "I feel awful today, is that normal on sertraline?",
    "I was so disappointed to miss the fun run!",
    "not bad at all, the new booking system is actually quick",
    "The staff were never rude, not once",
    "Can't fault the crisis team, they were brilliant",
    "Sharing this for anyone who needs it 💙",
    "Great initiative!",
    "Our school wants to run a suicide prevention assembly, do you have a speaker we could book?",
    "am I covered by your Richmond team?",
    "😂😂",
    "feeling hopeless tonight",
    "New research shows lithium may protect the kidneys less than we thought",
    "The staff never let me down, not once in ten years",
    "I'm doing better now thanks to the early intervention team",
    "Saw this on the BBC - Trust fined £1.2m after patient death https://bbc.co.uk/news/123",
    "Caitlyn and her son had some kind words to say about one another",
    "About an hour later the café opened again",
    "I can't believe how kind the staff were when my dad died on the ward last week. Thank you all.",
    "Tbh the CMHT have been really good with me this year, no complaints",
    "Hope everyone has a lovely bank holiday 🌞",
    "I feel so let down by everyone in my life right now",
    "I hate myself so much",
    "My ex is an absolute nightmare, she won't let me see the kids",
    "My only complaint is the parking, otherwise spot on",
    "I had a stupid idea for a fundraiser, bake off with the ward staff!",
    "Ward 6 is run by a bunch of legends",
    # the author lost it, not the Trust
    "can someone ring me back about my appointment on Thursday, I've lost the letter",
    "ive gone and lost my appointment letter, can you resend it?",
    "I'll hold you to that, thanks for the lovely chat",
    "the nurse was lovely because you sent a card",
]


@pytest.mark.parametrize("text", CRITICISM)
def test_negative_opinion_of_the_service_is_criticism(text: str) -> None:
    found = best(text, "criticism")
    assert found is not None, text
    assert found.kind == "negative_opinion"


@pytest.mark.parametrize("text", NOT_CRITICISM)
def test_praise_questions_and_feelings_are_not_criticism(text: str) -> None:
    assert "criticism" not in labels(text)


# --------------------------------------------------------------------------- praise

PRAISE = [
    "Dr Hollis in the memory clinic was so patient with my grandad today, thank you 💙",
    "I'm not in crisis, honestly - only popping in to say the Wellbeing Hub drop-in helped loads 🙏",
    "So proud of my son, 18 months off spice and back at college thanks to the young people's drug service 💪",
    "the outtakes at the end of this reel 💀💀 i can't breathe",
    "The therapist I finally got was brilliant, credit where it's due.",
    "love this",
    "great initiative",
    "well done team",
    "Massive thanks to the nurses on Ward 3 who looked after my dad, you're all stars ⭐",
    "The perinatal team saved my life, honestly. Forever grateful 🙏",
    "Couldn't have got through the last year without my CPN. Thank you Sarah x",
    "Such a brilliant initiative, well done everyone 👏",
    "this reel has me crying 😂😂 the bloopers at the end",
    "Fair play to the staff at Queen Mary's, proper lovely people",
    "Thank you for sharing this, really useful",
    "Congratulations to the Wellbeing Hub team on the award! Well deserved 🎉",
    "gr8 work everyone",
    "ty for the quick reply!",
    "Dr Okafor is an absolute legend, listened to everything and explained it all",
    "Lovely!",
    "Looks great 👍",
    "The nurses on Larch ward were so kind to my mum",
    "Can't fault the crisis team, they were brilliant",
    "not bad at all, the new booking system is actually quick",
    "Lovely staff but the waiting list is a joke",
    "cheers for the info, really helpful",
    "big up the Tooting recovery café, best people going",
    "this made my day 😂",
    "@jess_b agreed, the crisis café saved me last winter too",
    "This. So much this. 👏👏",
    "Sending love to all the staff working over Christmas ❤️",
    "Beautiful artwork from our service users 😍",
    "Absolutely love the new murals in the Springfield café 😍",
    "This is so important, sharing 💙",
    "Been a patient at Springfield for 2 years now, and I just want to say thank you to everyone on Ward 2",
    "Please pass on my thanks to Nurse Ade on Ward 5, she was incredible with my dad",
    "Appreciate all you do 🙏",
    "Proud to work for this Trust 💙",
    "Well said 👏",
    "Did anyone else go to the carers' day? Was a great afternoon",
    "hahaha the dog in the background 😂😂 10/10 video",
    "Thanks for getting back to me. Still no date for my assessment though.",
    "Thank you to everyone on Ward 3 who looked after my mum ❤️ do you have a postal address so I can send a card?",
    "I'd like to say thank you to Dr Patel and the team for their patience with my son.",
    "Can't fault the care my son received at the Cedars unit. Every single member of staff was kind. Thank you.",
    "Gracias por la campaña, me ayudó mucho el año pasado 💚",
    "Bardzo dziękuję zespołowi z Tolworth za opiekę nad tatą 🙏",
    "شكراً لكم على هذا المنشور",
    "Diolch yn fawr to everyone at the Cardiff road clinic",
    "tell Kerry on reception she's a star ⭐",
    "The lemon drizzle at the Springfield café is to die for. Whoever bakes it deserves a pay rise!",
    "the therapy dog in the second pic 😭😭 i'm deceased",
    "Knock 'em dead at the awards tonight, talking therapies team!! 🏆",
    "Just want to say the staff at the Phoenix unit are angels. My brother wouldn't be here without them.",
    "omg the cake sale raised so much, well done all 🍰",
    "Ta for the quick reply earlier 😊",
    "What a fab day at the open day, thank you for having us!",
    "Gutted to see Dr Amadi leaving, she was the best psychiatrist I ever had",
    "nice one, cheers",
]

NOT_PRAISE = [
    "Cheers for the copy-paste reply, comms team.",
    "great, another 10 week wait",
    "thanks for nothing",
    "Lovely words about 'valuing staff'. Tell that to the HCAs doing unpaid hours.",
    "Please ring me about my son's referral, 07700 900293. Thanks, Dapo",
    "Can someone tell me when the drop-in opens? Thanks in advance",
    "😂😂",
    "🙄🙄",
    "🤡",
    "good morning all",
    "Good luck to everyone running the half marathon on Sunday",
    "my 5 year old could paint better than this, no wonder they're in a mental hospital 😂",
    "imagine needing a 'mindfulness session' to cope with a desk job 😂 absolute wet wipes",
    "Oh brilliant, the lift's broken again",
    "I'd love to know why nobody answers the phone",
    "Not great tbh, waited ages and the doctor seemed rushed",
    "It's amazing how you manage to lose every single letter I send",
    "Good news story, but board papers show bed occupancy over 100%. That's the real story.",
    "free 'anxiety relief' app, way better than the NHS one 👉 calmapp-free.apk.download",
    "Brilliant. Cancelled again.",
    "Would appreciate a call back about my appointment",
    "I can't breathe, my chest is so tight, is this a panic attack?",
    "Yeah great service, if you like waiting 9 months 🙄",
    'oh brilliant another "we\'re sorry to hear that, please DM us" 🙄',
    "Thanks a lot for cancelling my appointment for the third time",
    '"Outstanding" my arse, have you actually been on Ward 6?',
    "The CQC rated them outstanding apparently 🤔",
    "Does anyone have experience of the Tolworth eating disorder unit? Is it any good?",
    "Happy to help if you need volunteers for the fun run!",
    "thanks idiots, really useful reply",
    "lol this is so true 😂",
    "Good luck with that 🙄",
    "Nice try, but nobody believes the spin",
    "Great, just great. Another letter telling me nothing.",
    "Does anyone know if the drop-in is any good?",
    "I raised a grievance and HR haven't responded in 60 days. Not a great look for a 'great place to work'.",
    "ha, another 'i'm so brave for talking about my anxiety' post. cry more",
    "Love how the Trust can afford a new logo but not a psychologist in Merton. Priorities 😍",
    "10/10 experience, would recommend being on hold for 52 minutes to anyone",
    "Saw in the local paper there are new beds opening next year. Good news if true.",
]


@pytest.mark.parametrize("text", PRAISE)
def test_thanks_and_positive_feedback_are_praise(text: str) -> None:
    assert "praise" in labels(text), text


@pytest.mark.parametrize("text", NOT_PRAISE)
def test_sarcasm_sign_offs_and_mockery_are_not_praise(text: str) -> None:
    assert "praise" not in labels(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Cheers for the copy-paste reply", "sarcasm"),
        ("Please ring me about my appointment. Thanks", "sign_off"),
        ("Not helpful at all", "negated"),
    ],
)
def test_discounted_praise_is_explained(text: str, why: str) -> None:
    notes = [f for f in findings(text) if f.label == "praise"]
    assert notes and notes[0].score == 0.0 and notes[0].kind == why


# --------------------------------------------------------------------------- individual care

CARE = [
    ("@LondonMHTrust my referral to the perinatal team went in 7 weeks ago. Still nothing.", "own_care"),
    ("can someone tell me who my new care coordinator is", "own_care"),
    ("who is my new care co-ordinator?", "own_care"),
    ("my sister was restrained on Ward 1 last week", "relative_care"),
    (
        "hey, it's about my nan on Ward 1. the family want to know when the next ward round is",
        "relative_care",
    ),
    ("Please ring me about my son's referral", "relative_care"),
    ("can someone check my appointment", "own_care"),
    ("my mum's been on the ward 3 weeks and nobody has told us anything", "relative_care"),
    ("when will my dad be discharged", "relative_care"),
    ("I was referred to the memory clinic in June and still haven't heard anything", "own_care"),
    ("when will I be seen? It's been 5 months", "own_care"),
    ("Is my referral even on the system? No one will tell me", "own_care"),
    ("my husband's CPN hasn't turned up for two visits", "relative_care"),
    ("Any update on my ADHD assessment? Been waiting 2 years", "own_care"),
    ("can I change my appointment from Tuesday to Thursday?", "own_care"),
    ("my son was sectioned on Friday, how do we visit him?", "relative_care"),
    ("What's happening with my mum's discharge? She's been medically fit for a fortnight", "relative_care"),
    ("am I still on the waiting list for therapy?", "own_care"),
    ("My daughter's care plan hasn't been updated since March", "relative_care"),
    ("when will my meds be ready to collect?", "own_care"),
    ("my gran was moved to another ward and nobody told us", "relative_care"),
    ("pls can someone call me back re my daughter's assessment, been 3 wks", "relative_care"),
    ("can you tell the consultant my mum is allergic to penicillin, she's on Larch ward", "relative_care"),
    ("Where is my letter??", "own_care"),
    ("Is there a way to check where I am on the waiting list?", "own_care"),
    (
        "my dad was discharged yesterday with no care plan and no follow up. what do we do now",
        "relative_care",
    ),
    (
        "I'm writing on behalf of my brother. He's been told his care coordinator has left. Who is his new one?",
        "relative_care",
    ),
    (
        "Hi, my mum (82) was admitted to Ward 4 on Saturday. No one answers the ward phone. Can someone let us know how she is?",
        "relative_care",
    ),
    (
        "I've been waiting for a callback from the memory service since the 3rd. My dad's getting worse. Please can someone ring me.",
        "relative_care",
    ),
    ("how come my prescription still hasn't been sent to the pharmacy, it's been 10 days", "own_care"),
    (
        "My mum Patricia O'Neill, DOB 03/04/1951, was discharged from Ward 3 without her tablets. Ring me on 07700 900418.",
        "relative_care",
    ),
    (
        "please someone help, my brother was taken to Springfield last night and nobody will tell us anything",
        "relative_care",
    ),
    (
        "Hi, it's Karen, Ravi's mum. He's on Ward 2. Can someone from the team ring me about his leave?",
        "relative_care",
    ),
    (
        "Could someone look into why my mum hasn't had her memory clinic results yet? It's been ten weeks.",
        "relative_care",
    ),
    ("@LondonMHTrust nobody from the Sutton CMHT has rung me back since monday", "own_care"),
    ("My son's been on the ward 6 weeks and we've had one phone call from the consultant", "relative_care"),
    ("My mum's care plan hasn't been reviewed in over a year. Who do I speak to?", "relative_care"),
    ("Can I get a copy of my notes please", "own_care"),
]

NOT_CARE = [
    "Dr Hollis in the memory clinic was so patient with my grandad today, thank you 💙",
    "So proud of my son, 18 months off spice and back at college thanks to the young people's drug service 💪",
    "My dad (70) has been stockpiling his heart tablets and his neighbour found a note.",
    "been shoplifting to pay for my prescriptions, not proud but what else can I do",
    "how long is the waiting list for CAMHS in Merton?",
    "am I covered by your Richmond team?",
    "Thank you to everyone on Ward 3 who looked after my mum when she was admitted in May ❤️",
    "My referral went through quickly and the team were brilliant",
    "if my mum isn't moved off that ward by friday I'm coming in and someone's getting hurt",
    "📦 Your prescription delivery failed. Rebook here: royalmail-redeliver.help/NHS",
    "my mum works on a ward at Springfield and loves it",
    "my doctor put me on sertraline, is it normal to feel sick?",
    "what time does the drop-in open on Saturdays?",
    "Not sure this is the right place but how do I get referred to the memory clinic?",
    "Can I self refer or do I need to go through my GP?",
    "My dad admitted that he'd never watched a single episode",
    "Had my first session with the eating disorders team today, nervous but hopeful",
    "i love the nurses on ward 3 but management need to get a grip",
    "Your PALS team were really helpful when I raised a concern about my dad",
    "my friend is on ward 1 and says the food is great lol",
    "Thank you to everyone on Ward 3 who looked after my mum when she was admitted ❤️ do you have a postal address?",
    "Has anyone else had their appointment cancelled by text the night before?",
    "My mum is in the Royal Marsden with cancer, please keep her in your thoughts",
    "not gonna lie i've been struggling again since i got discharged from Ward 2. haven't told my mum",
    "My dad's been on Ward 3 since Sunday. Are we allowed to bring in his own pillow and a radio?",
    "I've been thinking about my cousin who died last year. Is there bereavement support for families in Merton?",
]


@pytest.mark.parametrize(("text", "kind"), CARE)
def test_one_persons_care_is_individual_care(text: str, kind: str) -> None:
    found = best(text, "individual_care")
    assert found is not None, text
    assert found.kind == kind


@pytest.mark.parametrize("text", NOT_CARE)
def test_thanks_services_and_stories_are_not_individual_care(text: str) -> None:
    assert "individual_care" not in labels(text)


# --------------------------------------------------------------------------- clinical questions

CLINICAL = [
    ("does mirtazapine make everyone this hungry or just me 😭", "medication"),
    ("does a lamotrigine rash mean i have to stop straight away??", "medication"),
    ("What are the early signs of psychosis in teenagers? Asking as a worried mum", "symptoms"),
    ("can I drink on sertraline", "medication"),
    ("is it normal to feel worse on the first week of citalopram", "medication"),
    ("how long do withdrawal symptoms last", "medication"),
    ("Does quetiapine make you put on weight?", "medication"),
    ("anyone else get brain zaps coming off venlafaxine?", "medication"),
    ("is it safe to take ibuprofen with lithium?", "medication"),
    ("Should I be worried if my son is hearing voices?", "symptoms"),
    ("What's the difference between bipolar 1 and 2?", "condition"),
    ("can you get addicted to zopiclone", "medication"),
    ("is it ok to take my meds at night instead of the morning", "medication"),
    ("how do I know if it's psychosis or just stress?", "condition"),
    ("Does Elvanse stop working if you take it with orange juice??", "medication"),
    ("my mum has dementia and keeps wandering at night, is that normal?", "symptoms"),
    ("what are the side effects of aripiprazole", "medication"),
    ("Is ADHD genetic?", "condition"),
    ("how long does it take for fluoxetine to kick in", "medication"),
    ("do antidepressants change your personality?", "medication"),
    ("How long does sertaline take to work? Day 10 and feel awful", "medication"),
    ("is olanzapine weight gain permanent", "medication"),
    ("I keep hearing whispers when nobody is there, is that psychosis?", "condition"),
    ("my teenage daughter isn't eating, what are the signs of anorexia", "symptoms"),
    ("Is it bad to take melatonin every night?", "medication"),
    ("what's the best antidepressant for anxiety", "medication"),
    ("am i allowed to drive on pregabalin", "medication"),
    ("i've been on venlafaxine for 6 weeks and still feel rubbish, should i ask to switch?", "medication"),
    ("my mum keeps forgetting to take her donepezil, any tips?", "medication"),
    ("my psychiatrist just upped my quetiapine to 300, is that a lot?", "medication"),
    ("is it normal that my antidepressants make me yawn constantly 😅", "medication"),
    (
        "My husband has been prescribed lithium and I'm worried about the blood tests, how often does he need them?",
        "medication",
    ),
    ("sertraline making me feel like a zombie, normal?", "medication"),
    ("is cannabis legal on prescription in the UK? my consultant mentioned it", "medication"),
    ("is quetiapine safe in pregnancy", "medication"),
    ("Is it normal for my teenager to sleep 14 hours a day?", "symptoms"),
]

NOT_CLINICAL = [
    "selling sertraline 100mg 30 tabs £20, pm me",
    "I'm in Twickenham so technically Middlesex, am I covered by your Richmond team?",
    "what time does the drop-in open?",
    "what time does the anxiety group start on Tuesdays?",
    "How long is the wait for an ADHD assessment in Sutton?",
    "Is there a bipolar support group near Kingston?",
    "@LondonMHTrust my ex has stopped her lithium, someone needs to section her",
    "💉 Mounjaro pens, no prescription needed, UK next day 👉 slimjab-uk.shop",
    "New research shows sertraline helps with anxiety https://bbc.co.uk/news/health",
    "@Tom Baxter bipolar isn't real mate, you're just a moody attention seeker",
    "Can I self-refer to talking therapies for depression?",
    "Is the pharmacy at Springfield open on Saturdays?",
    "been on sertraline 2 years and it changed my life, thank you to my GP",
    "anyone else hungry after the fun run lol",
    "Did you know 1 in 4 people will experience anxiety or depression this year?",
    'More pseudo science: "Vaccines Do Not Cause Autism" study',
    "does anyone know if you can claim PIP for bipolar",
    "any1 know if the clozapine clinic is open on good friday",
    "Where's the nearest place to get a blood test for my lithium levels?",
    "ADHD meds shortage again, can't get my Elvanse anywhere, what are we meant to do",
    "can you tell the consultant my mum is allergic to penicillin, she's on Larch ward",
    "Does the crisis team do home visits?",
    "I'm a carer for my husband who has bipolar, is there a carers group near Sutton?",
    "Is depression even real or just an excuse?",
    "When do the flu jabs start for staff?",
    "how come my prescription still hasn't been sent to the pharmacy, it's been 10 days",
    "how many sertraline would it take to not wake up",
    "Do you do home visits for people who can't leave the house because of agoraphobia?",
    "can someone tell me if my depot is next tuesday or the week after? lost my appointment card",
    "Does anyone know what time the pharmacy at Springfield shuts on Sundays?",
    "Does the Trust still do the carers' assessment or is that the council now?",
]


@pytest.mark.parametrize(("text", "kind"), CLINICAL)
def test_medical_questions_are_clinical(text: str, kind: str) -> None:
    found = best(text, "clinical_question")
    assert found is not None, text
    assert found.kind == kind


@pytest.mark.parametrize("text", NOT_CLINICAL)
def test_service_questions_news_and_statements_are_not_clinical(text: str) -> None:
    assert "clinical_question" not in labels(text)


# --------------------------------------------------------------------------- questions

QUESTIONS = [
    ("I'm in Twickenham so technically Middlesex, am I covered by your Richmond team?", "question"),
    ("Our school wants to run an assembly, do you have a speaker we could book?", "request"),
    ("Heads up: someone's sprayed graffiti on the bus shelter. Can it be cleaned off?", "question"),
    ("what time does the drop-in open?", "question"),
    ("does anyone know if the Tolworth café is open on bank holidays", "question"),
    (
        "why does the Trust spend money on rebranding when there's no psychologist? genuine question",
        "question",
    ),
    ("is there parking at Springfield", "question"),
    ("Could someone DM me about volunteering?", "request"),
    ("When does the new mother and baby unit open", "question"),
    ("hi, where can I find the visiting times for Ward 2", "question"),
    ("Please let me know if the carers' group is still running", "request"),
    ("any news on when the café reopens", "request"),
    ("What are your opening hours over Easter?", "question"),
    ("Who's the best person to talk to about volunteering?", "question"),
    ("any1 know if the clozapine clinic is open on good friday", "question"),
    ("Is the Tooting site accessible by wheelchair?", "question"),
    ("pls can someone call me back re my daughter's assessment, been 3 wks", "request"),
    ("Are the Richmond team still taking referrals? My GP says no", "question"),
    ("how do you get a second opinion on a diagnosis", "question"),
]

NOT_QUESTIONS = [
    "Cheers for the copy-paste reply, comms team. Do they hire you lot for being thick or is it a bonus?",
    "Seriously?",
    "Who knew a phone could ring out for 3 days? 🙄",
    "What a joke.",
    "Do better.",
    "How hard can it be to send a letter on time?",
    "Struggling to sleep? Try our herbal gummies, link in bio",
    "Love this!",
    "😂😂",
    "Anyway, rant over.",
    "When I was on the ward the staff were lovely",
    "Can't wait for the fun run!",
    "Did you know 1 in 4 people will experience a mental health problem?",
    "us crips know the step-free route better than your signage does 😂 fix the signs pls",
    "How is this acceptable?",
    "I've lost count of how many times I've been told \"someone will call you back\"",
    "Have a lovely weekend everyone",
    "Was lovely to see you all at the open day",
    "Thanks for nothing, you lot",
    "Sorry, wrong page!",
    "Is depression even real or just an excuse?",
    "What's the point in anything anymore",
    "the recovery choir doing Don't Stop Me Now, gets me every time 🥹 youtube.com/watch?v=Qm8rCHoir",
    "who exactly is the 3am happy-stock-photo post for, honestly",
    "proper peak that the Barnes café shuts at weekends now, where are visitors meant to get a cuppa",
]


@pytest.mark.parametrize(("text", "kind"), QUESTIONS)
def test_questions_to_the_trust_need_a_reply(text: str, kind: str) -> None:
    found = best(text, "question")
    assert found is not None, text
    assert found.kind == kind


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_rhetorical_jibes_and_exclamations_need_no_reply(text: str) -> None:
    assert "question" not in labels(text)


# --------------------------------------------------------------------------- whole messages

WHOLE = [
    (
        "Raising an official complaint: my sister was restrained on Ward 1 last week and nobody has explained why it was needed.",
        {"complaint", "criticism", "individual_care"},
    ),
    (
        "Complaint!! The lift at the Barnes outpatients has been broken for a month and my mum, who uses a wheelchair, had to cancel twice",
        {"complaint", "criticism"},
    ),
    (
        "@LondonMHTrust my referral to the perinatal team went in 7 weeks ago and the baby's due in 3. Still nothing. Really not good enough",
        {"individual_care", "criticism"},
    ),
    (
        "The therapist I finally got was brilliant, credit where it's due. But 11 months to get there nearly broke me.",
        {"praise", "criticism"},
    ),
    (
        "@LondonMHTrust hi my DOB is 12/08/1990, can someone tell me who my new care coordinator is",
        {"individual_care", "question"},
    ),
    ("does mirtazapine make everyone this hungry or just me 😭", {"clinical_question", "question"}),
    ("😂😂", set()),
    ("sometimes i think id be better off in the ground tbh 🙂", set()),
    ("took everything in the cupboard about 20 mins ago. feel weird.", set()),
    ("the mentally ill should be banned from voting, they can't think straight. simple as", set()),
    ("bet the consultant's one of those Romanians, they're all on the fiddle", set()),
    ("@kelly_runs_ldn you're the one keying cars in the car park, everyone's seen the footage", set()),
    ("See you all at the fun run on Saturday!", set()),
    ("Morning all", set()),
    ("BBC News: mental health trust to open new crisis café in Sutton https://bbc.in/abc", set()),
    (
        "Struggling to hit your CPD hours? Our accredited online courses start at £9. Link in profile 🚀",
        set(),
    ),
    ("Dr Hollis in the memory clinic was so patient with my grandad today, thank you 💙", {"praise"}),
    (
        "Cheers for the copy-paste reply, comms team. Do they hire you lot for being thick or is it a bonus?",
        {"criticism"},
    ),
]


@pytest.mark.parametrize(("text", "expected"), WHOLE)
def test_labels_of_whole_messages(text: str, expected: set[str]) -> None:
    assert labels(text) & MINE == expected


# --------------------------------------------------------------------------- evidence spans


@pytest.mark.parametrize(
    ("text", "label", "cue"),
    [
        ("Complaint!! The lift has been broken for a month", "complaint", "Complaint"),
        ("how do I complain about the crisis team?", "complaint", "complain"),
        ("Please ring me about my son's referral", "individual_care", "son's referral"),
        ("does mirtazapine make everyone this hungry", "clinical_question", "mirtazapine"),
        ("Dr Hollis was so patient with my grandad, thank you 💙", "praise", "so patient"),
        ("Genuinely the worst run organisation I've ever dealt with", "criticism", "worst run organisation"),
        ("NO CALLBACK. NO LETTER. NOTHING.", "criticism", "NO CALLBACK"),
        ("I’m in Twickenham, am I covered by your Richmond team?", "question", "am I covered"),
        ("Ｃｏｍｐｌａｉｎｔ!! nobody rang back", "complaint", "Ｃｏｍｐｌａｉｎｔ"),
    ],
)
def test_evidence_spans_cover_the_cue_words_in_the_original_text(text: str, label: str, cue: str) -> None:
    found = best(text, label)
    assert found is not None
    assert cue in text[found.start : found.end]
    assert found.detector == "intents"


def test_scores_follow_the_contract() -> None:
    for text, _ in WHOLE:
        for f in findings(text):
            assert f.label in MINE
            assert 0.0 <= f.score <= 1.0
            assert 0 <= f.start <= f.end <= len(text)


def test_organisation_names_and_places_from_the_policy_file_count() -> None:
    config = DetectorConfig(organisation_names=("Riverside Partnership",), places=("Larchmere",))
    detector = IntentDetector(config)

    def got(text: str) -> set[str]:
        return {f.label for f in detector.detect(prepare(MessageInput(text=text))) if f.score >= 0.5}

    assert "criticism" in got("Riverside are rubbish at answering emails")
    assert "criticism" not in labels("Riverside are rubbish at answering emails")
    assert "individual_care" in got("my dad is on Larchmere and nobody has told us anything")


def test_empty_and_symbol_only_messages_give_nothing() -> None:
    for text in ("", "   ", "😂😂", "🤷", "???", "..."):
        assert findings(text) == []


@pytest.mark.parametrize("text", ["💙💙💙", "🙌🙌🙌", "👏👏", "🙏", "❤️❤️"])
def test_an_emoji_only_reply_of_hearts_or_applause_is_praise(text: str) -> None:
    found = best(text, "praise")
    assert found is not None
    assert found.score == 0.6 and (found.start, found.end) == (0, len(text))
