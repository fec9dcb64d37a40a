"""E-mail delivery of notifications: .eml files as the reader may read them, SMTP to a loopback server."""

from __future__ import annotations

import email
import socket
import threading
from email import policy
from pathlib import Path

import pytest

from mare.access.policy import Viewer
from mare.hub.context import HubContext
from mare.hub.delivery import DeliveryError, MailSettings, write_outbox
from mare.hub.notifications import inbox, notify
from mare.store.db import Store


def as_(store: Store, agency: str, role: str = "analyst") -> HubContext:
    return HubContext(store, Viewer("ana", agency, frozenset({role})), "password")


class Smtp:
    """A throw-away SMTP server on loopback: accepts every message and keeps its data."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.messages: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn, conn.makefile("rb") as reader:
            conn.sendall(b"220 test ESMTP\r\n")
            while line := reader.readline():
                verb = line.strip().upper()
                if verb.startswith((b"EHLO", b"HELO")):
                    conn.sendall(b"250 test\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    data = b""
                    while (chunk := reader.readline()) != b".\r\n":
                        data += chunk
                    self.messages.append(data)
                    conn.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self.server.close()


def test_outbox_writes_one_message_per_unread_notification(store: Store, tmp_path: Path) -> None:
    notify(store, "IT-SCO", "consent_decision", "Consent granted", "Record X is released to you.")
    notify(store, "IT-SCO", "retention", "Retention: 2 records due")
    notify(store, "DE-BKA", "retention", "Not for IT-SCO")
    settings = MailSettings.from_env(
        {"MARE_MAIL_TO": "IT-SCO=desk@sco.example", "MARE_SMTP_FROM": "hub@mare.example"}
    )
    with as_(store, "IT-SCO") as ctx:
        done = write_outbox(ctx, tmp_path / "out", settings)
    assert len(done.written) == 2 and done.sent == []
    mails = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in done.written]
    assert {m["To"] for m in mails} == {"desk@sco.example"} and all(
        m["From"] == "hub@mare.example" for m in mails
    )
    granted = next(m for m in mails if "Consent granted" in m["Subject"])
    assert "Record X is released to you." in granted.get_content()
    assert b"\r\n" in done.written[0].read_bytes()
    assert all("Not for IT-SCO" not in p.read_text() for p in done.written)
    assert len(inbox(as_(store, "IT-SCO"), unread_only=True)) == 2  # not marked read unless asked


def test_sending_through_a_loopback_relay_and_marking_read(store: Store, tmp_path: Path) -> None:
    notify(store, "IT-SCO", "retention", "Retention: 2 records due")
    server = Smtp()
    try:
        env = {"MARE_SMTP_HOST": "127.0.0.1", "MARE_SMTP_PORT": str(server.port),
               "MARE_MAIL_TO": "IT-SCO=desk@sco.example"}  # fmt: skip
        with as_(store, "IT-SCO") as ctx:
            done = write_outbox(ctx, tmp_path / "out", MailSettings.from_env(env), send=True, mark=True)
        server.thread.join(timeout=10)
    finally:
        server.close()
    assert len(done.sent) == 1 and done.marked_read == 1
    assert len(server.messages) == 1 and b"Retention: 2 records due" in server.messages[0]
    assert inbox(as_(store, "IT-SCO"), unread_only=True) == []


def test_bad_settings_say_what_to_give(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="MARE_SMTP_PORT='smtp' is not a port"):
        MailSettings.from_env({"MARE_SMTP_PORT": "smtp"})
    with pytest.raises(DeliveryError, match="is not AGENCY=address"):
        MailSettings.from_env({"MARE_MAIL_TO": "IT-SCO desk@sco.example"})
    with as_(store, "IT-SCO") as ctx, pytest.raises(DeliveryError, match="set MARE_SMTP_HOST"):
        write_outbox(ctx, tmp_path / "out", MailSettings(), send=True)
