"""Faults a sandbox can be told to inject, so tests and demos see Gelato misbehave on cue.

A fault applies to the calls it matches (``method`` and a glob ``path``, both optional), for the
next ``times`` calls (``None``: until cleared), and to a ``share`` of them (``None``: all). It
fires before the sandbox handles the call (the call is lost) or, with ``after_processing``, once
the call took effect (the reply is lost): the second is what makes a create "ambiguous".

Kinds:

- ``latency``: wait ``seconds`` first; adds to any other fault. The call still takes effect,
  even if the caller gave up waiting.
- ``status``: answer ``status`` (e.g. 429 with ``retry_after``, 500, 503) in Gelato's error shape.
- ``hang``: send nothing for ``seconds``; a client with a shorter read timeout gives up. Before
  processing the call is then dropped unhandled; after processing the reply is sent late.
- ``drop``: close the connection without a reply.
"""

from __future__ import annotations

import fnmatch
import itertools
import random
import threading
from dataclasses import dataclass
from typing import Any

KINDS = ("latency", "status", "hang", "drop")

#: The control API's camelCase name of each field a caller sets; ``id`` is the plan's to give.
JSON_NAMES = {
    "kind": "kind",
    "status": "status",
    "retryAfter": "retry_after",
    "seconds": "seconds",
    "times": "times",
    "share": "share",
    "method": "method",
    "path": "path",
    "afterProcessing": "after_processing",
}


@dataclass
class Fault:
    kind: str
    status: int | None = None
    retry_after: float | None = None
    seconds: float = 0.0
    times: int | None = 1
    share: float | None = None
    method: str | None = None
    path: str | None = None
    after_processing: bool = False
    id: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if self.kind == "status" and not (self.status and 400 <= self.status <= 599):
            raise ValueError("a status fault needs a status from 400 to 599")
        if self.kind in ("latency", "hang") and not self.seconds > 0:
            raise ValueError(f"a {self.kind} fault needs seconds > 0")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be 1 or more, or null for every call")
        if self.share is not None and not 0 < self.share <= 1:
            raise ValueError("share must be more than 0 and at most 1")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must not be negative")
        if self.method:
            self.method = self.method.upper()

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or fnmatch.fnmatchcase(path, self.path)
        )

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """A fault from the control API's camelCase JSON."""
        if not isinstance(data, dict):
            raise ValueError("a fault is a JSON object")
        unknown = set(data) - set(JSON_NAMES)
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        try:
            return cls(**{JSON_NAMES[key]: value for key, value in data.items()})
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def to_json(self) -> dict:
        return {"id": self.id, **{key: getattr(self, name) for key, name in JSON_NAMES.items()}}


class FaultPlan:
    """The faults in force for one sandbox; thread-safe."""

    def __init__(self, rng: random.Random):
        self._faults: list[Fault] = []
        self._rng = rng
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = next(self._ids)
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def draw(self, method: str, path: str) -> tuple[float, Fault | None]:
        """The latency and the one other fault (the oldest that fires) for this call."""
        latency = 0.0
        chosen = None
        with self._lock:
            for fault in list(self._faults):
                if not fault.matches(method, path):
                    continue
                if fault.kind != "latency" and chosen is not None:
                    continue
                if fault.share is not None and self._rng.random() >= fault.share:
                    continue
                if fault.kind == "latency":
                    latency += fault.seconds
                else:
                    chosen = fault
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
        return latency, chosen
