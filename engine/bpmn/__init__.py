"""BPMN: the only package that imports SpiffWorkflow.

Keeping the library behind this one door lets the rest of the engine speak in our own
terms (diagrams, activities, errors with stable codes) and lets a layering test prove
that no other module reaches past it to SpiffWorkflow's script engine or XML parser.
"""
