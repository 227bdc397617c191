"""The web engine that draws artifacts — Mermaid diagrams, HTML pages, React components —
in a child process of its own that can reach nothing (decision 0102).

What is here needs no web engine to be imported: the sandbox's rules (policy.py) and the
network namespace the engine's child enters on Linux before Qt starts (isolation.py). The
engine itself (QtWebEngine, the `artifacts` extra) is imported only inside that child.
"""
