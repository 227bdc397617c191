"""Threads, messages and the service that streams answers into them."""
