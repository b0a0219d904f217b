"""Data: the OWL ontology (``cakg.ttl``) and the SHACL shapes (``shapes.ttl``), in Turtle.

Read them with ``importlib.resources`` (see ``cakg.graph.model.ontology_text``).
"""
