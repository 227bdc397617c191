"""The "Connect a model" page: a model server found on this computer, or a hosted provider."""
