"""The OpenAPI description, completed where FastAPI's own stops.

FastAPI describes each route from its signature; :func:`complete_openapi` adds what is a
property of the whole API: operation ids unique per method, the error statuses every
operation can answer (RFC 9457 problem details, :mod:`api.problems`) and ``304`` for
``GET`` (:mod:`api.middleware`), and a description and an example for every parameter
the routes share by name (:data:`PARAMETERS`), so each operation shows a request that works.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.problems import ERROR_REASONS, PROBLEM_JSON, PROTOCOL_ERRORS, READ_ERRORS, Problem

#: Parameters by name: a description (used where the route gives none) and an example.
PARAMETERS: dict[str, tuple[str, Any]] = {
    "entity": ("an entity: id, label, alias or acronym (any case)", "Global Initiative on Data Security"),
    "topic": ("a topic: id or label", "outer-space"),
    "actor": ("an actor (state, organisation, person): id, label, alias or acronym", "China"),
    "holder": ("who holds the stance: id, label, alias or acronym", "China"),
    "forum": ("a forum: id, label, alias or acronym", "UN Security Council"),
    "subject": ("what an event is about: id, label, alias or acronym", "Global Initiative on Data Security"),
    "target": ("an entity a stance is about", "PPWT"),
    "genre": ("a genre of the extraction contract", "speech"),
    "type": ("a type (of entity, or of event for /events)", "Initiative"),
    "types": ("node types to keep", "State"),
    "polarity": ("support or oppose", "oppose"),
    "q": ("text to look for", "data security"),
    "kind": ("what to search: documents or evidence quotes", "document"),
    "sort": ("row order", "date"),
    "format": ("the answer's format (else Accept decides)", "json"),
    "document": ("a document id", "cd-2020"),
    "doc_id": ("a document id (policykg ingest prints it)", "cd-2020"),
    "ref": ("a document id or IRI", "cd-2020"),
    "key": ("an entity key (the last segment of its IRI)", "china"),
    "name": ("a topic name (the last segment of its IRI)", "outer-space"),
    "path": ("the graph IRI's path below /rdf-graphs/", "doc/cd-2020"),
    "graph": ("the IRI of a named graph of the store", "https://w3id.org/policykg/graph/links"),
    "default": ("the default graph (the union of the named graphs on reads)", True),
    "from": ("a first date: YYYY, YYYY-MM or YYYY-MM-DD", "2020"),
    "to": ("a last date: YYYY, YYYY-MM or YYYY-MM-DD", "2025"),
    "a": ("one entity", "Global Initiative on Data Security"),
    "b": ("the other entity", "China"),
    "depth": ("1: the entity's neighbours; 2: theirs too", 1),
    "max_nodes": ("the most nodes drawn", 60),
    "max_paths": ("the most paths returned", 3),
    "max_hops": ("the longest path, in hops", 4),
    "limit": ("page size", 50),
    "offset": ("items to skip", 0),
    "default_graph": ("RDF formats: every triple in the default graph", False),
    "download": ("send as an attachment", False),
}


def _complete_parameters(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        known = PARAMETERS.get(parameter.get("name", ""))
        if known is None:
            continue
        description, example = known
        schema = parameter.get("schema", {})
        if not parameter.get("description") and not schema.get("description"):
            parameter["description"] = description
        if "example" not in parameter and "examples" not in parameter and "examples" not in schema:
            parameter["example"] = example


def complete_openapi(app: FastAPI) -> None:
    """Complete ``app``'s OpenAPI description when it is first asked for (see the module)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = generate()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
        problem_content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        seen_ids: set[str] = set()
        for path, operations in spec.get("paths", {}).items():
            for method, operation in operations.items():
                # One function serving several methods gets one id per method (ids are unique).
                if operation.get("operationId") in seen_ids:
                    operation["operationId"] = f"{operation['operationId']}_{method}"
                seen_ids.add(operation.get("operationId", ""))
                statuses = set(READ_ERRORS)
                if method != "get" or path.startswith(("/sparql", "/rdf-graphs")):
                    statuses |= set(PROTOCOL_ERRORS)
                responses = operation.setdefault("responses", {})
                for status in sorted(statuses):
                    responses.setdefault(
                        str(status), {"description": ERROR_REASONS[status], "content": problem_content}
                    )
                if method in ("get", "head"):
                    responses.setdefault("304", {"description": "not modified since the ETag sent"})
                _complete_parameters(operation)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
