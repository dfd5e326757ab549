"""The test suite's network guard: no test reaches past this machine's loopback interface.

Installed for every test by tests/conftest.py. Connections to 127.0.0.0/8, ::1, "localhost" and
Unix sockets go through; anything else raises `NetworkBlocked` naming the address, before any
packet is sent or any name is looked up. `NetworkBlocked` is a BaseException so that no
`except Exception` in an SDK's retry loop can turn it into a quiet retry, a timeout or a vague
"connection error"; and every attempt is also recorded, so a test that swallows the error still
fails at teardown.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class NetworkBlocked(BaseException):
    """A test tried to reach an address outside the loopback interface."""


def is_loopback(host: object) -> bool:
    """True for loopback IP literals and the names that always mean this machine."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].rstrip(".").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # any other name: not even looked up
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _describe(address: object) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if isinstance(host, str) and ":" in host else f"{host}:{port}"
    return repr(address)


class NetworkGuard:
    """Patches the socket layer for one test; `attempts` lists what it blocked."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def block(self, what: str, address: object) -> NetworkBlocked:
        target = _describe(address)
        self.attempts.append(target)
        return NetworkBlocked(
            f"test tried to reach {target} ({what}); tests may only connect to loopback "
            "addresses (127.0.0.0/8, ::1, localhost) of servers they start. Inject an HTTP "
            "transport, a fake or a 127.0.0.1 server instead."
        )

    def check_socket_address(self, what: str, sock: socket.socket, address: object) -> None:
        if sock.family == getattr(socket, "AF_UNIX", None):
            return
        host = address[0] if isinstance(address, tuple) and address else address
        if not is_loopback(host):
            raise self.block(what, address)

    @contextmanager
    def expect_blocked(self) -> Iterator[list[str]]:
        """For tests of the guard itself: yields the attempts blocked inside the block and
        takes them off the record (so teardown does not count them as a failure)."""
        before = len(self.attempts)
        taken: list[str] = []
        try:
            yield taken
        finally:
            taken.extend(self.attempts[before:])
            del self.attempts[before:]

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_sendto = socket.socket.sendto
        real_create_connection = socket.create_connection
        real_getaddrinfo = socket.getaddrinfo

        def connect(sock: socket.socket, address: Any) -> None:
            self.check_socket_address("socket.connect", sock, address)
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            self.check_socket_address("socket.connect_ex", sock, address)
            return real_connect_ex(sock, address)

        def sendto(sock: socket.socket, data: Any, *args: Any) -> int:
            # sendto(data, address) or sendto(data, flags, address): UDP needs no connect.
            self.check_socket_address("socket.sendto", sock, args[-1])
            return real_sendto(sock, data, *args)

        def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
            if not is_loopback(address[0]):
                raise self.block("socket.create_connection", address)
            return real_create_connection(address, *args, **kwargs)

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            # A look-up of another machine's name is already traffic (DNS); None, "" and the
            # wildcard addresses are how servers ask for an address to bind.
            if host not in (None, "", b"", "0.0.0.0", "::") and not is_loopback(host):
                raise self.block("socket.getaddrinfo", (host, port))
            return real_getaddrinfo(host, port, *args, **kwargs)

        patches: list[tuple[object, str, Callable[..., Any]]] = [
            (socket.socket, "connect", connect),
            (socket.socket, "connect_ex", connect_ex),
            (socket.socket, "sendto", sendto),
            (socket, "create_connection", create_connection),
            (socket, "getaddrinfo", getaddrinfo),
        ]
        for target, name, replacement in patches:
            replacement.__qualname__ = f"NetworkGuard.{name}"
            monkeypatch.setattr(target, name, replacement)

    def verify(self) -> None:
        if self.attempts:
            pytest.fail(
                "test tried to reach the network (the error was caught and swallowed): "
                + ", ".join(self.attempts),
                pytrace=False,
            )
