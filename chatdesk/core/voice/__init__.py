"""Voice: speech turned into a message's text, and answers read aloud.

Nothing of it is imported until a voice feature is used: start-up and memory do not pay for it.
"""
