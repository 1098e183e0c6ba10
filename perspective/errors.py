"""Errors in the shape Google APIs answer them, which Perspective clients parse:
``{"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}``."""
from __future__ import annotations

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "INVALID_ARGUMENT",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class PerspectiveError(Exception):
    def __init__(self, message: str, *, code: int = 400):
        super().__init__(message)
        self.message, self.code = message, code

    def payload(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "status": STATUS_NAMES.get(self.code, "UNKNOWN")}}


def missing_key() -> PerspectiveError:
    return PerspectiveError("The request is missing a valid API key.", code=403)


def invalid_key() -> PerspectiveError:
    return PerspectiveError("API key not valid. Please pass a valid API key.")
