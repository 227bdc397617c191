"""Tools the model may call: what each one is (`model.py`), where it comes from (a `ToolSource`:
chatdesk's own, later each MCP server), which of them a request offers and how a call is run
within its time and size bounds (`toolbox.py`), and who decides that a call may run
(`approval.py`). The answer runner (`chatdesk/core/chat/tool_rounds.py`) drives them."""
