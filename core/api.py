"""The API object: the one mapping of errors to ``{code, message, fields}``."""

import json
import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from pydantic import ValidationError as PydanticValidationError

from .dates import DATE_ERROR_TYPE as DATE_WINDOW
from .dates import ERROR_TYPE as DATETIME_WINDOW
from .dates import date_window_message, window_message
from .errors import DomainError, ValidationFailed
from .limits import is_too_large, too_large_message

log = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


def error_body(code: str, message, fields: dict | None = None) -> dict:
    return {
        "code": code,
        "message": str(message),
        "fields": {k: [str(m) for m in v] for k, v in (fields or {}).items()},
    }


def _loc(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "payload", "header")]
    return ".".join(parts) or "__all__"


def null_character_fields(data, loc: tuple = ()) -> dict[str, list]:
    """The fields of ``data`` whose text holds a NUL character (PostgreSQL cannot store one)."""
    found: dict[str, list] = {}
    if isinstance(data, str):
        if "\x00" in data:
            found[".".join(str(p) for p in loc) or "__all__"] = [_("Null characters are not allowed.")]
    elif isinstance(data, dict):
        for key, value in data.items():
            found.update(null_character_fields(key, (*loc, key)) if isinstance(key, str) else {})
            found.update(null_character_fields(value, (*loc, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.update(null_character_fields(value, (*loc, i)))
    return found


def refuse_null_characters(data, loc: tuple = ()) -> None:
    fields = null_character_fields(data, loc)
    if fields:
        raise ValidationFailed(fields=fields)


def json_body(schema: type[Schema]) -> dict:
    """``openapi_extra`` for an operation that reads its JSON body itself (``read_json``)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema.model_json_schema(ref_template="#/components/schemas/{model}")}
            },
        }
    }


def read_json(request, schema: type[Schema]):
    """The request's JSON body as ``schema``, with the errors ninja would give for a ``payload``
    parameter. For an operation that checks access before reading the body (issue 14: a
    stranger's upload is not read at all)."""
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise DomainError(_("The request body is not valid JSON."), code="malformed_request") from None
    refuse_null_characters(data)
    try:
        return schema.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


class CheckedParser(Parser):
    """JSON bodies, query strings and form fields with a NUL character are refused (422), on every database."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):  # ninja would take a falsy body (0, false, "", [], null) for {}
            raise ValidationFailed(_("Expected an object."))  # unwrapped by ``http_error``, as below
        refuse_null_characters(data)  # ninja wraps this in an HttpError(400); ``http_error`` unwraps it
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        refuse_null_characters(request.path, ("path",))
        refuse_null_characters(result)
        return result


def build_api(*, auth: list) -> NinjaAPI:
    """The API with its error mapping and idempotency; ``auth`` is given by the project (the
    token check belongs to ``accounts``, above this layer)."""
    api = NinjaAPI(
        title="After-sales service API",
        version="1",
        urls_namespace="api",
        auth=auth,
        docs_url="/docs",
        openapi_url="/openapi.json",
        parser=CheckedParser(),
    )
    from .idempotency import install  # the store's model: imported once the apps are ready

    install(api)  # every write honours an ``Idempotency-Key`` header

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        fields: dict[str, list] = {}
        for err in exc.errors:
            fields.setdefault(_loc(err.get("loc", ())), []).append(_translate_pydantic(err))
        return api.create_response(
            request, error_body("validation_error", _("Some fields are not valid."), fields), status=422
        )

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request, exc: DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return api.create_response(
            request, error_body("validation_error", _("Some fields are not valid."), fields), status=422
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request, error_body("unauthenticated", _("Log in or send a valid API token.")), status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, DomainError):
            return domain_error(request, exc.__cause__)
        if exc.status_code == 400:
            return api.create_response(
                request, error_body("malformed_request", _("The request body is not valid JSON.")), status=400
            )
        return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):  # e.g. more query fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
        if is_too_large(request, exc):  # too many fields or files in a body
            return too_big(request, exc)
        return api.create_response(request, error_body("bad_request", _("The request is not valid.")), status=400)

    @api.exception_handler(MultiPartParserError)
    def malformed_multipart(request, exc):  # e.g. ``multipart/form-data`` without a boundary
        return api.create_response(request, error_body("malformed_request", _("The request is not valid.")), status=400)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        body = error_body("too_large", too_large_message(getattr(exc, "cap", None)))
        return api.create_response(request, body, status=413)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.exception("Unhandled API error")
        return api.create_response(
            request, error_body("server_error", _("Something went wrong on our side.")), status=500
        )

    return api


PYDANTIC_MESSAGES = {
    "missing": lambda e: _("This field is required."),
    "string_too_long": lambda e: (
        _("Ensure this value has at most %(max)s characters.") % {"max": e.get("ctx", {}).get("max_length", "?")}
    ),
    "string_too_short": lambda e: _("This field cannot be blank."),
    "int_parsing": lambda e: _("Enter a whole number."),
    "int_type": lambda e: _("Enter a whole number."),
    "decimal_parsing": lambda e: _("Enter a number."),
    "date_from_datetime_parsing": lambda e: _("Enter a valid date (YYYY-MM-DD)."),
    "date_parsing": lambda e: _("Enter a valid date (YYYY-MM-DD)."),
    "date_type": lambda e: _("Enter a valid date (YYYY-MM-DD)."),
    "datetime_parsing": lambda e: _("Enter a valid date and time."),
    "datetime_from_date_parsing": lambda e: _("Enter a valid date and time."),
    "string_type": lambda e: _("Enter text."),
    "bool_parsing": lambda e: _("Enter true or false."),
    "bool_type": lambda e: _("Enter true or false."),
    "enum": lambda e: _("Not a valid choice."),
    "literal_error": lambda e: _("Not a valid choice."),
    "model_attributes_type": lambda e: _("Expected an object."),
    "dict_type": lambda e: _("Expected an object."),
    "list_type": lambda e: _("Expected a list."),
    "date_future": lambda e: _("The date cannot be in the future."),
    "value_error": lambda e: _("Enter a valid value."),
    DATETIME_WINDOW: lambda e: window_message(_loc(e.get("loc", ()))),
    DATE_WINDOW: lambda e: date_window_message(_loc(e.get("loc", ()))),
}


def _translate_pydantic(err: dict) -> str:
    handler = PYDANTIC_MESSAGES.get(err.get("type", ""))
    return str(handler(err)) if handler else _("Enter a valid value.")
