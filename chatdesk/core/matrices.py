"""numpy for chatdesk's own products of vectors (knowledge passages, memories), loaded on first
use with its BLAS on one thread.

A product of a question's vector with a matrix of at most some hundred thousand vectors is
bound by memory, not arithmetic: more threads gain little, and on a desktop whose other core
draws the window they cost much (10,000 × 256 took 2.2–3.4 ms with OpenBLAS's threads on a
busy two-core machine, 0.4 ms on one). The limit is set only when chatdesk is the first to
load numpy, and only where the user has not set one."""

from __future__ import annotations

import os
import sys
from types import ModuleType

_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def numpy() -> ModuleType:
    if "numpy" not in sys.modules:
        for name in _THREADS:
            os.environ.setdefault(name, "1")
    import numpy as np

    return np
