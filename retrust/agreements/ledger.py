"""The follow-through ledger: how reliably a commitment is kept, estimated honestly. No Django.

Each recorded occurrence of a commitment is one Bernoulli trial: kept (1) or missed (0). The
estimate of "how often this is kept" is the posterior of a Beta–Binomial model with a uniform
prior, Beta(1, 1), in which every observation carries a weight:

    weight = source weight × 0.5 ** (age in days / half-life in days)

    alpha = 1 + Σ weight × kept          beta = 1 + Σ weight × (1 − kept)

**Source weights** (a design choice of retrust, not a measured statistic):

- ``CONFIRMED_WEIGHT = 1.0`` — the other partner confirmed the occurrence. Trust is rebuilt
  through behaviour the other person can see, so a confirmed occurrence counts as one full
  observation.
- ``SELF_REPORTED_WEIGHT = 0.5`` — recorded by the person who made the commitment and not (yet)
  confirmed. It is still real information and must count — the other partner may simply not
  have looked yet, and in an individual-track case nobody can confirm — but one person's word
  alone should move the estimate less than what both partners agree happened. One half is a
  round, explainable number; a practice that prefers another can pass its own.
- disputed occurrences are **left out** of the estimate and counted separately
  (``Estimate.disputed``): a disagreement is for the couple and the clinician to talk
  through, not for arithmetic to settle.

**Recency**: an occurrence ``half_life_days`` old counts half as much as one from today, so the
estimate follows recent behaviour — trust is rebuilt by what is happening now. The default,
``DEFAULT_HALF_LIFE_DAYS = 60``, is roughly the span between review conversations in a course
of couples work: long enough that one hard week does not erase a good month, short enough that
last spring does not outweigh this month. Again a design choice, not a statistic. Occurrences
dated after ``as_of`` are ignored.

Days on which nothing was recorded are *not* counted as missed: silence is not evidence.

**The estimate** is the posterior mean and the central 80% credible interval (the 10th and
90th percentiles of the Beta posterior, from ``scipy.special.betaincinv``). Below
``MINIMUM_OCCURRENCES`` counted occurrences the estimate says "not enough data yet" instead of
a number: with a uniform prior and fewer than five observations the interval still spans most
of [0, 1], and a number would suggest a precision it does not have.

All dates are ``datetime.date``; ages are in whole days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
from scipy.special import betaincinv  # type: ignore[import-untyped]

CONFIRMED_WEIGHT = 1.0
SELF_REPORTED_WEIGHT = 0.5
DEFAULT_HALF_LIFE_DAYS = 60.0
MINIMUM_OCCURRENCES = 5
INTERVAL = 0.80
NOT_ENOUGH_DATA = "Not enough data yet"

_LOWER = (1.0 - INTERVAL) / 2.0
_UPPER = 1.0 - _LOWER


class Source(StrEnum):
    """Who stands behind a recorded occurrence."""

    CONFIRMED = "confirmed"  # the committer recorded it and the other partner confirmed it
    SELF_REPORTED = "self_reported"  # only the committer's own record
    DISPUTED = "disputed"  # the other partner sees it differently


@dataclass(frozen=True, slots=True)
class Observation:
    """One recorded occurrence: the day it was due, whether it was kept, who stands behind it."""

    on: date
    kept: bool
    source: Source = Source.SELF_REPORTED


@dataclass(frozen=True, slots=True)
class Estimate:
    """Follow-through as of one day.

    ``mean``, ``low`` and ``high`` are proportions in [0, 1] (posterior mean and the 80%
    credible interval), or ``None`` when there is not enough data yet. ``counted`` is the
    number of occurrences behind the estimate (confirmed + self-reported, up to ``as_of``),
    ``disputed`` those left out, ``weight`` the effective number of observations after the
    source and recency weights.
    """

    as_of: date
    mean: float | None
    low: float | None
    high: float | None
    counted: int
    confirmed: int
    disputed: int
    weight: float
    alpha: float
    beta: float

    @property
    def enough(self) -> bool:
        return self.mean is not None

    def plain(self) -> str:
        """The estimate for partner pages, e.g. "about 82% (likely between 74% and 89%)"."""
        if self.mean is None or self.low is None or self.high is None:
            return NOT_ENOUGH_DATA.lower()
        return (
            f"about {round(self.mean * 100)}% "
            f"(likely between {round(self.low * 100)}% and {round(self.high * 100)}%)"
        )

    def describe(self) -> str:
        """A plain sentence for people, e.g. "About 82% kept (likely 74–89%)"."""
        if self.mean is None or self.low is None or self.high is None:
            return NOT_ENOUGH_DATA
        return (
            f"About {round(self.mean * 100)}% kept "
            f"(likely {round(self.low * 100)}–{round(self.high * 100)}%)"
        )


def _arrays(
    observations: Iterable[Observation], self_reported_weight: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ordinals: list[int] = []
    kept: list[float] = []
    source_weight: list[float] = []
    is_confirmed: list[bool] = []
    disputed_days: list[int] = []
    for obs in observations:
        if obs.source is Source.DISPUTED:
            disputed_days.append(obs.on.toordinal())
            continue
        ordinals.append(obs.on.toordinal())
        kept.append(1.0 if obs.kept else 0.0)
        confirmed = obs.source is Source.CONFIRMED
        is_confirmed.append(confirmed)
        source_weight.append(CONFIRMED_WEIGHT if confirmed else self_reported_weight)
    return (
        np.asarray(ordinals, dtype=np.int64),
        np.asarray(kept, dtype=np.float64),
        np.asarray(source_weight, dtype=np.float64),
        np.asarray(is_confirmed, dtype=bool),
        np.asarray(disputed_days, dtype=np.int64),
    )


def _check(half_life_days: float, self_reported_weight: float) -> None:
    if not half_life_days > 0:
        raise ValueError("half_life_days must be a positive number of days")
    if not 0 < self_reported_weight <= CONFIRMED_WEIGHT:
        raise ValueError("self_reported_weight must be in (0, 1]")


def series(
    observations: Iterable[Observation],
    as_of_days: Sequence[date],
    *,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    self_reported_weight: float = SELF_REPORTED_WEIGHT,
    minimum: int = MINIMUM_OCCURRENCES,
) -> list[Estimate]:
    """The estimate as it stood on each of ``as_of_days`` (for a chart over time).

    O(occurrences × log(points) + points): each occurrence is decayed to the first chart
    point on or after its day, summed per point, and the running sums are carried from one
    point to the next by the decay over the gap between them. Every exponent is ≤ 0, so
    nothing overflows however long the history or short the half-life.
    """
    _check(half_life_days, self_reported_weight)
    days, kept, source_weight, is_confirmed, disputed_days = _arrays(
        observations, self_reported_weight
    )
    n_points = len(as_of_days)
    if n_points == 0:
        return []
    raw_points = np.asarray([d.toordinal() for d in as_of_days], dtype=np.int64)
    order = np.argsort(raw_points, kind="stable")
    points = raw_points[order]
    # The chart point each occurrence first counts at; == n_points means after the last one.
    slot = np.searchsorted(points, days, side="left")
    inside = slot < n_points
    slot, days_in = slot[inside], days[inside]
    weight = source_weight[inside] * np.exp2(-(points[slot] - days_in) / half_life_days)
    seg_total = np.bincount(slot, weights=weight, minlength=n_points)
    seg_kept = np.bincount(slot, weights=weight * kept[inside], minlength=n_points)
    counted_sorted = np.cumsum(np.bincount(slot, minlength=n_points))
    confirmed_sorted = np.cumsum(
        np.bincount(slot, weights=is_confirmed[inside], minlength=n_points)
    ).astype(np.int64)
    carry = np.exp2(-np.diff(points, prepend=points[0]) / half_life_days)
    total_sorted = np.empty(n_points)
    kept_sorted = np.empty(n_points)
    running_total = running_kept = 0.0
    for i in range(n_points):
        running_total = running_total * carry[i] + seg_total[i]
        running_kept = running_kept * carry[i] + seg_kept[i]
        total_sorted[i] = running_total
        kept_sorted[i] = running_kept
    # Back to the caller's order of days.
    unsort = np.empty(n_points, dtype=np.int64)
    unsort[order] = np.arange(n_points)
    total_weight = total_sorted[unsort]
    kept_weight = kept_sorted[unsort]
    counted = counted_sorted[unsort]
    confirmed = confirmed_sorted[unsort]
    disputed = np.searchsorted(np.sort(disputed_days), raw_points, side="right")
    alpha = 1.0 + kept_weight
    beta = 1.0 + np.maximum(total_weight - kept_weight, 0.0)
    mean = alpha / (alpha + beta)
    low = betaincinv(alpha, beta, _LOWER)
    high = betaincinv(alpha, beta, _UPPER)
    result = []
    for i, day in enumerate(as_of_days):
        enough = int(counted[i]) >= minimum
        result.append(
            Estimate(
                as_of=day,
                mean=float(mean[i]) if enough else None,
                low=float(low[i]) if enough else None,
                high=float(high[i]) if enough else None,
                counted=int(counted[i]),
                confirmed=int(confirmed[i]),
                disputed=int(disputed[i]),
                weight=float(total_weight[i]),
                alpha=float(alpha[i]),
                beta=float(beta[i]),
            )
        )
    return result


def estimate(
    observations: Iterable[Observation],
    as_of: date,
    *,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    self_reported_weight: float = SELF_REPORTED_WEIGHT,
    minimum: int = MINIMUM_OCCURRENCES,
) -> Estimate:
    """Follow-through as of ``as_of`` (one commitment's occurrences, or all of one partner's)."""
    return series(
        observations,
        [as_of],
        half_life_days=half_life_days,
        self_reported_weight=self_reported_weight,
        minimum=minimum,
    )[0]


RECENT_DAYS = 7


@dataclass(frozen=True, slots=True)
class Tally:
    """The plain count: of the last ``recorded`` occurrences on record, ``kept`` were kept."""

    kept: int
    recorded: int
    # "day"; "time" for a commitment that applies now and then; "" for several commitments.
    unit: str = "day"

    def describe(self) -> str:
        """E.g. "Kept 6 of the last 6 days recorded"; "Nothing recorded yet" when empty."""
        if self.recorded == 0:
            return "Nothing recorded yet"
        if self.recorded == 1:
            return f"Kept {self.kept} of the 1 {self.unit or 'time'} recorded so far"
        units = f" {self.unit}s" if self.unit else ""
        return f"Kept {self.kept} of the last {self.recorded}{units} recorded"


def recent_tally(
    observations: Iterable[Observation], last: int = RECENT_DAYS, unit: str = "day"
) -> Tally:
    """How many of the latest ``last`` recorded occurrences were kept, counted plainly.

    Disputed occurrences are left out, as they are from the estimate: a day the two partners
    see differently is for them to talk through, not to count.
    """
    latest = sorted(
        (obs for obs in observations if obs.source is not Source.DISPUTED),
        key=lambda obs: obs.on,
        reverse=True,
    )[:last]
    return Tally(kept=sum(1 for obs in latest if obs.kept), recorded=len(latest), unit=unit)


def current_streak(observations: Iterable[Observation]) -> int:
    """How many recorded occurrences in a row, counting back from the latest, were kept.

    Disputed occurrences neither extend nor break a streak.
    """
    ordered = sorted(
        (obs for obs in observations if obs.source is not Source.DISPUTED),
        key=lambda obs: obs.on,
        reverse=True,
    )
    streak = 0
    for obs in ordered:
        if not obs.kept:
            break
        streak += 1
    return streak
