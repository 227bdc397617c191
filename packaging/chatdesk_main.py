"""The desktop build's entry point (PyInstaller runs this file as `__main__`).

A frozen app has no Python to start its children with (the token counter, the renderer and the
reading child, chatdesk/core/trust/children.py): it starts its own executable with
`CHILD_FLAG` first, and that process becomes the child here, before anything of the window or
the command line is imported. Without it the child would parse those arguments as a chatdesk
command and exit, and counts would be estimates.
"""

import sys

if __name__ == "__main__":
    from chatdesk.core.trust.child_entry import CHILD_FLAG

    if sys.argv[1:2] == [CHILD_FLAG]:
        from chatdesk.core.trust.child_entry import main as child_main

        child_main(sys.argv[2:])
        sys.exit(0)
    from chatdesk.launch import main

    sys.exit(main())
