"""What the API answers, as models: the OpenAPI schema documents every field, and an answer
with a field no model declares fails (a test sees a 500) rather than leaking or vanishing.

Built from the plain records the service returns; never from the tables.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


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
