"""The suite's network guard (tests/network.py): it blocks, loudly and by address, every
connection past loopback, and lets tests talk to 127.0.0.1 servers they start.

Each blocked attempt below targets 192.0.2.1, an address reserved for documentation that routes
nowhere, and each test first checks that the guard is in place, so even a broken guard sends
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anthropic
import openai
import pytest

from interviewer.providers.base import collect_grade
from interviewer.providers.openai import OpenAIProvider
from tests.network import NetworkBlocked, NetworkGuard, is_loopback
from tests.providers.support import Sleeps, grade_request, profile

OUTSIDE = "192.0.2.1"


def blocked_in(exc: BaseException) -> NetworkBlocked | None:
    """The guard's error, as raised or inside the exception group anyio's connect raises."""
    if isinstance(exc, NetworkBlocked):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            if (found := blocked_in(inner)) is not None:
                return found
    return None


def assert_guarded() -> None:
    assert socket.socket.connect.__qualname__ == "NetworkGuard.connect"
    assert socket.getaddrinfo.__qualname__ == "NetworkGuard.getaddrinfo"


@pytest.fixture
def echo_server() -> Iterator[tuple[str, int]]:
    """A one-connection-at-a-time echo server on 127.0.0.1, stopped after the test."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)  # how soon the thread sees `stop`
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(conn.recv(1024))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[:2]
    stop.set()
    thread.join(timeout=2)
    server.close()


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        (b"127.0.0.1", True),
        ("10.0.0.1", False),
        ("192.168.1.1", False),
        ("0.0.0.0", False),
        ("::ffff:10.0.0.1", False),
        ("api.openai.com", False),
        ("localhost.example.com", False),
        (None, False),
    ],
)
def test_loopback_addresses(host: object, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_a_non_loopback_connect_is_blocked_and_named(network_guard: NetworkGuard) -> None:
    assert_guarded()
    with network_guard.expect_blocked() as attempts:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            with pytest.raises(NetworkBlocked, match=rf"{OUTSIDE}:9 \(socket\.connect\)"):
                sock.connect((OUTSIDE, 9))
            with pytest.raises(NetworkBlocked, match=rf"{OUTSIDE}:9 \(socket\.connect_ex\)"):
                sock.connect_ex((OUTSIDE, 9))
        with pytest.raises(NetworkBlocked, match=rf"{OUTSIDE}:80 \(socket\.create_connection\)"):
            socket.create_connection((OUTSIDE, 80), timeout=1)
        with pytest.raises(NetworkBlocked, match=r"example\.com:443 \(socket\.getaddrinfo\)"):
            socket.getaddrinfo("example.com", 443)
        with (
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
            pytest.raises(NetworkBlocked, match=rf"{OUTSIDE}:53 \(socket\.sendto\)"),
        ):
            udp.sendto(b"x", (OUTSIDE, 53))
    assert attempts == [
        f"{OUTSIDE}:9", f"{OUTSIDE}:9", f"{OUTSIDE}:80", "example.com:443", f"{OUTSIDE}:53"
    ]  # fmt: skip


async def test_asyncio_connections_are_blocked(network_guard: NetworkGuard) -> None:
    assert_guarded()
    with network_guard.expect_blocked() as attempts:
        with pytest.raises(NetworkBlocked, match=rf"{OUTSIDE}:9"):
            await asyncio.open_connection(OUTSIDE, 9)
        with pytest.raises(NetworkBlocked, match=r"example\.com:80"):
            await asyncio.open_connection("example.com", 80)
    assert attempts == [f"{OUTSIDE}:9", "example.com:80"]


def test_a_swallowed_attempt_still_fails_the_test(network_guard: NetworkGuard) -> None:
    assert_guarded()
    # What careless code under test might do:
    with socket.socket() as sock, contextlib.suppress(BaseException):
        sock.connect((OUTSIDE, 9))
    with pytest.raises(pytest.fail.Exception, match=rf"swallowed\): {OUTSIDE}:9"):
        network_guard.verify()
    network_guard.attempts.clear()


def test_loopback_servers_the_test_starts_are_reachable(echo_server: tuple[str, int]) -> None:
    host, port = echo_server
    with socket.create_connection((host, port), timeout=2) as conn:
        conn.sendall(b"ping")
        assert conn.recv(1024) == b"ping"
    with socket.create_connection(("localhost", port), timeout=2) as conn:
        conn.sendall(b"by name")
        assert conn.recv(1024) == b"by name"
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex((host, port)) == 0
        sock.sendall(b"ex")
        assert sock.recv(1024) == b"ex"


async def test_asyncio_reaches_a_loopback_server(echo_server: tuple[str, int]) -> None:
    reader, writer = await asyncio.open_connection(*echo_server)
    writer.write(b"async")
    await writer.drain()
    assert await reader.read(1024) == b"async"
    writer.close()
    await writer.wait_closed()


def test_unix_sockets_are_allowed(tmp_path: Path) -> None:
    path = str(tmp_path / "sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)
            conn, _ = server.accept()
            with conn:
                client.sendall(b"unix")
                assert conn.recv(1024) == b"unix"


async def test_an_openai_client_without_injected_transport_fails_loudly(
    network_guard: NetworkGuard,
) -> None:
    assert_guarded()
    client = openai.AsyncOpenAI(
        api_key="sk-test-not-a-key", base_url=f"http://{OUTSIDE}:9/v1", max_retries=2, timeout=30
    )
    started = time.monotonic()
    with (
        network_guard.expect_blocked() as attempts,
        pytest.raises(
            (NetworkBlocked, BaseExceptionGroup)  # anyio's connect raises a group
        ) as caught,
    ):
        await client.models.list()
    await client.close()
    # The guard's error, at once: not a 30 s timeout, not retried, not an APIConnectionError.
    blocked = blocked_in(caught.value)
    assert blocked is not None, f"expected the guard's error, got {caught.value!r}"
    assert f"{OUTSIDE}:9" in str(blocked)
    assert attempts == [f"{OUTSIDE}:9"]
    assert time.monotonic() - started < 5


async def test_an_anthropic_client_without_injected_transport_fails_loudly(
    network_guard: NetworkGuard,
) -> None:
    assert_guarded()
    client = anthropic.AsyncAnthropic(
        api_key="sk-ant-test-not-a-key", base_url=f"http://{OUTSIDE}:9", max_retries=2, timeout=30
    )
    started = time.monotonic()
    with (
        network_guard.expect_blocked() as attempts,
        pytest.raises(
            (NetworkBlocked, BaseExceptionGroup)  # anyio's connect raises a group
        ) as caught,
    ):
        await client.messages.create(
            model="claude-test", max_tokens=1, messages=[{"role": "user", "content": "hi"}]
        )
    await client.close()
    blocked = blocked_in(caught.value)
    assert blocked is not None, f"expected the guard's error, got {caught.value!r}"
    assert f"{OUTSIDE}:9" in str(blocked)
    assert attempts == [f"{OUTSIDE}:9"]
    assert time.monotonic() - started < 5


async def test_our_provider_without_injected_transport_fails_loudly(
    network_guard: NetworkGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The retry ladder and error translation must not turn the guard's error into a
    # ProviderError or a retry.
    assert_guarded()
    monkeypatch.setenv("TEST_OPENAI_KEY", "sk-test-not-a-key")
    provider = OpenAIProvider(
        "openai", profile("openai", base_url=f"http://{OUTSIDE}:9/v1"), "grader", sleep=Sleeps()
    )
    with (
        network_guard.expect_blocked() as attempts,
        pytest.raises((NetworkBlocked, BaseExceptionGroup)) as caught,
    ):
        await collect_grade(provider.grade(grade_request()))
    await provider.aclose()
    assert blocked_in(caught.value) is not None, repr(caught.value)
    assert attempts == [f"{OUTSIDE}:9"]
