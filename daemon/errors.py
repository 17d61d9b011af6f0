"""The one exception a request handler raises to answer with a protocol error."""

from __future__ import annotations

from mimic_core.protocol import Error, ErrorCode


class RequestFailed(Exception):
    """The request was understood but cannot be carried out (``busy``, ``activation_failed``...)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message

    def to_error(self, request_id: int) -> Error:
        return Error(id=request_id, code=self.code, message=self.message)
