"""E-mail-ready notifications: one RFC 5322 message per unread notification, optionally sent by SMTP.

A message holds the notification as its reader may see it (`hub.notifications.inbox`, written through
the policy for the signed-in reader): the same text as `mare notifications list`, nothing more.
Sending is off unless an SMTP host is configured; settings come from the environment (read by the CLI):

- `MARE_SMTP_HOST` (no host: nothing is sent), `MARE_SMTP_PORT` (default 25), `MARE_SMTP_FROM`
  (default `mare@localhost`);
- `MARE_MAIL_TO`: the recipient address of each agency, `AGENCY=address` pairs separated by commas
  (`IT-SCO=desk@sco.example,HUB=watch@hub.example`). An agency without an address gets no e-mail: its
  messages are still written, addressed to `undisclosed-recipients:;`.

Plain SMTP without authentication or TLS: meant for a relay on the hub's own network (or loopback).
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from mare.hub.context import HubContext
from mare.hub.notifications import Notification, inbox, mark_read

_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+$")


class DeliveryError(ValueError):
    """Settings or a folder that cannot be used, with what to give instead."""


@dataclass(frozen=True)
class MailSettings:
    """Where and how messages go: SMTP relay (None: no sending), sender, each agency's address."""

    host: str | None = None
    port: int = 25
    sender: str = "mare@localhost"
    recipients: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings:
        """Settings from `MARE_SMTP_HOST`, `MARE_SMTP_PORT`, `MARE_SMTP_FROM`, `MARE_MAIL_TO`."""
        port_text = env.get("MARE_SMTP_PORT", "25").strip() or "25"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise DeliveryError(f"MARE_SMTP_PORT={port_text!r} is not a port number (1-65535)")
        sender = env.get("MARE_SMTP_FROM", "").strip() or "mare@localhost"
        if not _ADDRESS.match(sender):
            raise DeliveryError(f"MARE_SMTP_FROM={sender!r} is not an e-mail address")
        recipients: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in env.get("MARE_MAIL_TO", "").split(","))):
            agency, _, address = pair.partition("=")
            if not agency.strip() or not _ADDRESS.match(address.strip()):
                raise DeliveryError(
                    f"MARE_MAIL_TO: {pair!r} is not AGENCY=address (e.g. IT-SCO=desk@sco.example)"
                )
            recipients[agency.strip()] = address.strip()
        return cls(env.get("MARE_SMTP_HOST", "").strip() or None, int(port_text), sender, recipients)


def message(note: Notification, settings: MailSettings) -> EmailMessage:
    """One notification as an RFC 5322 message."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = settings.recipients.get(note.agency, "undisclosed-recipients:;")
    mail["Subject"] = f"[Mare] {note.subject}"
    mail["Date"] = format_datetime(note.created_at.replace(tzinfo=None), usegmt=False)
    mail["Message-ID"] = make_msgid(idstring=note.id, domain="mare.invalid")
    mail["X-Mare-Notification"] = note.id
    mail["X-Mare-Kind"] = note.kind
    body = note.body or note.subject
    mail.set_content(
        f"{body}\n\n--\nNotification {note.id} ({note.kind}) for {note.agency}. "
        f"Mark it read: mare notifications read {note.id}\n"
    )
    return mail


@dataclass
class Outbox:
    """What an outbox run wrote, sent and marked read."""

    written: list[Path] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    unsent: dict[str, str] = field(default_factory=dict)
    marked_read: int = 0


def write_outbox(
    ctx: HubContext, folder: Path, settings: MailSettings, send: bool = False, mark: bool = False
) -> Outbox:
    """Write one `.eml` per unread notification of the reader's agency, as that reader may see it; with
    `send`, also send those with an address through the configured relay; with `mark`, mark the written
    (and, when sending, the sent) ones read."""
    if send and settings.host is None:
        raise DeliveryError("sending needs an SMTP relay: set MARE_SMTP_HOST (and MARE_SMTP_PORT)")
    if folder.exists() and not folder.is_dir():
        raise DeliveryError(f"{folder} is a file, not a folder: give a folder for the messages")
    folder.mkdir(parents=True, exist_ok=True)
    done = Outbox()
    notes = inbox(ctx, unread_only=True, limit=10_000)
    mails = [(note, message(note, settings)) for note in notes]
    for note, mail in mails:
        path = folder / f"{note.id}.eml"
        path.write_bytes(mail.as_bytes(policy=mail.policy.clone(linesep="\r\n")))
        done.written.append(path)
    if send and mails:
        assert settings.host is not None
        with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
            for note, mail in mails:
                if note.agency not in settings.recipients:
                    done.unsent[note.id] = f"no address for {note.agency} in MARE_MAIL_TO"
                    continue
                smtp.send_message(mail)
                done.sent.append(note.id)
    ctx.log(
        "disclosure",
        "done",
        resource="notification",
        details={"written": len(done.written), "sent": len(done.sent), "relay": settings.host},
    )
    if mark:
        chosen = done.sent if send else [note.id for note in notes]
        done.marked_read = sum(1 for nid in chosen if mark_read(ctx, nid))
    return done
