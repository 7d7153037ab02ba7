"""The browser's copy of the protocol's names and limits is generated, never edited."""

from server import protocol_js


def test_the_generated_browser_protocol_file_is_up_to_date() -> None:
    stale = "frontend/js/protocol.gen.js is stale: run `python -m server.protocol_js`"
    assert protocol_js.TARGET.read_text() == protocol_js.render(), stale
