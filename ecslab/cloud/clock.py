"""The lab's clock: simulated time that starts at the same instant in every lab and moves only
when the simulation says so.

Every timestamp a learner can see — in the trace, in moto's answers (a secret's CreatedDate, an
image's imagePushedAt, a log event), in task lifecycles — comes from this clock, so two runs of
the course print the same times on any machine.

moto reads the time in three ways: ``moto.core.utils.utcnow`` (imported by name into most of its
modules), the ``time`` module (Secrets Manager) and ``datetime.now`` (ECR, S3). :meth:`LabClock.
install` points every loaded ``moto.*`` module at this clock for as long as a lab is open, and
only moto: the learner's kernel, Jupyter and asyncio keep the real time. (freezegun and
time-machine patch the whole process, which would freeze the kernel's own clocks too.)
"""

from __future__ import annotations

import datetime as _datetime
import sys
import time as _time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

EPOCH = _datetime.datetime(2026, 4, 1, 9, 0, 0, tzinfo=_datetime.timezone.utc)


class LabClock:
    """Simulated UTC time. ``now()`` never moves by itself; ``advance(seconds)`` moves it."""

    def __init__(self, start: _datetime.datetime = EPOCH) -> None:
        self._now = start

    def now(self) -> _datetime.datetime:
        """The current simulated time, timezone-aware UTC."""
        return self._now

    def timestamp(self) -> float:
        return self._now.timestamp()

    def millis(self) -> int:
        return round(self._now.timestamp() * 1000)

    def advance(self, seconds: float) -> _datetime.datetime:
        self._now = self._now + _datetime.timedelta(seconds=seconds)
        return self._now

    def iso(self) -> str:
        return self._now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self._now.microsecond // 1000:03d}Z"

    # -- pointing moto at this clock -------------------------------------------------------------

    @contextmanager
    def installed(self) -> Iterator[LabClock]:
        undo = self.install()
        try:
            yield self
        finally:
            undo()

    def install(self):
        """Patch the time sources of every loaded moto module; returns a function that undoes it.

        Import moto's service modules first (``ecslab.cloud.world.prepare_moto``).
        """
        core_utils = sys.modules["moto.core.utils"]
        real_utcnow = core_utils.utcnow
        fake_time = _time_module(self)
        fake_datetime_class = _datetime_class(self)
        fake_datetime_module = _datetime_module(fake_datetime_class)
        saved: list[tuple[types.ModuleType, str, Any]] = []

        def utcnow() -> _datetime.datetime:
            return self._now.replace(tzinfo=None)

        for module_name, module in list(sys.modules.items()):
            if module is None or not (module_name == "moto" or module_name.startswith("moto.")):
                continue
            namespace = vars(module)
            for attribute, replacement in (
                ("utcnow", utcnow),
                ("time", fake_time),
                ("datetime", None),
            ):
                current = namespace.get(attribute)
                if current is None:
                    continue
                if attribute == "utcnow" and current is not real_utcnow:
                    continue
                if attribute == "time" and current is not _time:
                    continue
                if attribute == "datetime":
                    if current is _datetime:
                        replacement = fake_datetime_module
                    elif current is _datetime.datetime:
                        replacement = fake_datetime_class
                    else:
                        continue
                saved.append((module, attribute, current))
                setattr(module, attribute, replacement)

        def undo() -> None:
            for module, attribute, original in reversed(saved):
                setattr(module, attribute, original)

        return undo


def _time_module(clock: LabClock) -> types.SimpleNamespace:
    """Stands in for ``time`` inside moto: ``time()`` is simulated, the rest is real."""

    class _Time(types.SimpleNamespace):
        def __getattr__(self, name: str) -> Any:
            return getattr(_time, name)

    return _Time(time=clock.timestamp, time_ns=lambda: int(clock.timestamp() * 1e9))


class _DatetimeMeta(type):
    # isinstance(x, <this class>) answers for real datetimes, so moto's type checks still work.
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, _datetime.datetime)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, _datetime.datetime)


def _datetime_class(clock: LabClock) -> type:
    """Stands in for the ``datetime`` class inside moto: ``now``/``utcnow``/``today`` simulated."""

    def now(cls: type, tz: _datetime.tzinfo | None = None) -> _datetime.datetime:
        moment = clock.now()
        return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    def utcnow(cls: type) -> _datetime.datetime:
        return clock.now().replace(tzinfo=None)

    return _DatetimeMeta(
        "datetime",
        (_datetime.datetime,),
        {
            "now": classmethod(now),
            "utcnow": classmethod(utcnow),
            "today": classmethod(utcnow),
            "__module__": "datetime",
        },
    )


def _datetime_module(fake_class: type) -> types.SimpleNamespace:
    """Stands in for the ``datetime`` module inside moto."""

    class _Module(types.SimpleNamespace):
        def __getattr__(self, name: str) -> Any:
            return getattr(_datetime, name)

    return _Module(datetime=fake_class)
