"""Text as a request holds it: answers read the same way everywhere, lines fit for an email.

Every module that judges, shows or sends an answer reads it through ``answer_text``, so "given"
means the same to the checklist, the email and the list of requests; and every one-line value
that may reach a mail header passes ``header_text`` first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

#: The longest subject an email gets.
MAX_SUBJECT = 200
#: How the email indents a block (a description, an address) under its label.
INDENT = "    "


def answer_text(answers: Mapping[str, object], key: str) -> str:
    """The answer under ``key`` as trimmed text: an answer that is not text (an address) or is
    absent reads as empty, so every module judges "given" the same way."""
    value = answers.get(key)
    return value.strip() if isinstance(value, str) else ""


def header_text(value: str, limit: int = MAX_SUBJECT) -> str:
    """One line fit for a mail header: line breaks, tabs and other control characters become
    spaces (a subject with a line break in it would start a header of the sender's choosing)."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    return cleaned[:limit].rstrip()


def indent(lines: Sequence[str]) -> list[str]:
    """``lines`` indented as a block under a label; empty lines stay empty."""
    return [INDENT + line if line.strip() else "" for line in lines]
