"""The hand-off e-mail's words (pure: no Django). Plain text, so it reads the same in any mail
client and nothing in it can run: the message text is the author's, quoted as they wrote it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HandoffMail:
    reference: str
    organisation: str
    team_name: str
    platform: str
    kind: str
    author: str
    posted_at: str
    text: str
    priority: str
    labels: Sequence[str]
    clauses: Sequence[str]
    signposts: Sequence[str]
    note: str
    sent_by: str
    link: str  # the message on the desk (staff sign in)
    acknowledge_link: str  # one click for the team, no desk account needed
    due: str


def subject(mail: HandoffMail) -> str:
    return f"[{mail.reference}] Social media message passed to {mail.team_name}"


def body(mail: HandoffMail) -> str:
    quoted = "\n".join(f"> {line}" for line in (mail.text or "(no text)").splitlines() or [""])
    decision = (
        f"Priority {mail.priority}; labels: {', '.join(mail.labels) or 'none'}"
        if mail.priority
        else "Not classified yet"
    )
    lines = [
        f"Reference: {mail.reference}",
        "",
        f"The {mail.organisation} social media team has passed this message on to {mail.team_name}.",
        f"Please acknowledge it by {mail.due}: {mail.acknowledge_link}",
        "",
        f"From: {mail.author} ({mail.platform} {mail.kind}), posted {mail.posted_at}",
        "",
        quoted,
        "",
        f"Our decision: {decision}",
    ]
    if mail.signposts:
        lines.append(f"Signposting owed: {', '.join(mail.signposts)}")
    for clause in mail.clauses:
        lines.append(f'Policy: "{clause}"')
    if mail.note:
        lines += ["", f"Note from {mail.sent_by or 'the desk'}:", mail.note]
    lines += [
        "",
        f"The message and its history on the desk: {mail.link}",
        "",
        f"Please quote {mail.reference} in any reply. The author has not been given your e-mail address.",
    ]
    return "\n".join(lines) + "\n"
