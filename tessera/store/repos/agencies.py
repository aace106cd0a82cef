"""Queries of agencies and their cases."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.core.errors import Conflict, NotFound
from tessera.store.rows import by_id
from tessera.store.tables import (
    Agency,
    Case,
)

# --- agencies and cases -------------------------------------------------------------------



def add_agency(s: Session, code: str, name: str, country: str, contact: str | None) -> Agency:
    if s.scalar(select(Agency).where(Agency.code == code)):
        raise Conflict(f"agency {code!r} already exists")
    agency = Agency(code=code, name=name, country=country.upper(), contact=contact)
    s.add(agency)
    s.flush()
    return agency


def get_agency(s: Session, code: str) -> Agency:
    agency = s.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise NotFound(f"no agency {code!r}: add it with `tessera agency add`")
    return agency


def agency_by_id(s: Session, agency_id: int) -> Agency:
    return by_id(s, Agency, agency_id, "agency")


def list_agencies(s: Session) -> Sequence[Agency]:
    return s.scalars(select(Agency).order_by(Agency.code)).all()


def get_or_create_case(s: Session, agency: Agency, reference: str) -> Case:
    case = s.scalar(select(Case).where(Case.agency_id == agency.id, Case.reference == reference))
    if case is None:
        case = Case(agency_id=agency.id, reference=reference)
        s.add(case)
        s.flush()
    return case
