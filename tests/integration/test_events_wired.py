"""Every event a feature announces has a listener once the app is built (a reactions module that
create_app did not find would silently drop a remediation action or an email)."""
from blinker import NamedSignal

from inspect_app import events


def test_every_event_has_a_listener(app):
    signals = {name: value for name, value in vars(events).items() if isinstance(value, NamedSignal)}
    assert len(signals) >= 10
    assert [name for name, signal in signals.items() if not signal.receivers] == []
