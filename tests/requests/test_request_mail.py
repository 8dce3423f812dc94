"""Sending over SMTP: a real exchange with a server on 127.0.0.1."""

import email
from dataclasses import replace
from datetime import date
from email import policy
from email.message import EmailMessage

import pytest

from portal.mail_settings import STARTTLS, SmtpSettings
from portal.requests import compose, mail
from portal.requests.mail import MailError
from portal.requests.scenarios import SOMETHING_ELSE
from tests.conftest import free_port
from tests.requests.conftest import PNG
from tests.requests.smtp_server import SmtpBehaviour, SmtpServer

PASSWORD = "s3cret-p@ss:word"


def a_message():
    request = compose.prepare_request(
        SOMETHING_ELSE,
        {"subject": "Café order", "description": "Ünïcode and a photo."},
        orders={},
        files=[compose.StoredFile("attachments", "screen.png", "image/png", PNG)],
        agent="ana",
        today=date(2025, 3, 20),
        reply_to="support@shop.example",
        sender="support@shop.example",
    )
    return request, compose.email_message(request, unsent=False)


def test_a_message_reaches_the_server_whole(smtp_server):
    _request, message = a_message()
    settings = SmtpSettings.from_url(f"smtp://127.0.0.1:{smtp_server.port}?starttls=off")
    mail.send_message(settings, message)
    [received] = smtp_server.messages
    assert received.sender == "support@shop.example"
    assert received.recipients == ["apisupport@gelato.com"]
    parsed = email.message_from_bytes(received.data, policy=policy.default)
    assert parsed["Subject"] == "Café order"
    assert parsed["X-Unsent"] is None
    [attachment] = parsed.iter_attachments()
    assert attachment.get_content() == PNG


def test_the_password_goes_to_the_server_and_nowhere_else(caplog):
    server = SmtpServer(SmtpBehaviour(credentials=("ana", PASSWORD)))
    try:
        url = f"smtp://ana:s3cret-p%40ss%3Aword@127.0.0.1:{server.port}?starttls=off"
        mail.send_message(SmtpSettings.from_url(url), a_message()[1])
        assert len(server.messages) == 1
        assert any(c.startswith("AUTH PLAIN") for c in server.commands)
    finally:
        server.close()
    assert PASSWORD not in caplog.text


def test_a_wrong_password_is_reported_without_it():
    server = SmtpServer(SmtpBehaviour(credentials=("ana", "right")))
    try:
        encoded = PASSWORD.replace("@", "%40").replace(":", "%3A")
        url = f"smtp://ana:{encoded}@127.0.0.1:{server.port}?starttls=off"
        with pytest.raises(MailError) as caught:
            mail.send_message(SmtpSettings.from_url(url), a_message()[1])
        assert "refused the user name or password (535)" in str(caught.value)
        assert PASSWORD not in str(caught.value)
        assert server.messages == []
    finally:
        server.close()


def test_no_password_is_sent_when_the_server_cannot_encrypt(smtp_server):
    smtp_server.behaviour.credentials = ("ana", PASSWORD)
    settings = SmtpSettings(
        "127.0.0.1", smtp_server.port, STARTTLS, username="ana", password=PASSWORD
    )
    with pytest.raises(MailError, match="does not offer STARTTLS, so nothing was sent"):
        mail.send_message(settings, a_message()[1])
    assert not any(c.upper().startswith("AUTH") for c in smtp_server.commands)
    assert smtp_server.messages == []


def test_a_refused_recipient_is_named():
    server = SmtpServer(SmtpBehaviour(refuse_recipients={"apisupport@gelato.com"}))
    try:
        settings = SmtpSettings.from_url(f"smtp://127.0.0.1:{server.port}?starttls=off")
        with pytest.raises(MailError, match=r"refused the recipient: apisupport@gelato.com \(550"):
            mail.send_message(settings, a_message()[1])
    finally:
        server.close()


def test_an_unreachable_server_is_said_so():
    port = free_port()
    settings = SmtpSettings.from_url(f"smtp://127.0.0.1:{port}?starttls=off")
    with pytest.raises(MailError, match=f"127.0.0.1:{port} could not be reached"):
        mail.send_message(settings, a_message()[1])


# Each failure says truthfully whether the message left.


def plain_settings(server, **changes):
    settings = SmtpSettings.from_url(f"smtp://127.0.0.1:{server.port}?starttls=off")
    return replace(settings, **changes)


def test_a_refused_password_sends_nothing_and_says_so():
    server = SmtpServer(SmtpBehaviour(credentials=("ana", PASSWORD), refuse_auth=True))
    try:
        settings = plain_settings(server, username="ana", password=PASSWORD)
        with pytest.raises(MailError) as caught:
            mail.send_message(settings, a_message()[1])
        assert caught.value.delivery == mail.NOT_SENT
        assert "refused the user name or password (535). Nothing was sent" in str(caught.value)
        assert server.received == []
        assert not any(c.startswith("MAIL") for c in server.commands)
    finally:
        server.close()


def test_a_server_without_sign_in_is_named_and_nothing_is_sent(smtp_server):
    settings = plain_settings(smtp_server, username="ana", password=PASSWORD)
    with pytest.raises(MailError, match=r"does not offer sign-in \(AUTH\).*Nothing was sent") as c:
        mail.send_message(settings, a_message()[1])
    assert c.value.delivery == mail.NOT_SENT
    assert smtp_server.received == []


def test_a_refused_recipient_and_an_unreachable_server_send_nothing():
    server = SmtpServer(SmtpBehaviour(refuse_recipients={"apisupport@gelato.com"}))
    try:
        with pytest.raises(MailError, match="Nothing was sent") as caught:
            mail.send_message(plain_settings(server), a_message()[1])
        assert caught.value.delivery == mail.NOT_SENT
        assert not any(c.upper() == "DATA" for c in server.commands)
    finally:
        server.close()
    unreachable = SmtpSettings.from_url(f"smtp://127.0.0.1:{free_port()}?starttls=off")
    with pytest.raises(MailError, match="could not be reached") as caught:
        mail.send_message(unreachable, a_message()[1])
    assert caught.value.delivery == mail.NOT_SENT


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (SmtpBehaviour(hang_after_data=True), "no answer in time"),
        (SmtpBehaviour(drop_after_data=True), "the server closed the connection"),
    ],
)
def test_no_answer_to_the_whole_message_means_it_may_have_been_sent(behaviour, reason):
    server = SmtpServer(behaviour)
    try:
        with pytest.raises(MailError) as caught:
            mail.send_message(plain_settings(server, timeout=0.5), a_message()[1])
        assert caught.value.delivery == mail.UNKNOWN
        assert caught.value.maybe_sent
        assert f"did not confirm it ({reason}). It may have been sent" in str(caught.value)
        [received] = server.received  # the server does hold it
        parsed = email.message_from_bytes(received.data, policy=policy.default)
        assert parsed["Subject"] == "Café order"
    finally:
        server.close()


def test_a_message_refused_after_reading_it_was_not_sent():
    server = SmtpServer(SmtpBehaviour(reply_after_data="554 5.7.1 Message rejected as spam"))
    try:
        with pytest.raises(MailError) as caught:
            mail.send_message(plain_settings(server), a_message()[1])
        assert caught.value.delivery == mail.NOT_SENT
        assert "refused the message after reading it (554 5.7.1 Message rejected as spam)" in str(
            caught.value
        )
    finally:
        server.close()


def test_a_line_starting_with_a_dot_reaches_the_server_unchanged(smtp_server):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@shop.example", "b@x.example", "Dots"
    message.set_content(".\n.hidden line\n..two\n")
    mail.send_message(plain_settings(smtp_server), message)
    [received] = smtp_server.messages
    parsed = email.message_from_bytes(received.data, policy=policy.default)
    assert parsed.get_content().replace("\r\n", "\n") == ".\n.hidden line\n..two\n"
