"""Error bodies in every known envelope, and the status -> class table."""

from __future__ import annotations

import json

import pytest

from fw_core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ContextLengthExceededError,
    FwError,
    InternalServerError,
    ModelNotFoundError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    UnprocessableEntityError,
    UnsupportedParameterError,
    make_status_error,
    parse_error_body,
)

from ._core_support import Recorder, make_client


def test_wrapped_object_with_string_code_and_request_id() -> None:
    body = {
        "error": {
            "message": "Requests with max_tokens > 4096 must have stream=true",
            "param": "max_tokens",
            "code": "BAD_REQUEST",
            "type": "error",
        },
        "request_id": "req-1",
    }
    info = parse_error_body(json.dumps(body).encode())
    assert info.message == "Requests with max_tokens > 4096 must have stream=true"
    assert (info.code, info.param, info.type, info.request_id) == (
        "BAD_REQUEST",
        "max_tokens",
        "error",
        "req-1",
    )


def test_wrapped_object_with_int_code() -> None:
    info = parse_error_body('{"error": {"message": "Too many requests", "code": 429}}')
    assert info.message == "Too many requests"
    assert info.code == "429"


def test_error_as_plain_string() -> None:
    info = parse_error_body(b'{"error": "Unauthorized"}')
    assert info.message == "Unauthorized"
    assert info.code is None
    # with a separate message, the string becomes the code
    info = parse_error_body(b'{"error": "rate_limited", "message": "Slow down", "request_id": "r"}')
    assert (info.message, info.code, info.request_id) == ("Slow down", "rate_limited", "r")


def test_real_404_capture_bare_inner_object() -> None:
    raw = (
        b'{"message":"Model not found, inaccessible, and/or not deployed",'
        b'"param":"model","code":"NOT_FOUND","type":"error"}'
    )
    err = make_status_error(404, raw)
    # a 404 about the model (param "model") is the NotFoundError subclass that says so
    assert type(err) is ModelNotFoundError and isinstance(err, NotFoundError)
    assert err.server_message == "Model not found, inaccessible, and/or not deployed"
    assert err.server_message in err.message and "list_models()" in err.message
    assert (err.param, err.code, err.status_code) == ("model", "NOT_FOUND", 404)
    assert err.body == raw.decode()


def test_real_412_capture_with_request_id_in_body() -> None:
    raw = (
        '{"error":{"message":"Account pollinations is suspended","param":null,'
        '"code":"PRECONDITION_FAILED","type":"error"},'
        '"request_id":"11650e2f-ff1b-4aac-9719-98006adf7349"}'
    )
    err = make_status_error(412, raw)
    assert type(err) is PreconditionFailedError
    assert err.request_id == "11650e2f-ff1b-4aac-9719-98006adf7349"
    assert err.code == "PRECONDITION_FAILED"
    assert err.param is None


def test_anthropic_style_envelope() -> None:
    raw = b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
    err = make_status_error(529, raw)
    assert type(err) is InternalServerError
    assert err.message == "Overloaded"
    assert err.code == "overloaded_error"  # the type stands in when there is no code


def test_openai_style_object_error() -> None:
    raw = b'{"error":{"object":"error","type":"invalid_request_error","message":"bad role"}}'
    info = parse_error_body(raw)
    assert (info.message, info.type) == ("bad role", "invalid_request_error")


def test_fastapi_detail_list_and_string() -> None:
    raw = json.dumps(
        {
            "detail": [
                {"loc": ["body", "messages", 0, "role"], "msg": "field required", "type": "m"},
                {"loc": ["body"], "msg": "Extra inputs are not permitted", "type": "x"},
                "odd item",
            ]
        }
    )
    info = parse_error_body(raw)
    assert info.message == (
        "messages.0.role: field required; Extra inputs are not permitted; odd item"
    )
    assert parse_error_body('{"detail": "Not authenticated"}').message == "Not authenticated"
    err = make_status_error(422, raw)
    assert type(err) is UnprocessableEntityError


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"upstream connect error", "upstream connect error"),
        (b"", "(empty error body)"),
        (None, "(empty error body)"),
        (b"   \n", "(empty error body)"),
        (b"[1, 2]", "[1, 2]"),
        (b'"just a json string"', '"just a json string"'),
    ],
)
def test_non_json_and_empty_bodies_fall_back_to_text(body: bytes | None, message: str) -> None:
    assert parse_error_body(body).message == message


def test_html_502_page_is_trimmed_into_the_message() -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 2000 + "</body>"
    err = make_status_error(502, page.encode())
    assert type(err) is InternalServerError
    assert err.message.startswith("<html><head><title>502 Bad Gateway")
    assert len(err.message) <= 501
    assert err.body == page  # the raw text is kept whole


def test_json_object_without_known_fields_uses_the_text() -> None:
    assert parse_error_body(b'{"status": "failed"}').message == '{"status": "failed"}'


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, PaymentRequiredError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (412, PreconditionFailedError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (418, APIStatusError),
        (409, APIStatusError),
    ],
)
def test_status_to_class(status: int, cls: type[APIStatusError]) -> None:
    err = make_status_error(status, b'{"error": {"message": "m"}}')
    assert type(err) is cls
    assert isinstance(err, APIStatusError) and isinstance(err, APIError)
    assert isinstance(err, FwError)
    assert err.status_code == status


@pytest.mark.parametrize(
    "message",
    [
        "This model's maximum context length is 8192 tokens",
        "The prompt is too long: 300000 tokens",
        "prompt exceeds the model context window",
        "Requested token count exceeds the model's maximum context length",
    ],
)
def test_context_length_exceeded_recognised(message: str) -> None:
    err = make_status_error(400, json.dumps({"error": {"message": message}}))
    assert type(err) is ContextLengthExceededError
    assert isinstance(err, BadRequestError)


def test_context_length_recognised_from_code() -> None:
    body = {"error": {"message": "too big", "code": "context_length_exceeded"}}
    assert type(make_status_error(400, json.dumps(body))) is ContextLengthExceededError


@pytest.mark.parametrize(
    "message",
    [
        "Extra inputs are not permitted",
        "Unsupported parameter: 'logit_bias'",
        "tool_choice=required is not supported with this model",
        "Unrecognized request argument supplied: foo",
    ],
)
def test_unsupported_parameter_recognised(message: str) -> None:
    err = make_status_error(400, json.dumps({"error": {"message": message}}))
    assert type(err) is UnsupportedParameterError
    assert isinstance(err, BadRequestError)


def test_markers_only_refine_400() -> None:
    body = json.dumps({"error": {"message": "context length exceeded"}})
    assert type(make_status_error(422, body)) is UnprocessableEntityError
    assert type(make_status_error(400, b'{"error": "bad"}')) is BadRequestError


def test_header_request_id_wins_over_body_request_id() -> None:
    body = b'{"error": {"message": "m"}, "request_id": "from-body"}'
    assert make_status_error(500, body, request_id="from-header").request_id == "from-header"
    assert make_status_error(500, body).request_id == "from-body"
    inner = b'{"message": "m", "request_id": "inner"}'
    assert make_status_error(500, inner).request_id == "inner"


def test_str_includes_status_code_and_request_id() -> None:
    body = b'{"error": {"message": "Model not found", "code": "NOT_FOUND"}}'
    err = make_status_error(404, body, request_id="abc-123")
    text = str(err)
    assert "Model not found" in text
    assert "status=404" in text
    assert "code=NOT_FOUND" in text
    assert "request_id=abc-123" in text
    bare = APIConnectionError("connection failed")
    assert str(bare) == "connection failed"


def test_status_error_through_the_client_uses_the_header_request_id() -> None:
    import httpx

    rec = Recorder(
        [
            httpx.Response(
                404,
                json={"error": {"message": "nope"}, "request_id": "body-id"},
                headers={"x-request-id": "hdr-id"},
            )
        ]
    )
    client, _ = make_client(rec)
    with pytest.raises(NotFoundError) as info:
        client.request("POST", "/chat/completions", json_body={})
    assert info.value.request_id == "hdr-id"
    assert "request_id=hdr-id" in str(info.value)


def test_hierarchy() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(ConfigurationError, FwError)
    assert not issubclass(ConfigurationError, APIError)
