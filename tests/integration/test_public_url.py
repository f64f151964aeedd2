"""QR labels and email links: BASE_URL when set, otherwise the address the request came in on."""
from __future__ import annotations

from inspect_app.notifications.services import _link
from inspect_app.public_url import LAST_RESORT, absolute


def test_links_use_the_request_address_unless_base_url_is_set(app):
    app.config["BASE_URL"] = ""
    with app.test_request_context("/", base_url="https://ward-tablet.example:8443"):
        assert absolute("/r/7") == "https://ward-tablet.example:8443/r/7"
        assert _link("/actions/3") == "https://ward-tablet.example:8443/actions/3"
    with app.app_context():  # a CLI run has no request: the last resort (the admin page warns in production)
        assert absolute("/r/7") == f"{LAST_RESORT}/r/7"
    app.config["BASE_URL"] = "https://inspect.example.nhs.uk/"
    with app.test_request_context("/", base_url="http://10.0.0.5:8000"):
        assert absolute("/r/7") == "https://inspect.example.nhs.uk/r/7"
