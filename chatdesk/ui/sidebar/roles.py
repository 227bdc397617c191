"""What sidebar rows answer for each role, and the kinds of group row: for the model, the
delegate and the list the window shows before the core is open (which loads no more than Qt)."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt

_ROLE = Qt.ItemDataRole

THREAD_ID_ROLE = _ROLE.UserRole + 1  # uuid.UUID of a thread row
PROJECT_ID_ROLE = _ROLE.UserRole + 2  # uuid.UUID of a project group (or a thread's project)
GROUP_KIND_ROLE = _ROLE.UserRole + 3  # GroupKind of a group row, None on thread rows
PINNED_ROLE = _ROLE.UserRole + 4  # bool, thread rows
THREAD_ROLE = _ROLE.UserRole + 5  # the ThreadView of a thread row
TEAM_ROLE = _ROLE.UserRole + 6  # the team's name on a shared thread's row, None if personal
API_ROLE = _ROLE.UserRole + 7  # True on the row of a thread made through the local API
AGE_ROLE = _ROLE.UserRole + 8  # a thread row's short age ("46m"), shown at its end
ACTIVITY_ROLE = _ROLE.UserRole + 9  # a thread row's last activity (an aware datetime)


class GroupKind(enum.Enum):
    PINNED = "pinned"
    PROJECTS = "projects"  # the heading over the projects, with the New project button
    PROJECT = "project"
    DATE = "date"
    ARCHIVED = "archived"
    MATCHES = "matches"
