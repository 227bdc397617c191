"""More of the test MCP server (`tests/core/mcp_server.py`), one module per part of the protocol
it shows: each module's `register(server)` adds its tools, prompts or resources. The server
registers every module found here."""
