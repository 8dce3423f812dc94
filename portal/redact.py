"""Secrets out of anything a person typed or pasted, before it is stored, shown or sent.

Agents paste whatever their integration logged, and those logs carry the merchant's Gelato API key
in every request's ``X-API-KEY`` header, often a shop's access token in the order's metadata,
sometimes passwords in connection strings; and a hurried agent may paste a key into a description
too. A key sent by email is a key anyone in the thread can use to place charged orders, so every
value that looks like a credential is replaced by ``[removed]`` (the placeholder the knowledge
base shows) and the agent is told what was taken out and where, so they can check nothing else
private remains. Over-removing a harmless value costs Gelato little; missing a key costs the
merchant a new key, so the patterns lean to removing.

The deployment's own secrets (``Config.named_secrets``: the Gelato API key, the SMTP password,
``SECRET_KEY``) are removed wherever they stand, also percent-encoded or escaped as in JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

REMOVED = "[removed]"
#: What this help center's personal API tokens look like (``portal.api.tokens`` makes them).
API_TOKEN_SHAPE = r"ghc_[A-Za-z0-9_-]{43}"  # noqa: S105 (a pattern, not a token)

#: Parts of a field, header or parameter name that mark its value as a credential. Names are
#: compared in lower case with ``-``, ``_`` and ``.`` dropped, so ``X-API-KEY``, ``api_key`` and
#: ``apiKey`` all contain ``apikey``.
SECRET_NAME_PARTS = (
    "apikey",
    "accesskey",
    "token",
    "password",
    "passwd",
    "passphrase",
    "secret",
    "authorization",
    "credential",
    "privatekey",
    "cookie",
    "sessionid",
    "signature",
)

#: How a known secret is named when the caller gives its value only.
DEFAULT_LABEL = "the help center's Gelato API key"
#: A known secret shorter than this is removed only where it stands as a word of its own: inside
#: longer words it would take innocent text with it.
MIN_INSIDE_WORDS = 8

#: A value that is already a placeholder is left alone, so redacting twice changes nothing.
_NOT_REMOVED = r"(?!(?:[A-Za-z]+\s+)?\[removed)"


@dataclass(frozen=True)
class Finding:
    """One value taken out: what it was, and the line of the cleaned text it was on."""

    kind: str
    line: int

    def __str__(self) -> str:
        return f"{self.kind} (line {self.line})"


def names_secret(name: str) -> bool:
    normalised = re.sub(r"[-_. ]", "", name.lower())
    return any(part in normalised for part in SECRET_NAME_PARTS)


def redact_secrets(
    text: str, known_secrets: Mapping[str, str | None] | Iterable[str | None] = ()
) -> tuple[str, list[Finding]]:
    """The text with every credential replaced by ``[removed]``, and what was replaced.

    ``known_secrets`` are values to remove wherever they appear, whatever surrounds them: the
    help center's own secrets. Given as a mapping, each is named by its key ("the help center's
    SMTP password"); given as values, each is named ``DEFAULT_LABEL``.
    """
    findings: list[Finding] = []
    # First, so that every later line number counts the key's block as the one line it becomes.
    text = _sub(text, _PRIVATE_KEY, 0, "a private key", findings)
    for label, secret in _known(known_secrets):
        text = _sub(text, _known_secret_pattern(secret), 0, label, findings)
    for pattern, group, kind in _PATTERNS:
        text = _sub(text, pattern, group, kind, findings)
    unique = sorted(set(findings), key=lambda f: (f.line, f.kind))
    return text, unique


def remove_known_secrets(
    text: str, known_secrets: Mapping[str, str | None] | Iterable[str | None]
) -> str:
    """``text`` with the known secrets replaced, and nothing else touched: the last guard on
    text composed from answers that were cleaned when they were saved."""
    for _label, secret in _known(known_secrets):
        text = _known_secret_pattern(secret).sub(REMOVED, text)
    return text


def holds_known_secret(
    data: bytes, known_secrets: Mapping[str, str | None] | Iterable[str | None]
) -> str | None:
    """The name of a known secret that ``data`` (a file's bytes) holds, or None. Used for files
    that cannot be cleaned without breaking them (a PDF, a photo's metadata)."""
    for label, secret in _known(known_secrets):
        for shape in _shapes(secret):
            if shape.encode("utf-8") in data or shape.encode("utf-16-le") in data:
                return label
    return None


def _known(
    known_secrets: Mapping[str, str | None] | Iterable[str | None],
) -> list[tuple[str, str]]:
    if isinstance(known_secrets, Mapping):
        pairs = known_secrets.items()
    else:
        pairs = ((DEFAULT_LABEL, secret) for secret in known_secrets)
    return [(label, secret) for label, secret in pairs if secret and secret.strip()]


def _shapes(secret: str) -> list[str]:
    """A secret as it is written in text: as it is, percent-encoded (in a URL), escaped (JSON)."""
    return list(dict.fromkeys([secret, quote(secret, safe=""), json.dumps(secret)[1:-1]]))


def _known_secret_pattern(secret: str) -> re.Pattern:
    # The longest shape first, so that an encoded form is taken whole rather than in part.
    shapes = "|".join(re.escape(s) for s in sorted(_shapes(secret), key=len, reverse=True))
    if len(secret) < MIN_INSIDE_WORDS:
        return re.compile(rf"(?<![\w]){'(?:' + shapes + ')'}(?![\w])")
    return re.compile(shapes)


def _sub(text: str, pattern: re.Pattern, group, kind, findings: list[Finding]) -> str:
    """Replace ``group`` of every match; ``kind`` is a label or a function of the match."""
    pieces, last = [], 0
    for match in pattern.finditer(text):
        start, end = match.span(group)
        if start < last or start == end:
            continue
        label = kind(match) if callable(kind) else kind
        if label is None:
            continue
        pieces += [text[last:start], REMOVED]
        findings.append(Finding(label, text.count("\n", 0, start) + 1))
        last = end
    return "".join(pieces) + text[last:] if pieces else text


def _named(template: str, name_group: str = "name"):
    """A label for a match whose name group decides whether its value is a secret."""

    def label(match: re.Match) -> str | None:
        name = match.group(name_group)
        return template.format(name=name) if names_secret(name) else None

    return label


_PATTERNS: list[tuple[re.Pattern, str | int, object]] = [
    # Authorization: Bearer <token> / Basic <base64>, anywhere (curl -H "...", header dumps).
    (
        re.compile(
            r"(?i)\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?"
            r"(?:(?:bearer|basic|token|digest|apikey|key)\s+)?"
            + _NOT_REMOVED
            + r"(?P<value>[^\s\"',;]+)"
        ),
        "value",
        "Authorization header",
    ),
    (
        re.compile(r"(?i)\bbearer\s+" + _NOT_REMOVED + r"(?P<value>[A-Za-z0-9._~+/=-]{8,})"),
        "value",
        "bearer token",
    ),
    # Cookies carry sessions: the whole header value goes.
    (
        re.compile(
            r"(?im)\b(?:set-)?cookie\s*:\s*" + _NOT_REMOVED + r"(?P<value>[^\s\"'][^\r\n\"']*)"
        ),
        "value",
        "cookie",
    ),
    # "name": "value" in JSON, and 'name': 'value' in Python or JavaScript dumps.
    (
        re.compile(
            r"(?P<q>[\"'])(?P<name>[\w.-]{1,60})(?P=q)\s*:\s*(?P<v>[\"'])"
            + _NOT_REMOVED
            + r"(?P<value>(?:\\.|(?!(?P=v))[^\\\r\n])+)(?P=v)"
        ),
        "value",
        _named('"{name}" value'),
    ),
    # "name": 12345 (numeric PINs and the like).
    (
        re.compile(r"(?P<q>[\"'])(?P<name>[\w.-]{1,60})(?P=q)\s*:\s*(?P<value>\d{4,})\b"),
        "value",
        _named('"{name}" value'),
    ),
    # Gelato's metadata: {"key": "shopifyAccessToken", "value": "..."}.
    (
        re.compile(
            r"\"key\"\s*:\s*\"(?P<name>[^\"]{1,100})\"\s*,\s*\"value\"\s*:\s*\""
            + _NOT_REMOVED
            + r"(?P<value>(?:\\.|[^\"\\\r\n])+)\""
        ),
        "value",
        _named('metadata "{name}" value'),
    ),
    # name=value in query strings, form bodies, environment files and command lines.
    (
        re.compile(
            r"(?P<name>[A-Za-z][\w.-]{0,60})="
            + _NOT_REMOVED
            + r"(?P<q>[\"']?)(?P<value>[^\s&\"'#;,]+)(?P=q)"
        ),
        "value",
        _named("{name} parameter"),
    ),
    # Name: value at the start of a line (HTTP headers, YAML, log key-values).
    (
        re.compile(
            r"(?m)^[ \t>-]*(?P<name>[A-Za-z][\w.-]{0,60})[ \t]*:[ \t]*"
            + _NOT_REMOVED
            + r"(?P<value>[^\s\"',;]+)"
        ),
        "value",
        _named("{name} header"),
    ),
    # Header names that are always credentials, wherever they stand (curl -H "X-API-KEY: ...").
    (
        re.compile(
            r"(?i)\b(?P<name>x-api-key|api-key|x-auth-token|x-access-token)\s*:\s*"
            + _NOT_REMOVED
            + r"(?P<value>[^\s\"',;]+)"
        ),
        "value",
        lambda match: f"{match.group('name')} header",
    ),
    # Passwords in URLs: https://user:password@host.
    (
        re.compile(
            r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]+:" + _NOT_REMOVED + r"(?P<value>[^/\s@]+)@"
        ),
        "value",
        "password in a URL",
    ),
    # Credentials recognisable by their shape alone.
    (
        re.compile(
            r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            r":[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            re.I,
        ),
        0,
        "a Gelato API key",
    ),
    (
        re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"),
        0,
        "a signed token (JWT)",
    ),
    (re.compile(r"\bshp(?:at|ca|pa|ss)_[A-Za-z0-9]{16,}"), 0, "a Shopify access token"),
    (re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}"), 0, "a Stripe secret key"),
    (re.compile(rf"\b{API_TOKEN_SHAPE}"), 0, "an API token of this help center"),
]

_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S
)
