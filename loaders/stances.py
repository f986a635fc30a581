"""TEMPORARY (helper 'extraction-stances' replaces this file)."""


def extract_stances(doc, meta, entities):  # type: ignore[no-untyped-def]
    return ()
