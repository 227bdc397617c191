# ruff: noqa
import time, sys

t0 = time.perf_counter()
import PySide6.QtWidgets

t1 = time.perf_counter()
import PySide6.QtWebEngineCore

t2 = time.perf_counter()
import PySide6.QtWebEngineWidgets

t3 = time.perf_counter()
import psutil, os

p = psutil.Process()
print(
    f"QtWidgets {1000 * (t1 - t0):.0f} ms; +QtWebEngineCore {1000 * (t2 - t1):.0f} ms; +QtWebEngineWidgets {1000 * (t3 - t2):.0f} ms; rss {p.memory_info().rss / 2**20:.0f} MiB uss {p.memory_full_info().uss / 2**20:.0f} MiB"
)
