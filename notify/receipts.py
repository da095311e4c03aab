"""Consent receipts: immutable documents given to the person (§2.3, Kantara CR v1.1 shape).

A receipt lists every recipient, including those on non-consent bases (``x-recipients``). A
new one is issued when a consent is withdrawn; older receipts stay readable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Final

from sqlalchemy import orm

from core import ids
from notify import canonical, decision, move_domain
from notify import repository as repo
from notify.tables import moves as m

RECEIPT_FORMAT: Final = "KI-CR-v1.1.0"


def issue(
    session: orm.Session,
    *,
    submission_id: str,
    move: move_domain.Move,
    plan: decision.Plan,
    now: dt.datetime,
    supersedes: str | None = None,
    consents_recorded: bool = True,
) -> str:
    """A receipt listing every recipient, consent or not (Kantara CR v1.1 with x-recipients);
    the submission's consent records point to it (not read when ``consents_recorded`` is false:
    a new submission recorded with no consent)."""
    row = new_row(submission_id=submission_id, move=move, plan=plan, now=now, supersedes=supersedes)
    session.add(m.ConsentReceipt(**row))
    records = repo.consent_records_of(session, submission_id) if consents_recorded else []
    for consent in records:
        consent.receipt_id = consent.receipt_id or row["receipt_id"]
    session.flush()
    return str(row["receipt_id"])


def new_row(
    *,
    submission_id: str,
    move: move_domain.Move,
    plan: decision.Plan,
    now: dt.datetime,
    supersedes: str | None = None,
) -> dict[str, Any]:
    """The ``consent_receipt`` row :func:`issue` writes, to be inserted by the caller."""
    receipt_id = f"RCPT-{ids.new_id()}"
    body = {
        "version": RECEIPT_FORMAT,
        "jurisdiction": "GB",
        "consentTimestamp": int(now.timestamp()),
        "collectionMethod": "web_form" if move.channel == "citizen_web" else move.channel,
        "consentReceiptID": receipt_id,
        "language": move.language,
        "piiPrincipalId": move.reference,
        "x-recipients": [
            {
                "service": d.partner_service_id,
                "basis": d.lawful_basis,
                "purpose": d.purpose_code,
                "fields": list(d.fields),
            }
            for d in plan.decisions
            if d.creates_delivery
        ],
    }
    return {
        "receipt_id": receipt_id,
        "submission_id": submission_id,
        "issued_at": now,
        "profile": "summary",
        "format": RECEIPT_FORMAT,
        "language": move.language,
        "body": body,
        "body_sha256": hashlib.sha256(canonical.dumps(body)).hexdigest(),
        "supersedes_receipt_id": supersedes,
    }


def reissue(session: orm.Session, submission_id: str, now: dt.datetime) -> str:
    """A new receipt superseding the last one; old receipts stay readable."""
    receipts = repo.receipts_of(session, submission_id)
    last = receipts[-1] if receipts else None
    body = dict(last.body) if last else {}
    records = repo.consent_records_of(session, submission_id)
    withdrawn = [c.id for c in records if c.status == "withdrawn"]
    receipt_id = f"RCPT-{ids.new_id()}"
    body |= {"consentReceiptID": receipt_id, "x-withdrawn": withdrawn}
    session.add(
        m.ConsentReceipt(
            receipt_id=receipt_id,
            submission_id=submission_id,
            issued_at=now,
            profile="summary",
            format=RECEIPT_FORMAT,
            language=last.language if last else "en",
            body=body,
            body_sha256=hashlib.sha256(canonical.dumps(body)).hexdigest(),
            supersedes_receipt_id=last.receipt_id if last else None,
        )
    )
    session.flush()
    return receipt_id
