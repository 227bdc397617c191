"""The team server side of sync: its schema (an Alembic history of its own) and administration.

Only `chatdesk server …` and the sync engine load this; psycopg is imported inside the
functions that need it, so nothing here costs the window's start-up.
"""
