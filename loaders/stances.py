"""TEMPORARY (being rewritten)."""


def extract_stances(doc, meta, entities):  # type: ignore[no-untyped-def]
    return ()
