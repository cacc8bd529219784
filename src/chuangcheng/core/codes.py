"""Random codes for rows that a URL names but no clerk quotes (a saved view, a planned visit, an
inbox message): stable, unguessable, and no integer primary key in the address."""

from __future__ import annotations

import secrets

# Lower case without 0/o, 1/l/i: readable if someone ever reads one out.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 10


def random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _i in range(LENGTH))
