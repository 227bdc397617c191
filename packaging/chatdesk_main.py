"""The desktop build's entry point (PyInstaller runs this file as `__main__`).

A frozen app has no Python to start its "spawn" children with (the token counter and the
renderer, `chatdesk/core/tokens/process.py`, `chatdesk/core/render/worker.py`): multiprocessing
starts the app's own executable with `--multiprocessing-fork …` instead, and
`freeze_support()` turns that process into the child before anything else runs. Without it the
child would parse those arguments as a chatdesk command and exit, and counts would be estimates.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from chatdesk.launch import main

    sys.exit(main())
