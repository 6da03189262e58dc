"""What the apps above core plug into it, so that core never imports them.

Each app registers its navigation entries, its panels on the partner home page and its part of
the demo in its ``AppConfig.ready()``. Core renders what is registered and knows nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    audience: str  # "partner", "clinician" or "admin"
    # URL names of the pages under this entry, so the entry is marked as the current page.
    current: tuple[str, ...] = ()
    order: int = 50


@dataclass(frozen=True)
class CaseLink:
    """A link on the clinician's case page to another page about the case.

    ``url_name`` takes the case id as its one argument.
    """

    label: str
    url_name: str
    order: int = 50


@dataclass(frozen=True)
class Panel:
    """A block on the partner home page for one case: a template and its context."""

    template: str
    context: dict[str, Any]
    order: int = 50
    # Shown at the top of the case, before its facts (e.g. what waits for the person).
    lead: bool = False


# Called with (user, {case_id: CaseAccess} of their cases as a partner, each case with its
# practice: read once by the home page) once per home page; returns {case_id: [Panel, ...]}.
# One provider runs a fixed number of queries whatever the number of cases, never reads the
# cases again, and reads partner-authored rows through ``policy.visible_in`` on these accesses.
PanelProvider = Callable[[Any, Mapping[int, Any]], dict[int, list[Panel]]]

# Called with (practice, partners by demo key, whether the practice was just created).
DemoSeeder = Callable[[Any, dict[str, Any], bool], None]

# Called with one partner-authored record; returns any of "kind", "summary" and "url": how the
# partner home names a record held when the other partner joined, and where it lives.
RecordDescriber = Callable[[Any], dict[str, str]]

# Called with an output stream; a context manager that runs background work (e.g. a worker)
# beside ``retrust serve`` and stops it on exit.
BackgroundWork = Callable[[Any], Any]
# Called by /healthz; returns fields to add to its JSON (e.g. queue lag).
HealthReport = Callable[[], dict[str, Any]]

# Called with the signed-in user; a count shown beside a menu entry when above zero.
NavBadge = Callable[[Any], int]

# Called with (clinician, {case_id: Case} of their open cases); returns Panels for their
# "Today" page (``lead`` ones open the page, e.g. today's sessions; the rest follow the
# alerts, e.g. messages waiting for a reply). A fixed number of queries whatever the caseload.
TodaySection = Callable[[Any, dict[int, Any]], list[Panel]]
# Called with a case; the day of its next booked session, or None (the sessions app).
NextSession = Callable[[Any], Any]

NAV: list[NavEntry] = []
CASE_LINKS: list[CaseLink] = []
NAV_BADGES: dict[str, NavBadge] = {}
BACKGROUND: list[BackgroundWork] = []
HEALTH: list[HealthReport] = []
DESCRIBERS: dict[str, RecordDescriber] = {}
HOME_PANELS: list[PanelProvider] = []
DEMO_SEEDERS: list[tuple[int, DemoSeeder]] = []
TODAY_SECTIONS: list[TodaySection] = []
NEXT_SESSION: list[NextSession] = []
# Called with (user, case access); a block on the clinician's case page (template, context).
CasePanel = Callable[[Any], "Panel | None"]
CASE_PANELS: list[CasePanel] = []


def next_session(provider: NextSession) -> None:
    """The app that books sessions says when a case's next one is (one provider)."""
    NEXT_SESSION[:] = [provider]


def next_session_on(case: Any) -> Any:
    return NEXT_SESSION[0](case) if NEXT_SESSION else None


def case_panel(provider: CasePanel) -> None:
    """A block on the clinician's case page (e.g. the next session)."""
    if provider not in CASE_PANELS:
        CASE_PANELS.append(provider)


def case_panels_for(access: Any) -> list[Panel]:
    found = [panel for provider in CASE_PANELS if (panel := provider(access)) is not None]
    return sorted(found, key=lambda panel: panel.order)


def nav_entry(entry: NavEntry) -> None:
    if entry not in NAV:
        NAV.append(entry)
        NAV.sort(key=lambda e: e.order)


def case_link(link: CaseLink) -> None:
    """A link on the clinician's case page (e.g. progress reports), below the built-in ones."""
    if link not in CASE_LINKS:
        CASE_LINKS.append(link)
        CASE_LINKS.sort(key=lambda found: found.order)


def nav_badge(url_name: str, badge: NavBadge) -> None:
    """A count beside the menu entry for ``url_name`` (e.g. what waits for the person)."""
    NAV_BADGES[url_name] = badge


def badge_for(entry: NavEntry, user: Any) -> int:
    badge = NAV_BADGES.get(entry.url_name)
    return badge(user) if badge is not None else 0


def home_panel(provider: PanelProvider) -> None:
    if provider not in HOME_PANELS:
        HOME_PANELS.append(provider)


def today_section(provider: TodaySection) -> None:
    if provider not in TODAY_SECTIONS:
        TODAY_SECTIONS.append(provider)


def today_sections_for(clinician: Any, cases: dict[int, Any]) -> list[Panel]:
    found = [panel for provider in TODAY_SECTIONS for panel in provider(clinician, cases)]
    return sorted(found, key=lambda panel: panel.order)


def demo_seeder(seeder: DemoSeeder, order: int = 50) -> None:
    if all(existing is not seeder for _, existing in DEMO_SEEDERS):
        DEMO_SEEDERS.append((order, seeder))
        DEMO_SEEDERS.sort(key=lambda pair: pair[0])


def background(start: BackgroundWork) -> None:
    if start not in BACKGROUND:
        BACKGROUND.append(start)


def health_report(report: HealthReport) -> None:
    if report not in HEALTH:
        HEALTH.append(report)


def nav_for(audiences: set[str]) -> list[NavEntry]:
    return [entry for entry in NAV if entry.audience in audiences]


def panels_for(user: Any, accesses: Mapping[int, Any]) -> dict[int, list[Panel]]:
    panels: dict[int, list[Panel]] = {case_id: [] for case_id in accesses}
    for provider in HOME_PANELS:
        for case_id, found in provider(user, accesses).items():
            panels.setdefault(case_id, []).extend(found)
    for found in panels.values():
        found.sort(key=lambda panel: panel.order)
    return panels


def record_describer(model_label: str, describer: RecordDescriber) -> None:
    DESCRIBERS[model_label.lower()] = describer


def describe_record(record: Any) -> dict[str, str]:
    """Kind, summary and address of a partner-authored record, for its author's eyes only.

    Without a registered describer a record is named by its kind alone.
    """
    meta = record._meta
    described = {"kind": str(meta.verbose_name).capitalize(), "summary": "", "url": ""}
    describer = DESCRIBERS.get(meta.label_lower)
    if describer is not None:
        described.update(describer(record))
    return described


# --- when a partner joins ---------------------------------------------------------------------

# Called with (case, user, invitation) inside the transaction in which a partner joins a case
# by accepting an invitation (e.g. the front door carries their request's goals into intake).
PartnerJoinedHook = Callable[[Any, Any, Any], None]

PARTNER_JOINED: list[PartnerJoinedHook] = []


def on_partner_joined(hook: PartnerJoinedHook) -> None:
    if hook not in PARTNER_JOINED:
        PARTNER_JOINED.append(hook)


def partner_joined(case: Any, user: Any, invitation: Any) -> None:
    for hook in PARTNER_JOINED:
        hook(case, user, invitation)
