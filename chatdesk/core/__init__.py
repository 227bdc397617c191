"""Everything chatdesk does that is not drawing pixels. Never imports Qt."""
