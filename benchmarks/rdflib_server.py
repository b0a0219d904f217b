"""Serve an N-Quads file with rdflib-endpoint: ``python -m benchmarks.rdflib_server FILE PORT``.

The dataset's default graph is the union of its named graphs, as in the other servers.
"""

from __future__ import annotations

import sys
import warnings

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint
from starlette.responses import PlainTextResponse


def main() -> None:
    """Load the file and serve it on loopback until killed."""
    path, port = sys.argv[1], int(sys.argv[2])
    dataset = Dataset(default_union=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset.parse(path, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/", cors_enabled=False)
    app.add_route("/health-probe", lambda _request: PlainTextResponse("ok"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
