from django.dispatch import Signal

# Sent inside the merge transaction with ``unit`` (merged away), ``successor`` and ``date``, so apps above
# this one (the catalogue's fonds) follow the merger without this app knowing about them.
unit_merged = Signal()
