"""Need-to-know, decided by one function.

Every endpoint and page asks ``can(principal, action, target)``; nothing else compares agency ids
or sharing levels. A target carries what the policy needs to know about a resource: the agency
that owns it and how much of it the principal's agency may see (its *visibility*), computed from
the owner's sharing choice by ``series_visibility`` and ``media_visibility``.

Sharing levels an owning agency chooses per series:
  hash-only  others learn only that their file matches material held by the owner, and the
             owner's contact; no series name, no media ids, no counts
  metadata   plus series details, identification status and the media's hashes and metadata
  full       plus the media itself (thumbnails, reveal, download)
An owner may grant one agency more than its series' level (a *grant*, usually answering that
agency's access request): the agency then sees the series as if it were shared at the granted
level, every other agency as before.
Media that no series shares wider is ``hash-only`` to every agency but those that submitted it.
Persons (victims, offenders) are shared by the same levels: hash-only tells another agency that
a face matches someone the owner tracks and whom to ask; metadata adds label, role and status.
A face crop is a picture of the media it comes from, so it follows that media's visibility.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from tessera.core.errors import NotFound, TesseraError


class Role(StrEnum):
    ADMIN = "admin"  # the whole instance: agencies, users, audit trail
    AGENCY_ADMIN = "agency-admin"  # their agency's users, sharing and audit trail
    INVESTIGATOR = "investigator"  # upload, de-conflict, edit their agency's series
    VIEWER = "viewer"  # read only


class Sharing(StrEnum):
    HASH_ONLY = "hash-only"
    METADATA = "metadata"
    FULL = "full"


class Visibility(IntEnum):
    NONE = 0
    HASH_ONLY = 1
    METADATA = 2
    FULL = 3


def parse_sharing(value: str) -> str:
    """A sharing level as stored, or a clear error naming the levels."""
    try:
        return Sharing(value).value
    except ValueError:
        raise TesseraError(f"sharing must be one of {', '.join(v.value for v in Sharing)}") \
            from None


_SHARING_VISIBILITY = {Sharing.HASH_ONLY: Visibility.HASH_ONLY,
                       Sharing.METADATA: Visibility.METADATA, Sharing.FULL: Visibility.FULL}

Grants = Mapping[int, str]  # agency id -> the sharing level its owner granted that agency
SeriesShare = tuple[int, str] | tuple[int, str, Grants]  # owner, sharing[, grants]


class Action(StrEnum):
    UPLOAD = "upload"  # start a de-confliction or ingest for one's own agency
    SEARCH = "search"  # search by image
    VIEW_JOB = "job.view"
    CANCEL_JOB = "job.cancel"
    VIEW_SERIES = "series.view"  # series details and its media list
    EDIT_SERIES = "series.edit"  # identification status, description
    SHARE_SERIES = "series.share"  # change a series' sharing level
    VIEW_MEDIA = "media.view"  # hashes, metadata, submissions
    VIEW_PIXELS = "media.pixels"  # thumbnail, reveal, download
    CATEGORISE = "media.categorise"  # grade: set one's agency's category of a media
    ANNOTATE = "media.annotate"  # one's agency's tags, bookmarks and notes
    EXPORT_HASHES = "hashes.export"  # signed hash lists for partners, VICS exports
    VIEW_STATS = "stats.view"  # counts per agency and country, as ICSE publishes: no names
    DISCUSS = "series.discuss"  # write in a series' thread between agencies
    REQUEST_ACCESS = "series.request-access"  # ask the owner for more than one sees today
    VIEW_LINK = "link.view"  # a link and its evidence, where one side's details are readable
    LINK = "link.decide"  # suggest, assert, confirm or reject links of one's agency's entities
    VIEW_PERSON = "person.view"  # label, role, status, linked faces
    EDIT_PERSON = "person.edit"  # create, status, link or reject faces, review clusters
    SHARE_PERSON = "person.share"
    VIEW_PLACE = "place.view"  # label, country, region, point, clues
    EDIT_PLACE = "place.edit"  # create, correct, link a place
    SHARE_PLACE = "place.share"
    VIEW_CLUE = "clue.view"  # what was noticed in a media, and where in it
    EDIT_CLUE = "clue.edit"  # note a clue in a media one sees the pixels of; correct it
    READ_NOTIFICATIONS = "notifications.read"
    MANAGE_AGENCIES = "agencies.manage"
    MANAGE_AGENCY = "agency.manage"  # one agency's contact and sharing default
    MANAGE_USERS = "users.manage"  # list and create users of the target agency
    MANAGE_USER = "user.manage"  # one user: role, disable, unlock, require or reset TOTP
    SET_PASSWORD = "user.password"  # set another user's password
    VIEW_AUDIT = "audit.view"  # audit trail of the target agency (None: the whole instance)


class Forbidden(TesseraError):
    """The principal may not do this; shown as 403."""

    exit_code = 6


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    username: str
    agency_id: int
    agency_code: str
    role: Role
    operator: bool = False  # the local operator at the console (the CLI), never a login

    @classmethod
    def local_operator(cls, actor: str, agency_id: int = 0, agency_code: str = "") -> Principal:
        """Whoever runs the CLI on the data folder: they hold the database and the evidence
        key, so need-to-know cannot hide from them what those files already give them. They
        go through the same use cases, and every act is audited under ``actor``; an act for
        one agency (its persons, its clustering runs) names that agency."""
        return cls(0, actor, agency_id, agency_code, Role.ADMIN, operator=True)

    @property
    def actor(self) -> str:
        return self.username if self.operator else f"user:{self.username}"

    def at_least(self, role: Role) -> bool:
        return rank(self.role) >= rank(role)


def rank(role: Role) -> int:
    """How many rights a role carries: nobody may act on the credentials of a higher one."""
    return [Role.VIEWER, Role.INVESTIGATOR, Role.AGENCY_ADMIN, Role.ADMIN].index(role)


@dataclass(frozen=True, slots=True)
class Target:
    """What the policy needs of a resource: its owning agency and what the principal sees."""

    agency_id: int | None = None
    visibility: Visibility = Visibility.NONE
    role: Role | None = None  # of a user acted on (or a role to be granted)


def series_visibility(p: Principal, owner_agency_id: int, sharing: str,
                      grants: Grants | None = None) -> Visibility:
    if p.operator or owner_agency_id == p.agency_id:
        return Visibility.FULL
    level = _SHARING_VISIBILITY.get(Sharing(sharing), Visibility.HASH_ONLY)
    granted = (grants or {}).get(p.agency_id)
    if granted is not None:
        level = max(level, _SHARING_VISIBILITY.get(Sharing(granted), Visibility.HASH_ONLY))
    return level


def agency_series_visibility(agency_id: int, owner_agency_id: int, sharing: str,
                             grants: Grants | None = None) -> Visibility:
    """What every user of an agency may see of a series: what a message to that agency (a
    notification, a mention) may say of it."""
    return series_visibility(Principal(0, "", agency_id, "", Role.VIEWER), owner_agency_id,
                             sharing, grants)


def person_visibility(p: Principal, owner_agency_id: int, sharing: str) -> Visibility:
    """The rule of series, applied to the persons an agency tracks (and to its places)."""
    return series_visibility(p, owner_agency_id, sharing)


def clue_visibility(p: Principal, owner_agency_id: int, sharing: str,
                    media_seen: Visibility) -> Visibility:
    """A clue says where something is in a media: it is shared like a series, and never
    further than the media it points into."""
    if p.operator or owner_agency_id == p.agency_id:
        return Visibility.FULL
    return min(series_visibility(p, owner_agency_id, sharing), media_seen)


def _shared(p: Principal, share: SeriesShare) -> tuple[int, Visibility]:
    owner, sharing, *grants = share
    return owner, series_visibility(p, owner, sharing, grants[0] if grants else None)


def media_visibility(p: Principal, submitting_agencies: Iterable[int],
                     series: Iterable[SeriesShare]) -> Visibility:
    """The widest view any of the media's series or submissions gives the principal."""
    agencies = set(submitting_agencies)
    if p.operator or p.agency_id in agencies:
        return Visibility.FULL
    best = Visibility.HASH_ONLY if agencies else Visibility.NONE
    for share in series:
        best = max(best, _shared(p, share)[1])
    return best


def holding_visibility(p: Principal, agency_id: int,
                       series: Iterable[SeriesShare]) -> Visibility:
    """What one agency's holding of a media (its submission: who, when, case, path) lets
    ``p`` see: that agency's own series holding the media decide, never another agency's
    sharing; a holding in no series of that agency is hash-only."""
    best = Visibility.FULL if p.operator or agency_id == p.agency_id else Visibility.HASH_ONLY
    for share in series:
        owner, seen = _shared(p, share)
        if owner == agency_id:
            best = max(best, seen)
    return best


def request_target(p: Principal, owner_agency_id: int, seen: Visibility,
                   matched: bool) -> Target:
    """What an access request needs: a series one may name, because its details are readable
    or because one's agency holds a file of it (a match told it the series exists); a
    hash-only series nobody of the agency matched stays unknown, and so unaskable."""
    known = seen >= Visibility.METADATA or (matched and seen >= Visibility.HASH_ONLY)
    return Target(owner_agency_id, seen if known else Visibility.NONE)


def link_target(p: Principal, sides: Iterable[tuple[int, Visibility]]) -> Target:
    """A link between two entities (each: owning agency, what ``p`` sees of it) is as visible
    as its more visible side, and it is the principal's agency's to decide when that agency
    owns either side. The other side is then shown as far as its own visibility allows (a
    hash-only series as "held by" its owner)."""
    sides = list(sides)
    owners = [owner for owner, _ in sides]
    best = max((v for _, v in sides), default=Visibility.NONE)
    return Target(p.agency_id if p.agency_id in owners else (owners[0] if owners else None),
                  best)


def can(p: Principal, action: Action, target: Target | None = None) -> bool:
    if p.operator:
        return True
    t = target or Target()
    own = t.agency_id == p.agency_id
    match action:
        case Action.UPLOAD:
            return p.at_least(Role.INVESTIGATOR)
        case Action.SEARCH | Action.VIEW_STATS:
            return True
        case Action.READ_NOTIFICATIONS:  # the list is one's own agency's; an item must be too
            return target is None or own
        case Action.VIEW_JOB:
            return own
        case Action.CANCEL_JOB:
            return own and p.at_least(Role.INVESTIGATOR)
        case (Action.VIEW_SERIES | Action.VIEW_MEDIA | Action.VIEW_PERSON | Action.VIEW_LINK
              | Action.VIEW_PLACE | Action.VIEW_CLUE):
            return t.visibility >= Visibility.METADATA
        case Action.VIEW_PIXELS:
            return t.visibility >= Visibility.FULL
        case Action.CATEGORISE:  # a category is a person's judgement of pixels they may see
            return t.visibility >= Visibility.FULL and p.at_least(Role.INVESTIGATOR)
        case Action.REQUEST_ACCESS:  # another agency's series it knows of, short of full
            return (not own and Visibility.NONE < t.visibility < Visibility.FULL
                    and p.at_least(Role.INVESTIGATOR))
        case Action.DISCUSS:  # whoever may read a series' details may talk about it
            return t.visibility >= Visibility.METADATA and p.at_least(Role.INVESTIGATOR)
        case Action.ANNOTATE:  # annotations stay within one's agency
            return t.visibility >= Visibility.METADATA and p.at_least(Role.INVESTIGATOR)
        case Action.EXPORT_HASHES:  # what leaves the instance is an agency's decision
            return own and p.at_least(Role.AGENCY_ADMIN)
        case (Action.EDIT_SERIES | Action.EDIT_PERSON | Action.EDIT_PLACE | Action.EDIT_CLUE
              | Action.LINK):
            return own and p.at_least(Role.INVESTIGATOR)
        case Action.SHARE_SERIES | Action.SHARE_PERSON | Action.SHARE_PLACE:
            return own and p.at_least(Role.AGENCY_ADMIN)
        case Action.MANAGE_AGENCY:
            return p.role is Role.ADMIN or (own and p.role is Role.AGENCY_ADMIN)
        case Action.MANAGE_AGENCIES:
            return p.role is Role.ADMIN
        case Action.MANAGE_USERS | Action.VIEW_AUDIT:
            return p.role is Role.ADMIN or (own and p.role is Role.AGENCY_ADMIN)
        case Action.MANAGE_USER:  # never a user (or a role) above one's own
            return t.role is not None and rank(t.role) <= rank(p.role) and (
                p.role is Role.ADMIN or (own and p.role is Role.AGENCY_ADMIN))
        case Action.SET_PASSWORD:  # others' passwords: the instance admin alone
            return p.role is Role.ADMIN
    return False


def require(p: Principal, action: Action, target: Target | None = None, *,
            hide: bool = False) -> None:
    """Raise unless allowed. ``hide`` answers "not found" so that a resource the principal may
    not see cannot be told apart from one that does not exist."""
    if can(p, action, target):
        return
    if hide:
        raise NotFound("not found")
    raise Forbidden(f"{p.role.value} of {p.agency_code} may not {action.value}")
