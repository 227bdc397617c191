"""The speed guard's arithmetic (benchmarks/guard.py): the noise a run measures in its bare
baseline, and the decision it makes with it. Pure functions on given figures: nothing is timed."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.guard import Checked, decide, percentile, spread, suspect


def _samples(scatter: float, count: int = 200, seed: int = 7) -> list[float]:
    """`count` figures around 1.0 ms, each off by up to ±`scatter` of it."""
    draw = random.Random(seed)
    return [1.0 + draw.uniform(-scatter, scatter) for _ in range(count)]


def _checked(value: float, noise: float, limit: float = 5.0) -> Checked:
    return Checked("page", "newest 50 of 100,000, p50", value, limit, noise=noise)


@pytest.mark.parametrize("q", [50.0, 95.0])
def test_more_scattered_bare_samples_measure_more_noise(q: float) -> None:
    quiet, busy, loaded = (spread(_samples(scatter), q) for scatter in (0.02, 0.2, 0.6))
    assert 0 < quiet < busy < loaded


def test_identical_or_single_samples_have_no_noise() -> None:
    assert spread([0.5] * 200, 50) == 0.0
    assert spread([0.5] * 200, 95) == 0.0
    assert spread([42.0], 50) == 0.0
    assert spread([], 50) == 0.0


def test_the_noise_is_the_same_for_the_same_samples() -> None:
    samples = _samples(0.3, seed=11)
    assert spread(samples, 50) == spread(list(samples), 50)
    assert spread(samples, 95) == spread(samples, 95)


@pytest.mark.parametrize("count", [3, 5, 200])
def test_more_scattered_runs_measure_more_noise_however_few(count: int) -> None:
    quiet, busy = (spread(_samples(scatter, count, seed=3), 50) for scatter in (0.02, 0.3))
    assert 0 < quiet < busy


def test_one_slow_bare_run_among_a_few_does_not_widen_the_noise() -> None:
    # start-up's bare window, three runs, one slowed by other work on the machine: the median
    # it is compared with did not move, and neither may the allowance
    steady, one_slow = [180.0, 184.5, 189.0], [180.0, 184.5, 400.0]
    assert spread(one_slow, 50) == pytest.approx(spread(steady, 50))
    assert spread(one_slow, 50) < 0.06


def test_the_noise_is_a_share_of_the_percentile() -> None:
    # the same scatter in other units (seconds instead of milliseconds) is the same noise
    samples = _samples(0.2)
    assert spread([s * 1000 for s in samples], 50) == pytest.approx(spread(samples, 50))


def test_percentile_is_nearest_rank() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([float(n) for n in range(1, 101)], 95) == 95.0
    assert percentile([1.0, 9.0], 100) == 9.0


def test_a_miss_within_the_noise_is_not_a_suspect() -> None:
    assert not suspect(_checked(5.3, noise=0.08))  # allowed up to 5.4×
    assert suspect(_checked(5.5, noise=0.08))


def test_on_a_quiet_machine_a_miss_of_the_budget_is_a_suspect_and_fails() -> None:
    quiet = [_checked(5.2, noise=0.0), _checked(5.15, noise=0.01), _checked(5.3, noise=0.0)]
    assert suspect(quiet[0])
    decision = decide(quiet)
    assert decision.failed
    assert decision.value == 5.2
    assert decision.allowed == 5.0


def test_a_budget_met_is_never_a_suspect_however_quiet() -> None:
    assert not suspect(_checked(4.9, noise=0.0))
    assert not decide([_checked(4.9, noise=0.0)]).failed


def test_the_median_of_the_runs_decides_against_their_median_noise() -> None:
    # one run on a busy moment misses far; the reruns meet the budget: the median passes
    runs = [_checked(7.0, noise=0.02), _checked(4.8, noise=0.03), _checked(4.9, noise=0.02)]
    assert suspect(runs[0])
    decision = decide(runs)
    assert decision.value == 4.9
    assert decision.noise == 0.02
    assert not decision.failed


def test_creep_beyond_the_noise_fails_after_the_reruns() -> None:
    # three runs that all miss by more than their noise: the median fails
    runs = [_checked(5.8, noise=0.05), _checked(5.6, noise=0.1), _checked(5.7, noise=0.04)]
    decision = decide(runs)
    assert decision.value == 5.7
    assert decision.allowed == pytest.approx(5.25)
    assert decision.failed


def test_a_busy_run_s_median_within_its_measured_noise_passes() -> None:
    # a loaded machine: the bare runs scatter by ~20 %, and a miss inside that is not failed
    runs = [_checked(5.9, noise=0.2), _checked(5.5, noise=0.25), _checked(5.8, noise=0.18)]
    decision = decide(runs)
    assert decision.value == 5.8
    assert decision.allowed == pytest.approx(6.0)
    assert not decision.failed


def test_an_allowance_over_bare_widens_by_its_noise_in_its_own_units() -> None:
    # memory: bare + 75 MB, the bare window's private memory spread by 6 MB (0.08 of 75 MB)
    private = Checked("memory", "opened again, private", 79.0, 75.0, " MB", noise=6.0 / 75.0)
    assert private.allowed == pytest.approx(81.0)
    assert not suspect(private)
    assert not decide([private, private, private]).failed


# -- the guard's runs: `python -m benchmarks --check`, on a benchmark that reports given figures --


@pytest.fixture
def fake_benchmark(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[int]]:
    """`fake_benchmark(values, bare)`: a benchmark `fake` whose run `n` reports the n-th of
    `values` (ms) against the median of the bare samples `bare`, with their noise, budget 1.6×;
    returns the list of the runs made, which the guard's reruns add to."""
    from benchmarks import __main__ as runner
    from benchmarks import common

    for name, fresh in (("checked", []), ("unmeasured", []), ("verdicts", Counter())):
        monkeypatch.setattr(common, name, fresh)

    def make(values: list[float], bare: list[float]) -> list[int]:
        runs: list[int] = []

        def run(workdir: Path, quick: bool) -> None:
            value = values[len(runs)]
            runs.append(len(runs) + 1)
            budget = common.ratio_target(1.6, "bare window")
            noise = spread(bare, 50)
            median = statistics.median(bare)
            common.report("start → interactive", value, median, "ms", budget, noise=noise)

        monkeypatch.setattr(runner, "BENCHMARKS", {"fake": run})
        return runs

    return make


def _check() -> int:
    from benchmarks import __main__ as runner

    return runner.main(["--check", "--only", "fake"])


@pytest.mark.parametrize(
    ("values", "bare", "exit_code", "runs"),
    [
        # a quiet machine: the bare window's runs agree to the millisecond, so a 1.7× start
        # fails a 1.6× budget after its two reruns
        ([340.0, 342.0, 338.0], [200.0, 200.0, 200.0], 1, 3),
        # a busy one: one slow run is run again, and the reruns meet the budget
        ([500.0, 300.0, 310.0], [195.0, 200.0, 205.0], 0, 3),
        # the bare runs scatter by ±30 ms around 200 (±26 %: up to 2.02× is allowed), and 1.65×
        # is within that noise: not run again
        ([330.0], [170.0, 200.0, 230.0], 0, 1),
        # the same scatter, and start-up crept to 2.2× in every run: it fails
        ([440.0, 450.0, 435.0], [170.0, 200.0, 230.0], 1, 3),
    ],
    ids=["quiet-miss-fails", "one-slow-run-passes", "within-noise-not-rerun", "creep-fails"],
)
def test_the_check_reruns_a_miss_beyond_the_noise_and_fails_what_still_misses(
    fake_benchmark: Callable[..., list[int]],
    values: list[float],
    bare: list[float],
    exit_code: int,
    runs: int,
) -> None:
    made = fake_benchmark(values, bare)
    assert _check() == exit_code
    assert made == list(range(1, runs + 1))
