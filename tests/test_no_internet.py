"""The suite's network rule (tests/conftest.py, section 4): this machine only."""

import socket

import pytest

from tests.conftest import InternetRefused


def test_a_connection_beyond_this_machine_is_refused_before_it_leaves():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(InternetRefused, match="192.0.2.1"):  # TEST-NET-1, never routed
            sock.connect(("192.0.2.1", 443))


def test_this_machine_is_still_reachable():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
