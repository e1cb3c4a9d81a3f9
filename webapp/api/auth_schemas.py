"""What the token endpoints accept and answer (webapp.api.routes).

The token's hash never leaves the server: a listed token shows its id, label and
moments, and the secret itself is shown once, in the answer that issues it.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from webapp.api.schemas import StrictSchema, TokenSchema, _text


class TokenRequestSchema(StrictSchema):
    username = _text(64, required=True)
    password = _text(1024, required=True)
    label = _text(100, load_default=None)


class IssuedTokenSchema(TokenSchema):
    id = fields.Integer()
    label = fields.String(allow_none=True)


class TokenInfoSchema(Schema):
    id = fields.Integer()
    label = fields.String(allow_none=True)
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenListSchema(Schema):
    items = fields.List(fields.Nested(TokenInfoSchema))
