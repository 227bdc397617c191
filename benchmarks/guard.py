"""The speed guard's arithmetic (`python -m benchmarks --check`), kept free of timing and I/O.

A budget against a bare baseline is read with the noise of that baseline measured in the same
run: how far the bare figure the line compares with could have moved by chance, given the
spread of the bare runs it was taken from. A budget missed by more than that noise is a suspect;
its benchmark is run again, and the median of the runs' values, against the budget widened by
the median of the runs' noise, decides. On a quiet machine the bare runs agree, the noise is
small, and a miss of the budget fails; on a busy one they scatter and the allowance grows with
them, measured rather than guessed.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

RESAMPLES = 1000  # bootstrap resamples per line: ~0.1 s for 200 samples
CENTRAL = 0.90  # the share of the resampled percentiles the noise spans
Z_CENTRAL = 1.645  # the same central 90 % of a normal spread, in standard deviations
SEED = 51  # fixed, so a run's noise is the same for the same samples
FEW = 10  # fewer samples than this: the median's standard error instead of a bootstrap


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def spread(samples: Sequence[float], q: float) -> float:
    """How far the q-th percentile of `samples` moves by chance, as a share of it.

    From FEW samples on: half the width of the central 90 % of that percentile over seeded
    bootstrap resamples of the samples (each as many draws, with replacement). Below that (a
    median of three or five bare windows) the bootstrap is half the samples' range, which one
    slow run widens at will; there the standard error of a median is used instead, its scale the
    median absolute deviation, which one slow run does not move. One sample, identical samples
    or a percentile of 0: 0. The seed is fixed, so the same samples give the same figure."""
    observed = percentile(samples, q) if samples else 0.0
    if len(samples) < 2 or observed <= 0:
        return 0.0
    if len(samples) < FEW:
        return _median_error(samples) / observed
    draw = random.Random(SEED)
    count = len(samples)
    estimates = [percentile(draw.choices(samples, k=count), q) for _ in range(RESAMPLES)]
    tail = (1 - CENTRAL) / 2 * 100
    low, high = percentile(estimates, tail), percentile(estimates, 100 - tail)
    return (high - low) / 2 / observed


def _median_error(samples: Sequence[float]) -> float:
    """Half the central 90 % of a median's error, for a few samples: z × 1.2533 σ / √n, σ
    estimated as 1.4826 × the median absolute deviation (both constants: a normal spread)."""
    middle = statistics.median(samples)
    deviation = statistics.median(abs(sample - middle) for sample in samples)
    return Z_CENTRAL * 1.2533 * 1.4826 * deviation / math.sqrt(len(samples))


@dataclass(frozen=True)
class Checked:
    """A guarded budget's outcome: the cost ratio to the bare baseline and its limit, or the
    excess over the bare baseline and its allowance, in `unit`; and the bare baseline's noise
    in this run as a share of `limit` (memory's MB of spread ÷ its allowance)."""

    benchmark: str
    name: str
    value: float
    limit: float
    unit: str = "×"
    noise: float = 0.0

    @property
    def allowed(self) -> float:
        return allowed(self.limit, self.noise)


def allowed(limit: float, noise: float) -> float:
    """The most a value may reach before the guard counts it: the budget widened by the noise."""
    return limit * (1 + noise)


def suspect(checked: Checked) -> bool:
    """Missed by more than its run's noise: the guard runs its benchmark again."""
    return checked.value > checked.allowed


@dataclass(frozen=True)
class Decision:
    """The guard's verdict on one budget over its runs: the median value against the budget
    widened by the median noise."""

    value: float
    noise: float
    limit: float

    @property
    def allowed(self) -> float:
        return allowed(self.limit, self.noise)

    @property
    def failed(self) -> bool:
        return self.value > self.allowed


def decide(runs: Sequence[Checked]) -> Decision:
    """The decision over one budget's runs (its first run and the reruns)."""
    value = statistics.median(run.value for run in runs)
    noise = statistics.median(run.noise for run in runs)
    return Decision(value, noise, runs[0].limit)


def describe_noise(noise: float, limit: float, unit: str) -> str:
    """The noise as the line's reader compares it: a share of a ratio, or MB over an allowance."""
    if unit == "×":
        return f"noise ±{noise * 100:.1f} %"
    return f"noise ±{noise * limit:.1f}{unit}"
