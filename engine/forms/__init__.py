"""form-js (v1.x) forms: load them from forms/ and validate every submission on the server.

The browser renders a form, but the server is the authority: schemas are refused at load when
they use what cannot be checked here (schemas), each submission is checked again with conditions
re-evaluated (conditions, submissions), and server-rendered pages get field descriptions, prefill
and HTML-post reshaping from the same walk over the schema (fields).
"""

from engine.forms.conditions import is_condition_met, parse_condition
from engine.forms.fields import FieldView, coerce_form_strings, iter_fields, prefill
from engine.forms.schemas import check_form, load_forms
from engine.forms.submissions import ROW_LIMIT, TEXT_LIMIT, validate_submission

__all__ = [
    "ROW_LIMIT",
    "TEXT_LIMIT",
    "FieldView",
    "check_form",
    "coerce_form_strings",
    "is_condition_met",
    "iter_fields",
    "load_forms",
    "parse_condition",
    "prefill",
    "validate_submission",
]
