"""The public house-rules page as data, built from the policy alone (pure: no Django).

The page quotes the same clause texts the engine cites in its decisions and author notices, so
what the public reads and what the desk applies cannot drift apart. Another organisation changes
the page by editing policy.yaml (``public_page``, ``clauses``, ``contacts``, ``hours``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from civildesk.policy.schema import PageSection, Policy, PublicPage

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Contact:
    key: str  # the contacts key it came from, so the template can style the crisis line
    label: str
    text: str
    href: str = ""  # tel:, mailto: or https: link, empty when the value is only words


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    slug: str
    paragraphs: tuple[str, ...]
    points: tuple[str, ...]
    clauses: tuple[str, ...]  # the clause texts, exactly as the engine quotes them


@dataclass(frozen=True, slots=True)
class HouseRulesPage:
    organisation: str
    title: str
    summary: str
    crisis_heading: str
    crisis_line_name: str
    crisis_text: str
    crisis_line: str
    crisis_href: str
    sections: tuple[Section, ...]
    contacts: tuple[Contact, ...]
    rating_question: str
    policy_version: str


def _clock(value: str) -> str:
    hours, minutes = (int(part) for part in value.split(":"))
    moment = time(hours, minutes)
    suffix = "am" if moment.hour < 12 else "pm"
    hour12 = moment.hour % 12 or 12
    return f"{hour12}{suffix}" if moment.minute == 0 else f"{hour12}:{moment.minute:02d}{suffix}"


def describe_hours(days: tuple[int, ...], start: str, end: str) -> str:
    """ "Monday to Friday, 9am to 5pm" from the policy's hours (a run of days, or a list)."""
    ordered = sorted(set(days))
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        span = f"{DAY_NAMES[ordered[0]]} to {DAY_NAMES[ordered[-1]]}"
    elif len(ordered) > 1:
        span = ", ".join(DAY_NAMES[d] for d in ordered[:-1]) + f" and {DAY_NAMES[ordered[-1]]}"
    else:
        span = DAY_NAMES[ordered[0]] if ordered else ""
    return f"{span}, {_clock(start)} to {_clock(end)}"


def _fill(text: str, values: dict[str, str]) -> str:
    # The schema refuses unknown placeholders in the file; a missing value shows as {name}.
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _tel(number: str) -> str:
    digits = re.sub(r"[^\d+]", "", number)
    return f"tel:{digits}" if len(digits) >= 3 else ""


def _default_page(policy: Policy) -> PublicPage:
    """A policy file without ``public_page`` still gets a page: every clause, in file order."""
    return PublicPage(
        title="Social media house rules",
        summary="The rules we apply on our social media accounts.",
        crisis_text="Call {crisis_line}.",
        sections=(PageSection(heading="Our house rules", clauses=tuple(policy.clauses)),),
    )


def _contacts(contacts: dict[str, str]) -> tuple[Contact, ...]:
    out: list[Contact] = []
    if "crisis_line" in contacts:
        out.append(
            Contact(
                "crisis_line",
                contacts.get("crisis_line_name", "Mental health crisis line"),
                contacts["crisis_line"],
                _tel(contacts["crisis_line"]),
            )
        )
    if "emergency" in contacts:
        out.append(Contact("emergency", "In an emergency", contacts["emergency"], "tel:999"))
    if "nhs_111" in contacts:
        out.append(Contact("nhs_111", "Medical help or advice", contacts["nhs_111"], "https://111.nhs.uk"))
    if "pals_url" in contacts:
        out.append(
            Contact(
                "pals",
                "Patient Advice and Liaison Service (PALS)",
                "Help and support with our services, and with raising a concern",
                contacts["pals_url"],
            )
        )
    if "complaints_url" in contacts:
        out.append(Contact("complaints", "Complaints", "How to make a complaint", contacts["complaints_url"]))
    if "appeals_email" in contacts:
        out.append(
            Contact(
                "appeals",
                "Discuss a decision about your post",
                contacts["appeals_email"],
                f"mailto:{contacts['appeals_email']}",
            )
        )
    if "services_url" in contacts:
        out.append(Contact("services", "Our services", "Find a service near you", contacts["services_url"]))
    return tuple(out)


def build_page(policy: Policy) -> HouseRulesPage:
    contacts = dict(policy.contacts)
    org = policy.organisation
    values = {
        **contacts,
        "organisation": str(org.get("name", "")),
        "short_name": str(org.get("short_name") or org.get("name", "")),
        "working_hours": describe_hours(policy.hours.days, policy.hours.start, policy.hours.end),
    }
    spec = policy.public_page or _default_page(policy)
    sections: list[Section] = []
    seen: set[str] = set()
    for part in spec.sections:
        heading = _fill(part.heading, values)
        slug = _slug(heading)
        while slug in seen:  # ids must be unique on the page
            slug += "-more"
        seen.add(slug)
        sections.append(
            Section(
                heading=heading,
                slug=slug,
                paragraphs=tuple(_fill(p, values) for p in part.paragraphs),
                points=tuple(_fill(p, values) for p in part.points),
                clauses=tuple(policy.clauses[c].text for c in part.clauses),
            )
        )
    summary = _fill(spec.summary, values)
    return HouseRulesPage(
        organisation=values["organisation"],
        title=_fill(spec.title, values),
        summary=summary[:1].upper() + summary[1:],
        crisis_heading=_fill(spec.crisis_heading, values),
        crisis_line_name=contacts.get("crisis_line_name", "Crisis line"),
        crisis_text=_fill(spec.crisis_text, values),
        crisis_line=contacts.get("crisis_line", ""),
        crisis_href=_tel(contacts.get("crisis_line", "")),
        sections=tuple(sections),
        contacts=_contacts(contacts),
        rating_question=_fill(spec.rating_question, values),
        policy_version=policy.version,
    )
