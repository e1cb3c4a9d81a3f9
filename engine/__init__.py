"""Alur Kinerja's domain: BPMN definitions, instances, human tasks and the audit log.

Plain Python: nothing here imports Flask, Werkzeug or the webapp, so the CLI, the timer
worker, the benchmarks and the tests drive the same services the web layer does.
"""
