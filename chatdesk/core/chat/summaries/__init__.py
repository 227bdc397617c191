"""Background summaries: when a thread's history fills most of its context budget, its older
messages are summarised (rolling: the summary so far plus the next messages) and the context
builder sends the summary in their place. Summaries are stored, shown, editable and deletable;
deleting one sends the original messages again.
"""
