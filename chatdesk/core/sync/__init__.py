"""Optional team sync: chosen threads shared with a team through a shared PostgreSQL
(decision 0018). Nothing here runs, or even loads, unless the user configures a server."""
