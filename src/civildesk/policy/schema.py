"""Load and validate policy.yaml into a typed, immutable ``Policy``.

Validation walks the YAML *nodes* rather than the loaded dict so that every error names the key
path and the line it is on: an administrator editing the file sees "labels.hate.priority (line
112): must be one of P1..P5", not a stack trace. The version is a hash of the file's bytes, so
two decisions made under different files can always be told apart.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from civildesk.detectors.base import LABELS, DetectorConfig, StaffMember

ACTIONS: tuple[str, ...] = (
    "hide",
    "delete",
    "block",
    "report_platform",
    "escalate_police",
    "escalate_legal",
    "reply_public",
    "reply_private",
    "notify_author",
    "alert_oncall",
)
# "reply" in the policy file means "reply on the channel the message came in on".
POLICY_ACTIONS: tuple[str, ...] = (*ACTIONS, "reply")
SIGNPOSTS: tuple[str, ...] = (
    "crisis_line",
    "emergency",
    "private_message",
    "pals",
    "complaints",
    "clinical_services",
)
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4", "P5")
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REQUIRED_TEMPLATES: tuple[str, ...] = (
    "crisis_reply",
    "dm_request",
    "pals",
    "complaints",
    "clinical_signposting",
    "notice_removed",
)
REQUIRED_CONTACTS: tuple[str, ...] = ("crisis_line", "complaints_url", "appeals_email", "pals_url")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class PolicyError(ValueError):
    """The policy file is broken; the message names the key and the line."""


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class LabelRule:
    label: str
    breach: bool
    clause: str
    priority: str
    actions: tuple[str, ...]
    signposts: tuple[str, ...] = ()
    also_clauses: tuple[str, ...] = ()
    repeat_actions: tuple[str, ...] = ()
    threshold: float = 0.5
    protected: bool = False
    never_auto_hide: bool = False


@dataclass(frozen=True, slots=True)
class Hours:
    timezone: str
    days: tuple[int, ...]  # 0 = Monday
    start: str
    end: str
    holiday_country: str
    holiday_subdivision: str | None


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class PageSection:
    """One section of the public house-rules page: its own words plus the clauses it quotes."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    points: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()  # clause ids, shown as a list in the clauses' own words


@dataclass(frozen=True, slots=True)
class PublicPage:
    """The public house-rules page (``public_page`` in the file): one source for page and engine."""

    title: str
    summary: str
    crisis_text: str
    sections: tuple[PageSection, ...]
    rating_question: str = "Was this page helpful?"
    crisis_heading: str = "If you need urgent help"


@dataclass(frozen=True, slots=True)
class AutoApply:
    label: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    version: str  # "<label>+<sha256 prefix>"
    organisation: Mapping[str, Any]
    contacts: Mapping[str, str]
    hours: Hours
    response_target: str
    clauses: Mapping[str, Clause]
    labels: Mapping[str, LabelRule]
    question_priority: str
    emergency_kinds: tuple[str, ...]
    auto_apply: tuple[AutoApply, ...]
    strikes: Mapping[str, int]
    retention: Mapping[str, int]
    signposts: Mapping[str, str]
    templates: Mapping[str, str]
    staff: tuple[StaffMember, ...]
    places: tuple[str, ...]
    teams: tuple[Team, ...]
    source_text: str = field(repr=False, default="")
    # Optional: a file without it still loads; the page then lists every clause.
    public_page: PublicPage | None = None

    @property
    def breach_labels(self) -> frozenset[str]:
        return frozenset(name for name, rule in self.labels.items() if rule.breach)

    def detector_config(self) -> DetectorConfig:
        org = self.organisation
        return DetectorConfig(
            organisation_names=tuple(str(n) for n in (org.get("name"), org.get("short_name")) if n),
            account_handles=tuple(str(h) for h in org.get("handles", ())),
            staff=self.staff,
            places=self.places,
            extra={
                "org_domains": tuple(str(d) for d in org.get("domains", ())),
                "public_emails": tuple(v for k, v in self.contacts.items() if "@" in v and "email" in k)
                + tuple(t.email for t in self.teams),
                "public_phones": (self.contacts.get("crisis_line", ""),),
            },
        )

    def render(self, template: str, **values: str) -> str:
        """Fill a template with the policy's contacts plus ``values``; unknown names stay visible
        as ``{name}`` rather than raising, so a typo in an admin's template never blocks a reply."""
        text = self.templates[template]
        merged: dict[str, str] = {
            "crisis_line": self.contacts.get("crisis_line", ""),
            "pals_url": self.contacts.get("pals_url", ""),
            "complaints_url": self.contacts.get("complaints_url", ""),
            "appeals_email": self.contacts.get("appeals_email", ""),
            "services_url": self.contacts.get("services_url", ""),
            **values,
        }
        return re.sub(r"\{(\w+)\}", lambda m: merged.get(m.group(1), m.group(0)), text)


# --- node helpers ---------------------------------------------------------------------------


def _where(path: str, node: yaml.Node) -> str:
    return f"{path or '<top>'} (line {node.start_mark.line + 1})"


def _fail(path: str, node: yaml.Node, problem: str) -> PolicyError:
    return PolicyError(f"{_where(path, node)}: {problem}")


def _mapping(node: yaml.Node, path: str) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, "must be a mapping of keys to values")
    out: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _fail(path, key_node, "keys must be plain words")
        key = str(key_node.value)
        if key in out:
            raise _fail(f"{path}.{key}".lstrip("."), key_node, "is given twice")
        out[key] = value_node
    return out


def _keys(
    m: dict[str, yaml.Node], node: yaml.Node, path: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    for key in required:
        if key not in m:
            raise _fail(path, node, f"is missing the key '{key}'")
    allowed = set(required) | set(optional)
    for key, value in m.items():
        if key not in allowed:
            raise _fail(
                f"{path}.{key}".lstrip("."), value, f"unknown key (allowed: {', '.join(sorted(allowed))})"
            )


def _str(node: yaml.Node, path: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":null", ":map", ":seq")):
        raise _fail(path, node, "must be text")
    value = str(node.value).strip()
    if not value:
        raise _fail(path, node, "must not be empty")
    return value


def _bool(node: yaml.Node, path: str) -> bool:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool"):
        return str(node.value).lower() in ("true", "yes", "on")
    raise _fail(path, node, "must be true or false")


def _int(node: yaml.Node, path: str, minimum: int = 0) -> int:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int"):
        value = int(node.value)
        if value >= minimum:
            return value
    raise _fail(path, node, f"must be a whole number >= {minimum}")


def _float(node: yaml.Node, path: str) -> float:
    if isinstance(node, yaml.ScalarNode) and (node.tag.endswith(":float") or node.tag.endswith(":int")):
        value = float(node.value)
        if 0.0 < value <= 1.0:
            return value
    raise _fail(path, node, "must be a number between 0 and 1")


def _list(node: yaml.Node, path: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise _fail(path, node, "must be a list")
    return list(node.value)


def _choices(node: yaml.Node, path: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for i, item in enumerate(_list(node, path)):
        value = _str(item, f"{path}[{i}]")
        if value not in allowed:
            raise _fail(f"{path}[{i}]", item, f"'{value}' is not one of: {', '.join(allowed)}")
        if value in out:
            raise _fail(f"{path}[{i}]", item, f"'{value}' is listed twice")
        out.append(value)
    return tuple(out)


def _choice(node: yaml.Node, path: str, allowed: tuple[str, ...]) -> str:
    value = _str(node, path)
    if value not in allowed:
        raise _fail(path, node, f"'{value}' is not one of: {', '.join(allowed)}")
    return value


def _str_map(node: yaml.Node, path: str) -> dict[str, str]:
    return {k: _str(v, f"{path}.{k}") for k, v in _mapping(node, path).items()}


def _plain(node: yaml.Node) -> Any:
    """A validated-enough subtree as plain Python (used for free-form organisation details)."""
    return yaml.safe_load(yaml.serialize(node))


# --- the loader -----------------------------------------------------------------------------

_TOP_REQUIRED = (
    "version",
    "organisation",
    "contacts",
    "hours",
    "response_target",
    "clauses",
    "labels",
    "signposts",
    "templates",
)
_TOP_OPTIONAL = (
    "question_priority",
    "emergency_kinds",
    "auto_apply",
    "strikes",
    "retention",
    "directory",
    "public_page",
)
# Placeholders the public page may use besides the contacts (filled by civildesk.public.page).
PAGE_PLACEHOLDERS: tuple[str, ...] = ("organisation", "short_name", "working_hours")
_LABEL_REQUIRED = ("breach", "clause", "priority", "actions")
_LABEL_OPTIONAL = (
    "signposts",
    "also_clauses",
    "repeat_actions",
    "threshold",
    "protected",
    "never_auto_hide",
)


def parse_policy(text: str, *, name: str = "policy.yaml") -> Policy:
    """Validate ``text`` and return the Policy, or raise PolicyError naming key and line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise PolicyError(f"{name}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if root is None:
        raise PolicyError(f"{name}: the file is empty")
    top = _mapping(root, "")
    _keys(top, root, "", _TOP_REQUIRED, _TOP_OPTIONAL)

    version_label = _str(top["version"], "version")
    organisation = _mapping(top["organisation"], "organisation")
    _keys(
        organisation,
        top["organisation"],
        "organisation",
        ("name",),
        ("short_name", "source", "domains", "handles"),
    )
    _str(organisation["name"], "organisation.name")

    contacts = _str_map(top["contacts"], "contacts")
    for key in REQUIRED_CONTACTS:
        if key not in contacts:
            raise _fail("contacts", top["contacts"], f"is missing the key '{key}'")

    hours = _parse_hours(top["hours"])
    response_target = _choice(
        top["response_target"], "response_target", ("same_working_day", "next_working_day")
    )

    clauses: dict[str, Clause] = {}
    for cid, cnode in _mapping(top["clauses"], "clauses").items():
        cmap = _mapping(cnode, f"clauses.{cid}")
        _keys(cmap, cnode, f"clauses.{cid}", ("text",), ("source",))
        source = _str(cmap["source"], f"clauses.{cid}.source") if "source" in cmap else ""
        clauses[cid] = Clause(id=cid, text=_str(cmap["text"], f"clauses.{cid}.text"), source=source)

    signposts = _str_map(top["signposts"], "signposts")
    for key in signposts:
        if key not in SIGNPOSTS:
            raise _fail(
                f"signposts.{key}", top["signposts"], f"unknown signpost (allowed: {', '.join(SIGNPOSTS)})"
            )

    labels = _parse_labels(top["labels"], clauses, signposts)

    templates = _str_map(top["templates"], "templates")
    for key in REQUIRED_TEMPLATES:
        if key not in templates:
            raise _fail("templates", top["templates"], f"is missing the template '{key}'")

    question_priority = (
        _choice(top["question_priority"], "question_priority", PRIORITIES)
        if "question_priority" in top
        else "P4"
    )
    emergency_kinds = (
        tuple(
            _str(n, f"emergency_kinds[{i}]")
            for i, n in enumerate(_list(top["emergency_kinds"], "emergency_kinds"))
        )
        if "emergency_kinds" in top
        else ("imminent",)
    )
    auto_apply = _parse_auto_apply(top["auto_apply"], labels) if "auto_apply" in top else ()
    strikes = _int_map(top.get("strikes"), "strikes", ("expiry_days", "block_after"))
    retention = _int_map(top.get("retention"), "retention", ("message_body_days", "personal_data_days"))
    staff, places, teams = _parse_directory(top.get("directory"))
    public_page = _parse_public_page(top["public_page"], clauses, contacts) if "public_page" in top else None

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return Policy(
        version=f"{version_label}+{digest}",
        organisation=_plain(top["organisation"]),
        contacts=contacts,
        hours=hours,
        response_target=response_target,
        clauses=clauses,
        labels=labels,
        question_priority=question_priority,
        emergency_kinds=emergency_kinds,
        auto_apply=auto_apply,
        strikes=strikes,
        retention=retention,
        signposts=signposts,
        templates=templates,
        staff=staff,
        places=places,
        teams=teams,
        source_text=text,
        public_page=public_page,
    )


def _parse_hours(node: yaml.Node) -> Hours:
    m = _mapping(node, "hours")
    _keys(m, node, "hours", ("timezone", "days", "start", "end"), ("holidays",))
    days = _choices(m["days"], "hours.days", DAYS)
    if not days:
        raise _fail("hours.days", m["days"], "must name at least one working day")
    start, end = _str(m["start"], "hours.start"), _str(m["end"], "hours.end")
    for key, value in (("start", start), ("end", end)):
        if not _TIME.match(value):
            raise _fail(f"hours.{key}", m[key], "must be a time like 09:00 (24-hour clock, in quotes)")
    if end <= start:
        raise _fail("hours.end", m["end"], "must be later than hours.start")
    country, subdivision = "GB", None
    if "holidays" in m:
        hm = _mapping(m["holidays"], "hours.holidays")
        _keys(hm, m["holidays"], "hours.holidays", ("country",), ("subdivision",))
        country = _str(hm["country"], "hours.holidays.country")
        subdivision = _str(hm["subdivision"], "hours.holidays.subdivision") if "subdivision" in hm else None
    return Hours(
        timezone=_str(m["timezone"], "hours.timezone"),
        days=tuple(DAYS.index(d) for d in days),
        start=start,
        end=end,
        holiday_country=country,
        holiday_subdivision=subdivision,
    )


def _parse_labels(
    node: yaml.Node, clauses: Mapping[str, Clause], signposts: Mapping[str, str]
) -> dict[str, LabelRule]:
    lm = _mapping(node, "labels")
    for label in LABELS:
        if label not in lm:
            raise _fail("labels", node, f"is missing the label '{label}' (every contract label needs a rule)")
    rules: dict[str, LabelRule] = {}
    for label, lnode in lm.items():
        path = f"labels.{label}"
        if label not in LABELS:
            raise _fail(path, lnode, f"unknown label (the contract labels are: {', '.join(LABELS)})")
        m = _mapping(lnode, path)
        _keys(m, lnode, path, _LABEL_REQUIRED, _LABEL_OPTIONAL)
        clause = _str(m["clause"], f"{path}.clause")
        if clause not in clauses:
            raise _fail(f"{path}.clause", m["clause"], f"no clause called '{clause}' under 'clauses'")
        also = (
            _choices(m["also_clauses"], f"{path}.also_clauses", tuple(clauses)) if "also_clauses" in m else ()
        )
        sp = _choices(m["signposts"], f"{path}.signposts", SIGNPOSTS) if "signposts" in m else ()
        for s in sp:
            if s not in signposts:
                raise _fail(
                    f"{path}.signposts", m["signposts"], f"signpost '{s}' has no text under 'signposts'"
                )
        rule = LabelRule(
            label=label,
            breach=_bool(m["breach"], f"{path}.breach"),
            clause=clause,
            priority=_choice(m["priority"], f"{path}.priority", PRIORITIES),
            actions=_choices(m["actions"], f"{path}.actions", POLICY_ACTIONS),
            signposts=sp,
            also_clauses=also,
            repeat_actions=(
                _choices(m["repeat_actions"], f"{path}.repeat_actions", POLICY_ACTIONS)
                if "repeat_actions" in m
                else ()
            ),
            threshold=_float(m["threshold"], f"{path}.threshold") if "threshold" in m else 0.5,
            protected=_bool(m["protected"], f"{path}.protected") if "protected" in m else False,
            never_auto_hide=_bool(m["never_auto_hide"], f"{path}.never_auto_hide")
            if "never_auto_hide" in m
            else False,
        )
        removes = {"hide", "delete"} & set(rule.actions)
        if removes and not rule.breach:
            # The hard rule: only a breach may remove a post.
            raise _fail(
                f"{path}.actions", m["actions"], "only a label with 'breach: true' may hide or delete"
            )
        if rule.protected and rule.breach:
            raise _fail(f"{path}.protected", m["protected"], "a protected label cannot also be a breach")
        rules[label] = rule
    return rules


def _parse_auto_apply(node: yaml.Node, labels: Mapping[str, LabelRule]) -> tuple[AutoApply, ...]:
    out: list[AutoApply] = []
    for i, item in enumerate(_list(node, "auto_apply")):
        path = f"auto_apply[{i}]"
        m = _mapping(item, path)
        _keys(m, item, path, ("label", "actions"), ())
        label = _choice(m["label"], f"{path}.label", tuple(labels))
        actions = _choices(m["actions"], f"{path}.actions", POLICY_ACTIONS)
        if labels[label].never_auto_hide and {"hide", "delete"} & set(actions):
            raise _fail(f"{path}.actions", m["actions"], f"'{label}' may never be hidden automatically")
        out.append(AutoApply(label=label, actions=actions))
    return tuple(out)


def _int_map(node: yaml.Node | None, path: str, keys: tuple[str, ...]) -> dict[str, int]:
    if node is None:
        return {}
    m = _mapping(node, path)
    _keys(m, node, path, (), keys)
    return {k: _int(v, f"{path}.{k}", minimum=1) for k, v in m.items()}


def _parse_directory(
    node: yaml.Node | None,
) -> tuple[tuple[StaffMember, ...], tuple[str, ...], tuple[Team, ...]]:
    if node is None:
        return (), (), ()
    m = _mapping(node, "directory")
    _keys(m, node, "directory", (), ("staff", "places", "teams"))
    staff: list[StaffMember] = []
    for i, item in enumerate(_list(m["staff"], "directory.staff") if "staff" in m else []):
        path = f"directory.staff[{i}]"
        sm = _mapping(item, path)
        _keys(sm, item, path, ("name",), ("role", "team", "aliases"))
        aliases = (
            tuple(
                _str(a, f"{path}.aliases[{j}]") for j, a in enumerate(_list(sm["aliases"], f"{path}.aliases"))
            )
            if "aliases" in sm
            else ()
        )
        staff.append(
            StaffMember(
                name=_str(sm["name"], f"{path}.name"),
                role=_str(sm["role"], f"{path}.role") if "role" in sm else "",
                team=_str(sm["team"], f"{path}.team") if "team" in sm else "",
                aliases=aliases,
            )
        )
    places = tuple(
        _str(p, f"directory.places[{i}]")
        for i, p in enumerate(_list(m["places"], "directory.places") if "places" in m else [])
    )
    teams: list[Team] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(m["teams"], "directory.teams") if "teams" in m else []):
        path = f"directory.teams[{i}]"
        tm = _mapping(item, path)
        _keys(tm, item, path, ("id", "name", "email"), ())
        team = Team(
            _str(tm["id"], f"{path}.id"), _str(tm["name"], f"{path}.name"), _str(tm["email"], f"{path}.email")
        )
        if team.id in seen:
            raise _fail(f"{path}.id", tm["id"], f"team id '{team.id}' is used twice")
        seen.add(team.id)
        teams.append(team)
    return tuple(staff), places, tuple(teams)


def _page_text(node: yaml.Node, path: str, allowed: frozenset[str]) -> str:
    """Text for the public page; a misspelt placeholder is an error here, not a visible {typo}."""
    value = _str(node, path)
    for name in re.findall(r"\{(\w+)\}", value):
        if name not in allowed:
            raise _fail(path, node, f"unknown placeholder {{{name}}} (allowed: {', '.join(sorted(allowed))})")
    return value


def _parse_public_page(
    node: yaml.Node, clauses: Mapping[str, Clause], contacts: Mapping[str, str]
) -> PublicPage:
    path = "public_page"
    m = _mapping(node, path)
    _keys(
        m, node, path, ("title", "summary", "crisis_text", "sections"), ("rating_question", "crisis_heading")
    )
    allowed = frozenset(contacts) | frozenset(PAGE_PLACEHOLDERS)
    sections: list[PageSection] = []
    for i, item in enumerate(_list(m["sections"], f"{path}.sections")):
        spath = f"{path}.sections[{i}]"
        sm = _mapping(item, spath)
        _keys(sm, item, spath, ("heading",), ("paragraphs", "points", "clauses"))

        def texts(key: str, sm: dict[str, yaml.Node] = sm, spath: str = spath) -> tuple[str, ...]:
            if key not in sm:
                return ()
            return tuple(
                _page_text(n, f"{spath}.{key}[{j}]", allowed)
                for j, n in enumerate(_list(sm[key], f"{spath}.{key}"))
            )

        section = PageSection(
            heading=_page_text(sm["heading"], f"{spath}.heading", allowed),
            paragraphs=texts("paragraphs"),
            points=texts("points"),
            clauses=_choices(sm["clauses"], f"{spath}.clauses", tuple(clauses)) if "clauses" in sm else (),
        )
        if not (section.paragraphs or section.points or section.clauses):
            raise _fail(spath, item, "needs at least one of paragraphs, points or clauses")
        sections.append(section)
    if not sections:
        raise _fail(f"{path}.sections", m["sections"], "must list at least one section")
    return PublicPage(
        title=_page_text(m["title"], f"{path}.title", allowed),
        summary=_page_text(m["summary"], f"{path}.summary", allowed),
        crisis_text=_page_text(m["crisis_text"], f"{path}.crisis_text", allowed),
        sections=tuple(sections),
        rating_question=_page_text(m["rating_question"], f"{path}.rating_question", allowed)
        if "rating_question" in m
        else "Was this page helpful?",
        crisis_heading=_page_text(m["crisis_heading"], f"{path}.crisis_heading", allowed)
        if "crisis_heading" in m
        else "If you need urgent help",
    )


def default_policy_text() -> str:
    return resources.files("civildesk.policy").joinpath("policy.yaml").read_text(encoding="utf-8")


def load_policy(path: str | Path | None = None) -> Policy:
    """The shipped policy, or the file at ``path``."""
    if path is None:
        return parse_policy(default_policy_text(), name="policy.yaml")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{p}: cannot read the policy file: {exc}") from exc
    return parse_policy(text, name=str(p))
