"""A typed Python client for the gamify API (``GamifyClient``), generated from docs/openapi.json
(``api.py``) over a hand-written standard-library transport (``transport.py``)."""

from __future__ import annotations

from gamify_client.api import Operations
from gamify_client.transport import ApiError, Token, Transport

__all__ = ["ApiError", "GamifyClient", "Token", "Transport"]


class GamifyClient(Operations):
    """``GamifyClient("https://<api>/", token="Bearer <ID token>").get_my_profile()``; locally
    ``GamifyClient("http://127.0.0.1:8000", token="Bearer dev:alice")``."""

    def __init__(
        self, base_url: str, token: Token = None, *, timeout: float = 10.0, retries: int = 2
    ) -> None:
        super().__init__(Transport(base_url, token, timeout=timeout, retries=retries))
