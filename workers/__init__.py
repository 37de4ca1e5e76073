"""RQ queues, job functions and the worker entry point."""
