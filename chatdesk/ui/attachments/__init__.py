"""Attachments in the window: thumbnails decoded off the GUI thread (`thumbnails.py`), the image
viewer (`viewer.py`), and what a click on an attachment offers (`actions.py`)."""
