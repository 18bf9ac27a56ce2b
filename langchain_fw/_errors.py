"""fw_core errors as LangChain sees them.

Every error that leaves a ``langchain_fw`` object is an instance of BOTH the fw_core class
and the matching provider-neutral class of :mod:`langchain_core.exceptions`, so code that
catches either keeps working::

    fw_core.errors                 langchain_core.exceptions         langchain_fw._errors
    AuthenticationError 401        ModelAuthenticationError          FwAuthenticationError
    PermissionDeniedError 403      ModelPermissionDeniedError        FwPermissionDeniedError
    PaymentRequiredError 402       ModelPermissionDeniedError        FwPaymentRequiredError
    PreconditionFailedError 412    ModelPermissionDeniedError        FwPreconditionFailedError
    BadRequestError 400            ModelInvalidRequestError          FwBadRequestError
    ContextLengthExceededError     ContextOverflowError (+ Invalid)  FwContextLengthExceededError
    UnsupportedParameterError      ModelInvalidRequestError          FwUnsupportedParameterError
    UnprocessableEntityError 422   ModelInvalidRequestError          FwUnprocessableEntityError
    NotFoundError 404              ModelNotFoundError                FwNotFoundError
    ModelNotFoundError 404         ModelNotFoundError                FwModelNotFoundError
    RateLimitError 429             ModelRateLimitError               FwRateLimitError
    InternalServerError 5xx        ModelAPIError                     FwInternalServerError
    APIStatusError (other status)  ModelError                        FwAPIStatusError
    APIConnectionError             ModelConnectionError              FwAPIConnectionError
    APITimeoutError                ModelTimeoutError                 FwAPITimeoutError
    QueueTimeoutError              ModelTimeoutError                 FwQueueTimeoutError
    StreamError                    ModelAPIError                     FwStreamError
    ResponseValidationError        ModelAPIError                     FwResponseValidationError

:class:`~fw_core.errors.ConfigurationError` is left as it is: it is raised before any
request and is already a ``ValueError``, which is what LangChain's validators expect.

Example:
    >>> from fw_core.errors import RateLimitError
    >>> from langchain_core.exceptions import ModelRateLimitError
    >>> try:
    ...     with translate_errors():
    ...         raise RateLimitError("slow down", status_code=429, request_id="r1")
    ... except ModelRateLimitError as exc:
    ...     print(isinstance(exc, RateLimitError), exc.status_code, exc.request_id)
    True 429 r1
"""

from __future__ import annotations

from types import TracebackType
from typing import Literal

from langchain_core import exceptions as lce

from fw_core import errors as fe

__all__ = [
    "FwAPIConnectionError",
    "FwAPIStatusError",
    "FwAPITimeoutError",
    "FwAuthenticationError",
    "FwBadRequestError",
    "FwContextLengthExceededError",
    "FwInternalServerError",
    "FwModelNotFoundError",
    "FwNotFoundError",
    "FwPaymentRequiredError",
    "FwPermissionDeniedError",
    "FwPreconditionFailedError",
    "FwQueueTimeoutError",
    "FwRateLimitError",
    "FwResponseValidationError",
    "FwStreamError",
    "FwUnprocessableEntityError",
    "FwUnsupportedParameterError",
    "map_error",
    "translate_errors",
]


class FwAuthenticationError(fe.AuthenticationError, lce.ModelAuthenticationError):
    """401: the key is missing, wrong or revoked."""


class FwPermissionDeniedError(fe.PermissionDeniedError, lce.ModelPermissionDeniedError):
    """403: the key may not use this resource."""


class FwPaymentRequiredError(fe.PaymentRequiredError, lce.ModelPermissionDeniedError):
    """402: no paid plan, or the usage limit is exhausted."""


class FwPreconditionFailedError(fe.PreconditionFailedError, lce.ModelPermissionDeniedError):
    """412: account suspended, or a LoRA failed to load."""


class FwBadRequestError(fe.BadRequestError, lce.ModelInvalidRequestError):
    """400: the request was malformed or used invalid parameters."""


class FwContextLengthExceededError(
    fe.ContextLengthExceededError, lce.ContextOverflowError, lce.ModelInvalidRequestError
):
    """400: the prompt (plus max_tokens) does not fit the model's context window."""


class FwUnsupportedParameterError(fe.UnsupportedParameterError, lce.ModelInvalidRequestError):
    """400: the API rejected a field or value."""


class FwUnprocessableEntityError(fe.UnprocessableEntityError, lce.ModelInvalidRequestError):
    """422: the body failed the API's validation."""


class FwNotFoundError(fe.NotFoundError, lce.ModelNotFoundError):
    """404: unknown path or model, or the model is not deployed."""


class FwModelNotFoundError(fe.ModelNotFoundError, lce.ModelNotFoundError):
    """404 about the model: its message names the model and how to list the served ones."""


class FwRateLimitError(fe.RateLimitError, lce.ModelRateLimitError):
    """429: rate limited, or deployment capacity exceeded."""


class FwInternalServerError(fe.InternalServerError, lce.ModelAPIError):
    """5xx: the API failed or is overloaded."""


class FwAPIStatusError(fe.APIStatusError, lce.ModelError):
    """Any other error status."""


class FwAPIConnectionError(fe.APIConnectionError, lce.ModelConnectionError):
    """No usable response arrived."""


class FwAPITimeoutError(fe.APITimeoutError, lce.ModelTimeoutError):
    """The request timed out."""


class FwQueueTimeoutError(fe.QueueTimeoutError, lce.ModelTimeoutError):
    """The call waited for a connection in vain and was never sent."""


class FwStreamError(fe.StreamError, lce.ModelAPIError):
    """A stream broke, ended early or carried an error frame."""


class FwResponseValidationError(fe.ResponseValidationError, lce.ModelAPIError):
    """A successful status with a body that does not have the needed shape."""


# Most specific first is not needed: lookup is by exact type, walking the fw_core MRO.
_MAP: dict[type[fe.APIError], type[fe.APIError]] = {
    fe.AuthenticationError: FwAuthenticationError,
    fe.PermissionDeniedError: FwPermissionDeniedError,
    fe.PaymentRequiredError: FwPaymentRequiredError,
    fe.PreconditionFailedError: FwPreconditionFailedError,
    fe.BadRequestError: FwBadRequestError,
    fe.ContextLengthExceededError: FwContextLengthExceededError,
    fe.UnsupportedParameterError: FwUnsupportedParameterError,
    fe.UnprocessableEntityError: FwUnprocessableEntityError,
    fe.NotFoundError: FwNotFoundError,
    fe.ModelNotFoundError: FwModelNotFoundError,
    fe.RateLimitError: FwRateLimitError,
    fe.InternalServerError: FwInternalServerError,
    fe.APIStatusError: FwAPIStatusError,
    fe.APIConnectionError: FwAPIConnectionError,
    fe.APITimeoutError: FwAPITimeoutError,
    fe.QueueTimeoutError: FwQueueTimeoutError,
    fe.StreamError: FwStreamError,
    fe.ResponseValidationError: FwResponseValidationError,
}


#: Twins made by :func:`_target` for subclasses the table lacks: built without calling the
#: subclass's own ``__init__`` (its signature is its own), every attribute copied below.
_MADE: set[type[fe.APIError]] = set()


def _target(cls: type[fe.APIError]) -> type[fe.APIError] | None:
    """The twin class of ``cls``: from the table, or made for a subclass the table lacks.

    A subclass fw_core defines elsewhere (``fw_core.endpoints.batch.DatasetNotReadyError``
    under ``APITimeoutError``) gets a twin of its own, so ``except DatasetNotReadyError``
    still catches it after translation, and so does the LangChain class of its parent.
    """
    target = _MAP.get(cls)
    if target is not None:
        return target
    for klass in cls.__mro__[1:]:
        parent = _MAP.get(klass)
        if parent is not None:
            lc_base = next(b for b in parent.__mro__ if issubclass(b, lce.LangChainException))
            target = type(f"Fw{cls.__name__}", (cls, lc_base), {"__module__": __name__})
            _MAP[cls] = target
            _MADE.add(target)
            return target
    return None


def map_error(exc: BaseException) -> BaseException:
    """The LangChain-facing twin of an fw_core error; anything else is returned as is.

    The twin carries the same message, status code, request id, code, param and body, and
    any other attribute or note fw_core put on the error.
    An error that already is a LangChain exception is returned unchanged.

    Example:
        >>> from fw_core.errors import NotFoundError
        >>> from langchain_core.exceptions import ModelNotFoundError
        >>> err = map_error(NotFoundError("no such model", status_code=404))
        >>> isinstance(err, NotFoundError), isinstance(err, ModelNotFoundError)
        (True, True)
    """
    if not isinstance(exc, fe.APIError) or isinstance(exc, lce.LangChainException):
        return exc
    target = _target(type(exc))
    if target is None:
        return exc
    if target in _MADE:
        mapped = target.__new__(target, *exc.args)
    else:
        mapped = target(
            exc.message,
            status_code=exc.status_code,
            request_id=exc.request_id,
            code=exc.code,
            param=exc.param,
            body=exc.body,
        )
    # Anything fw_core set beyond the constructor fields (a failed batch's ``batch`` index,
    # notes naming it) stays on the twin.
    for name, value in vars(exc).items():
        if name != "__notes__":  # notes are copied below, into the twin's own list
            mapped.__dict__.setdefault(name, value)
    for note in getattr(exc, "__notes__", ()):
        mapped.add_note(note)
    mapped.__cause__ = exc.__cause__
    mapped.__traceback__ = exc.__traceback__
    return mapped


class translate_errors:  # used like a function: ``with translate_errors():``
    """Context manager that re-raises fw_core errors as their LangChain twins.

    Works around sync code and inside ``async def`` alike (it never awaits)::

        with translate_errors():
            response = chat.create(client, body)

        with translate_errors():
            async for chunk in stream: ...
    """

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        if exc is None or not isinstance(exc, fe.APIError):
            return False
        mapped = map_error(exc)
        if mapped is exc:
            return False
        raise mapped.with_traceback(tb) from exc
