"""Fixtures shared by the test modules (generic; each module may add its own)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], str]]:
    """Start an ASGI app with uvicorn on a free loopback port, in a thread.

    Call it with the app; it returns the base URL (``http://127.0.0.1:PORT``) once the
    server accepts connections, and stops every server it started at teardown.
    """
    import uvicorn

    started: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: Any) -> str:
        port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server on port {port} did not start")
            time.sleep(0.02)
        started.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in started:
        server.should_exit = True
        thread.join(timeout=10)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def chromium_dom(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """Load a URL in headless Chromium and return its DOM after the page's scripts ran.

    Tests using it carry the ``chromium`` marker and skip when /usr/bin/chromium is
    absent (Debian packages chromium, chromium-driver; .ci/run installs them). Chromium
    runs with no network of its own (no background requests, updates, sync or QUIC) and
    a fresh profile; ``--virtual-time-budget`` lets timers and fetches finish first.
    """
    import subprocess
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian packages chromium, chromium-driver)")

    def render(url: str) -> str:
        profile = tmp_path_factory.mktemp("chromium-profile")
        command = [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--window-size=1280,900", "--virtual-time-budget=20000",
            "--dump-dom", url,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"chromium failed on {url}: {done.stderr[-2000:]}")
        return done.stdout

    return render
