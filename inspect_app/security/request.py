"""The request class: refuses multipart bodies that Werkzeug cannot name.

A multipart part whose name header is broken (a raw line break inside it) is parsed with the
key ``None``; Flask-WTF's CSRF check then fails with an AttributeError (a 500) before any view
runs. Refusing the body as a 400 keeps hostile input a client error.
"""
from __future__ import annotations

from flask import Request
from werkzeug.exceptions import BadRequest


class SaneRequest(Request):
    def _load_form_data(self) -> None:
        super()._load_form_data()
        if None in self.form or None in self.files:
            raise BadRequest("A field in the submitted form has no usable name.")
