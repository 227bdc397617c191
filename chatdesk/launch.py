"""The `chatdesk` command's entry point.

It imports nothing at module level: the render worker is started with multiprocessing's "spawn",
which re-imports the script that launched chatdesk in the child, and the child should not pay
for the CLI, SQLAlchemy and the service it never uses.
"""


def main() -> int:
    from chatdesk.cli import main as cli_main

    return cli_main()
