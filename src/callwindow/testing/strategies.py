"""Hypothesis strategies for property tests of code that uses callwindow.

Needs hypothesis (``pip install 'callwindow[hypothesis]'``)::

    from hypothesis import given
    from callwindow.testing import strategies as cws

    @given(cws.consumers(), cws.instants())
    def test_my_dialer_never_calls_when_refused(consumer, at): ...

- ``zones()``: IANA zone names, weighted to ones with DST changes, odd
  offsets (Lord Howe, Chatham, Kolkata) and the date line;
- ``instants(start, end)``: aware UTC datetimes to the microsecond;
- ``policies()``: valid policies (windows on any days, holidays, limits);
- ``consumers()``: consumers with an id, one to three zones, sometimes a
  region, consent and tags.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

try:
    from hypothesis import strategies as st
except ModuleNotFoundError:  # an optional extra
    raise ImportError("callwindow.testing.strategies needs hypothesis: "
                      "pip install 'callwindow[hypothesis]'") from None

from .._models import Consumer, Policy

__all__ = ["consumers", "instants", "policies", "zones"]

ZONES = (
    "Europe/Paris", "Europe/London", "Europe/Rome", "America/New_York", "America/Chicago",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
    "Pacific/Honolulu", "America/St_Johns", "America/Santiago", "Australia/Sydney",
    "Australia/Lord_Howe", "Australia/Perth", "Pacific/Chatham", "Pacific/Kiritimati",
    "Asia/Kolkata", "Asia/Kathmandu", "Africa/Casablanca", "UTC",
)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_OUTCOMES = ("no_answer", "busy", "voicemail", "conversation", "refusal", "opt_out")


def zones() -> st.SearchStrategy[str]:
    """IANA zone names, many with DST changes or unusual offsets."""
    return st.sampled_from(ZONES)


def instants(start: datetime = datetime(2020, 1, 1, tzinfo=UTC),
             end: datetime = datetime(2031, 1, 1, tzinfo=UTC)
             ) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes in ``[start, end)``, to the microsecond."""
    span = int((end - start) / timedelta(microseconds=1))
    return st.integers(0, span - 1).map(lambda us: start + timedelta(microseconds=us))


@st.composite
def _windows(draw: st.DrawFn) -> list[str]:
    cuts = sorted(draw(st.lists(st.integers(0, 96), max_size=6, unique=True)))
    return [f"{s * 15 // 60:02d}:{s * 15 % 60:02d}-{e * 15 // 60:02d}:{e * 15 % 60:02d}"
            for s, e in zip(cuts[::2], cuts[1::2], strict=False)]


@st.composite
def policies(draw: st.DrawFn, *, with_limits: bool = True) -> Policy:
    """Valid policies: windows on any days, maybe holidays, maybe limits and cooldowns."""
    data: dict[str, object] = {"id": "generated"}
    if draw(st.booleans()):
        data["hours"] = {day: draw(_windows()) for day in _DAYS}
    holidays = draw(st.sampled_from([None, "FR", "US", "IT", "AU"]))
    if holidays:
        data["holidays"] = {"country": holidays}
    if with_limits and draw(st.booleans()):
        data["limits"] = [{"max_attempts": draw(st.integers(1, 5)),
                           "period": f"P{draw(st.integers(1, 30))}D",
                           "window": draw(st.sampled_from(["rolling", "calendar_days"]))}]
    if with_limits and draw(st.booleans()):
        data["cooldowns"] = [{"after": [draw(st.sampled_from(_OUTCOMES))],
                              "period": draw(st.sampled_from([None, "P7D", "P60D"]))}]
    return Policy.model_validate(data)


@st.composite
def consumers(draw: st.DrawFn) -> Consumer:
    """Consumers with an id and one to three candidate zones."""
    return Consumer(
        id=f"c{draw(st.integers(0, 10**6))}",
        timezone=draw(st.lists(zones(), min_size=1, max_size=3, unique=True)),
        consent=draw(st.booleans()),
        tags=draw(st.dictionaries(st.sampled_from(["debt", "subject", "campaign"]),
                                  st.text("abcdef0123456789", min_size=1, max_size=6),
                                  max_size=2)),
    )
