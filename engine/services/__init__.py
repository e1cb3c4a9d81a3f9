"""Use cases, verb_noun functions per subject.

Each takes `session`, the acting user (`actor`) and `now` explicitly, flushes but never
commits, and raises engine.errors on bad input, so the web layer, the CLI, the timer
worker and the tests all drive the same code.
"""
