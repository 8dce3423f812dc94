"""The SMTP_URL setting: read, checked, and never repeating its password."""

import pytest

from portal.config import ConfigError, load_config
from portal.mail_settings import TLS, SmtpSettings, SmtpUrlError

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
    assert config.smtp.security == TLS
    assert "hunter2" not in repr(config)
