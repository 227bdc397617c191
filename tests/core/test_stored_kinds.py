"""The words chatdesk stores, syncs and prints for its states and error kinds stay the same:
databases, teammates' chatdeskes and scripts reading the CLI's output hold them."""

from __future__ import annotations

from chatdesk.core.views import SyncState


def test_team_sync_states_keep_the_words_the_cli_prints() -> None:
    assert [state.value for state in SyncState] == [
        "off", "up to date", "syncing", "offline", "error",
    ]  # fmt: skip
