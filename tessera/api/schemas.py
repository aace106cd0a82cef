"""What the API answers, as models: the OpenAPI schema documents every field, and an answer
with a field no model declares fails (a test sees a 500) rather than leaking or vanishing.

Built from the plain records the service returns; never from the tables.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ok(Out):
    ok: bool


class Count(Out):
    read: int


class Removed(Out):
    removed: bool


class SharingOut(Out):
    sharing: str


class SharingIn(BaseModel):
    """An owner's sharing choice for a series, person or place."""

    sharing: str = Field(max_length=12, description="hash-only | metadata | full")


# --- accounts -------------------------------------------------------------------------------


class LoginOut(Out):
    csrf_token: str
    mfa_required: bool
    enrol_required: bool


class SecretOut(Out):
    secret: str
    uri: str


class EnrolledOut(Out):
    ok: bool
    recovery_codes: list[str]


class RecoveryCodesOut(Out):
    recovery_codes: list[str]


class PasswordChangedOut(Out):
    ok: bool
    revoked: int


class MeOut(Out):
    id: int
    username: str
    display_name: str | None
    agency: str
    role: str
    totp_enrolled: bool
    recovery_codes_left: int


class TokenOut(Out):
    id: int
    name: str
    created_at: str
    last_used_at: str | None
    revoked: bool


class NewTokenOut(Out):
    id: int
    name: str
    token: str  # shown this once


class AgencyOut(Out):
    id: int
    code: str
    name: str
    country: str
    contact: str | None
    default_sharing: str
    grading_votes: int
    partner_consent: bool


class UserOut(Out):
    id: int
    username: str
    display_name: str | None
    agency: str
    role: str
    totp_required: bool
    totp_enrolled: bool
    disabled: bool
    failed_logins: int


class StatusOut(Out):
    version: str
    agency: str
    series: int
    media: int
    active_jobs: int
    index_signals: int


# --- the audit trail ------------------------------------------------------------------------


class AuditEventOut(Out):
    id: int
    at: str
    actor: str
    agency: str | None
    action: str
    object: str | None
    outcome: str
    details: dict[str, Any] | None
    hash: str


class CheckpointOut(Out):
    event: int
    head: str
    at: str
    public_key: str


class CheckpointRef(Out):
    event: int
    at: str
    head: str


class AuditVerifyOut(Out):
    events: int
    ok: bool
    problems: list[str]
    checkpoints: int
    last_checkpoint: CheckpointRef | None


# --- jobs, notifications, series ------------------------------------------------------------


class JobOut(Out):
    id: int
    state: str
    files: int
    total: int | None
    done: int
    stage: str | None
    rate: float | None
    eta_seconds: float | None
    case: str | None
    series: str | None
    store: bool
    counts: dict[str, int]
    error: str | None
    cancel_requested: bool
    created_at: str
    finished_at: str | None
    ingest_job: int | None  # the stored files' job: its grading queue


class NotificationOut(Out):
    id: int
    message: str
    from_agency: str
    from_country: str
    from_contact: str | None
    case: str | None
    series_id: int | None
    files: int
    created_at: str
    read: bool


class SeriesOut(Out):
    id: int
    name: str
    owner: str
    owner_name: str
    country: str
    contact: str | None
    victim_status: str
    offender_status: str
    description: str | None
    sharing: str
    media_count: int | None
    own: bool
    updated_at: str | None


class SeriesMediaOut(Out):
    id: int
    sha256: str | None  # None: a hash-only record known by MD5 or SHA-1 alone
    md5: str | None
    hash_only: bool
    kind: str
    mime: str
    width: int | None
    height: int | None
    size: int


class StatusChangeOut(Out):
    subject: str  # victim | offender
    before: str
    after: str
    note: str | None
    by: str
    agency: str
    at: str


class SeriesDetailOut(SeriesOut):
    pixels: bool
    can_edit: bool
    can_share: bool
    media: list[SeriesMediaOut]
    history: list[StatusChangeOut]  # the identification, step by step


# --- media ----------------------------------------------------------------------------------


class StoredSignalOut(Out):
    type: str
    version: int
    region: str
    quality: int
    value: str  # hex
    start: float | None
    span: float | None


class TranscriptOut(Out):
    start: float
    end: float
    text: str
    language: str | None


class SubmissionOut(Out):
    agency: str
    at: str
    case: str | None  # with full visibility of that agency's holding only
    path: str | None


class OwnCategoryOut(Out):
    id: int
    code: str
    label: str
    abuse: bool
    key: str | None
    segment: list[float | None] | None  # start and end (seconds) of a video segment
    source: str
    basis: str | None
    by: str
    at: str


class MediaDetailOut(Out):
    id: int
    sha256: str | None  # a hash-only record (VICS, hash list) may lack any of its digests
    sha1: str | None
    md5: str | None
    hash_only: bool
    kind: str
    mime: str
    size: int
    width: int | None
    height: int | None
    first_seen: str
    metadata: dict[str, Any] | None
    pixels: bool
    signals: list[StoredSignalOut]
    keyframes: list[float | None]
    transcript: list[TranscriptOut]
    series: list[SeriesOut]
    submissions: list[SubmissionOut]
    categories: list[OwnCategoryOut]
    # as the de-confliction report words them (``reports.model``): one object per hit
    matches: list[dict[str, Any]]
    face_matches: list[dict[str, Any]]


# --- persons and faces ----------------------------------------------------------------------


class PersonOut(Out):
    id: int
    role: str
    label: str
    status: str
    owner: str
    country: str
    contact: str | None
    sharing: str
    description: str | None
    created_at: str
    updated_at: str
    can_edit: bool


class PersonFaceOut(Out):
    face: int
    state: str
    score: float | None
    by: str | None
    media_id: int
    start: float | None
    box: list[float] | None
    quality: int
    pixels: bool


class PersonDetailOut(PersonOut):
    faces: list[PersonFaceOut]
    can_share: bool


class LinkedOut(Out):
    linked: int
    state: str
    suggested: int


class FacePersonOut(Out):
    person: int
    label: str
    role: str
    state: str
    score: float | None


class MediaFaceOut(Out):
    face: int
    box: list[float] | None
    landmarks: list[list[float]] | None
    quality: int
    factors: dict[str, Any] | None
    confidence: float | None
    start: float | None
    persons: list[FacePersonOut]


class FoundFaceOut(Out):
    face: int
    box: list[float] | None
    quality: int
    matchable: bool
    start: float | None
    matches: list[dict[str, Any]]  # face hits as the report words them


class FaceSearchOut(Out):
    file: str
    sha256: str | None
    width: int | None
    height: int | None
    min_score: float
    faces: list[FoundFaceOut]


class ImageSearchOut(Out):
    file: dict[str, Any]  # the file's entry as in a de-confliction report
    lines: list[str]


# --- face clusters --------------------------------------------------------------------------


class ClusterRunOut(Out):
    run: int
    faces: int
    clusters: int
    multi: int
    suggestions: int


class ClusterPersonOut(Out):
    id: int
    label: str
    role: str
    status: str


class ClusterFaceOut(Out):
    face: int
    media_id: int
    start: float | None
    quality: int
    box: list[float] | None


class ClusterOut(Out):
    cluster: int
    size: int
    person: ClusterPersonOut | None
    faces: list[ClusterFaceOut]


class ClustersOut(Out):
    run: int
    scope: str
    threshold: float
    faces: int
    created_at: str
    can_edit: bool
    clusters: list[ClusterOut]


class ReviewedOut(Out):
    run: int
    cluster: int


# --- triage ---------------------------------------------------------------------------------


class CategoryOut(Out):
    id: int
    code: str
    label: str
    abuse: bool
    key: str | None


class SchemeOut(Out):
    name: str
    label: str
    categories: list[CategoryOut]


class CurrentCategoryOut(CategoryOut):
    source: str  # investigator|consensus|import|match
    basis: str | None
    by: str


class GradingItemOut(Out):
    position: int
    media_id: int
    kind: str
    state: str  # graded|pre-categorised|disputed|waiting|todo
    hash_only: bool
    category: CurrentCategoryOut | None
    votes: int
    voted: bool


class GradingJobOut(Out):
    id: int
    case: str | None
    agency: str
    created_at: str


class GradingQueueOut(Out):
    job: GradingJobOut
    votes_needed: int
    scheme: str
    categories: list[CategoryOut]
    progress: dict[str, int]
    items: list[GradingItemOut]
    next: list[int]


class GradeOut(Out):
    media_id: int
    state: str


class DoneOut(Out):
    done: int
    series_id: int | None = None


class AnnotationOut(Out):
    id: int
    kind: str
    text: str
    by: str
    at: str


class BrowsedMediaOut(Out):
    id: int
    sha256: str | None
    md5: str | None
    kind: str
    mime: str
    size: int
    width: int | None
    height: int | None
    hash_only: bool
    first_seen: str
    category: CurrentCategoryOut | None
    tags: list[str]
    bookmarked: bool


class MediaPageOut(Out):
    media: list[BrowsedMediaOut]
    total: int
    page: int
    pages: int


class ImportOut(Out):
    file: str
    records: int
    media_new: int
    media_known: int
    duplicates: int
    conflicts: int
    categorised: int
    unknown_categories: dict[str, int]
    series: dict[str, int]
    cases: int
    version: str | None
    dialect: str | None


class StatsRowOut(Out):
    """One agency's (or country's) counts; the total row names neither."""

    agency: str | None = None
    country: str | None = None
    victims_identified: int
    victims_safeguarded: int
    offenders_identified: int
    offenders_arrested: int
    offenders_convicted: int
    series: int
    series_victim_unidentified: int
    files_deconflicted: int
    files_spared: int


class DayCountOut(Out):
    day: str
    victims: int


class StatsOut(Out):
    by: str
    since: str | None
    until: str | None
    rows: list[StatsRowOut]
    total: StatsRowOut
    identified_per_day: list[DayCountOut]


class PostOut(Out):
    id: int
    agency: str
    country: str
    by: str
    text: str
    at: str


class LinkSideOut(Out):
    """One end of a link as the caller may know it: ``id`` and ``label`` null when its owner
    shares it hash-only (``words`` then says "held by AU")."""

    type: str
    id: int | None
    label: str | None
    role: str | None
    status: str | None
    agency: str
    country: str
    contact: str | None
    words: str


class LinkEvidenceOut(Out):
    source: str
    score: float
    fact: str
    a_media: int | None  # null where the caller may not read that side
    b_media: int | None


class LinkOut(Out):
    id: int
    kind: str
    words: str
    state: str  # suggested | confirmed | rejected
    source: str  # "asserted" or the suggester / signal type that found it
    score: float | None
    suggested: bool
    a: LinkSideOut
    b: LinkSideOut
    evidence: list[LinkEvidenceOut]
    note: str | None
    created_by: str
    created_at: str
    decided_by: str | None
    decided_at: str | None
    can_decide: bool


class GraphNodeOut(LinkSideOut):
    key: str  # "series:4", or "held:AU:n" (numbered within this answer) for a hidden one
    depth: int


class GraphEdgeOut(Out):
    id: int
    a: str  # node keys
    b: str
    kind: str
    words: str
    state: str


class GraphOut(Out):
    start: str
    depth: int
    nodes: list[GraphNodeOut]
    edges: list[GraphEdgeOut]


class SuggestOut(Out):
    media: int
    leads: int
    created: int
    updated: int


class AccessRequestOut(Out):
    id: int
    series_id: int | None  # None where the asking agency may not read the series yet
    series: str | None
    owner: str
    agency: str  # the asking agency
    level: str  # metadata | full
    state: str  # pending | granted | refused
    reason: str | None
    requested_by: str
    created_at: str
    decided_by: str | None
    decided_at: str | None
    note: str | None
    can_decide: bool


class AccessRequestsOut(Out):
    incoming: list[AccessRequestOut]
    outgoing: list[AccessRequestOut]


class GrantOut(Out):
    agency: str
    level: str
    granted_by: str
    at: str


class TimelineEventOut(Out):
    at: str
    kind: str  # created | submitted | matched | status | note | linked
    agency: str | None
    by: str | None
    text: str


class PlaceOut(Out):
    id: int
    label: str
    country: str | None  # ISO 3166-1 alpha-2
    country_name: str | None
    region: str | None
    lat: float | None
    lon: float | None
    radius_m: float | None  # how sure the point is
    clues: str | None
    owner: str
    owner_name: str
    contact: str | None
    sharing: str | None  # the owner's choice, shown to the owner only
    created_by: str
    created_at: str
    can_edit: bool
    can_share: bool


class ClueOut(Out):
    id: int
    media_id: int
    kind: str  # object | logo | text | sound | other
    note: str
    words: str
    region: list[float] | None  # x, y, width, height as fractions of the picture
    start_s: float | None
    end_s: float | None
    owner: str
    sharing: str | None  # shown to the owner only
    created_by: str
    created_at: str
    can_edit: bool


class DeviceSeriesOut(Out):
    id: int | None  # None: a series its owner shares hash-only
    name: str | None
    agency: str
    contact: str | None
    words: str
    files: int | None  # None for a hidden series: who holds it, never how much


class DeviceOut(Out):
    id: int
    make: str
    model: str
    serial: str
    files: int  # the files from this device whose details the caller may read
    readable_media: list[int]  # those whose details the caller may read (up to 200)
    series: list[DeviceSeriesOut]
