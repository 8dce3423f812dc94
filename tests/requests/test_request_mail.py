"""SMTP: the setting, and a real exchange with a server on 127.0.0.1."""

import email
from datetime import date
from email import policy

import pytest

from portal.config import ConfigError, load_config
from portal.requests import compose, mail
from portal.requests.mail import MailError, SmtpSettings, SmtpUrlError
from portal.requests.scenarios import SOMETHING_ELSE
from tests.conftest import free_port
from tests.requests.conftest import PNG
from tests.requests.smtp_server import SmtpBehaviour, SmtpServer

PASSWORD = "s3cret-p@ss:word"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", ("mail.example.com", 587, "starttls", None)),
        (
            "smtp://u%40shop.example:pw@mail.example.com:2525",
            ("mail.example.com", 2525, "starttls", "u@shop.example"),
        ),
        ("smtps://u:pw@mail.example.com", ("mail.example.com", 465, "tls", "u")),
        ("smtp://relay.internal:25?starttls=off", ("relay.internal", 25, "none", None)),
        ("smtp://u:pw@127.0.0.1:1025?starttls=off", ("127.0.0.1", 1025, "none", "u")),
    ],
)
def test_smtp_urls_are_read(url, expected):
    settings = SmtpSettings.from_url(url)
    assert (settings.host, settings.port, settings.security, settings.username) == expected


def test_a_percent_encoded_password_is_decoded_and_never_shown():
    settings = SmtpSettings.from_url("smtp://ana:s3cret-p%40ss%3Aword@mail.example.com")
    assert settings.password == PASSWORD
    assert PASSWORD not in repr(settings)
    assert "s3cret" not in settings.describe()
    assert settings.describe() == "ana at mail.example.com:587 (STARTTLS)"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.com", "must start with smtp://"),
        ("smtp://:25", "names no mail server"),
        ("smtp://mail.example.com:99999", "valid port"),
        ("smtp://mail.example.com?tls=yes", "unknown options: tls"),
        ("smtps://mail.example.com?starttls=off", "starttls is on or off"),
        ("smtp://ana:hunter2@mail.example.com?starttls=off", "without encryption"),
    ],
)
def test_bad_smtp_urls_are_explained_without_the_password(url, message):
    with pytest.raises(SmtpUrlError, match=message) as caught:
        SmtpSettings.from_url(url)
    assert "hunter2" not in str(caught.value)


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
        "127.0.0.1", smtp_server.port, mail.STARTTLS, username="ana", password=PASSWORD
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


def test_the_settings_refuse_an_smtp_server_without_a_sender(environ, tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(
            {**environ, "SMTP_URL": "smtp://ana:hunter2@mail.example.com", "MAIL_FROM": "nope"},
            instance_path=tmp_path,
        )
    message = str(caught.value)
    assert "MAIL_FROM is not an email address" in message
    assert "hunter2" not in message
    with pytest.raises(ConfigError, match="SMTP_URL is set, but no sender"):
        load_config({**environ, "SMTP_URL": "smtp://mail.example.com"}, instance_path=tmp_path)
    config = load_config(
        {**environ, "SMTP_URL": "smtps://ana:hunter2@mail.example.com", "SUPPORT_EMAIL": "s@x.io"},
        instance_path=tmp_path,
    )
    assert config.mail_from == "s@x.io"
    assert config.smtp.security == mail.TLS
    assert "hunter2" not in repr(config)
