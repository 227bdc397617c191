"""What content from outside may make chatdesk do — model output, tool results, attachments,
imported files and the working directory are untrusted (docs/design.md §7). One place decides:

- `links.py`: which links open (web and mail only, after the user saw where they go), with what;
- `files.py`: which paths are read (regular files only, within a size, checked on the opened
  file), for attachments and imports;
- `children.py`: how a child process starts (nothing imported from the working directory,
  bounded, killed with its parent).
- `environment.py`: what any process chatdesk starts inherits (never a key or a password).

Later features that take input from outside (tools, documents, knowledge) go through these.
"""
