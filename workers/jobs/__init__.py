"""Job functions, run only by the worker: each is queued by its kind in workers/enqueue.py."""
