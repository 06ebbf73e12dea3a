"""Case services: the entry point the recognition pipeline calls for each possible match."""


def case_raise_for_match(*, match) -> None:
    """Raise or extend the case for ``match`` (a recognition.PossibleMatch). Filled in by the cases app."""
