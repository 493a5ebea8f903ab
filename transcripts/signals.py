"""What the transcripts app tells the apps built on it."""

from django.dispatch import Signal

# Sent by the job once a transcript is saved as done, with `transcript` (the row, reloaded):
# the apps that index or check the words (search, trackers) do it then, in the same worker.
transcript_done = Signal()
