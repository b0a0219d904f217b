"""Data: the competency questions, one SPARQL query per ``.rq`` file with a ``#+`` header.

List and read them with ``cakg.graph.catalog``.
"""
