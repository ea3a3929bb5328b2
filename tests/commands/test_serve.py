"""The preview server: rebuilds on save, signals the open page to reload,
and keeps the last good page (with a banner) when a save breaks the content."""

from __future__ import annotations

import gc
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTICLE = "world/putin-kim-rifles/"
WHO = "content/world/putin-kim-rifles/who.yaml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, timeout: float = 10) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return str(response.read().decode("utf-8"))


def wait_for(url: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return fetch(url)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", "--site", str(site), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/{ARTICLE}")
        yield f"http://127.0.0.1:{port}/", site
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
        assert "Traceback" not in output


def epoch_of(page: str) -> int:
    found = re.search(r"livereload\(\s*(\d+)", page)
    assert found, "the preview page carries the live-reload script"
    return int(found.group(1))


def edit(site: Path, old: str, new: str) -> None:
    file = site / WHO
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_saved_sidecar_rebuilds_the_page_and_signals_a_reload(
    preview: tuple[str, Path],
) -> None:
    base, site = preview
    page = fetch(base + ARTICLE)
    epoch = epoch_of(page)
    assert "Peskov" in page and "Relayed the news from the Kremlin" not in page
    edit(site, "in_this_story: ", "in_this_story: Relayed the news from the Kremlin. ")
    signal = fetch(f"{base}livereload/{epoch}/1", timeout=60)
    assert int(signal) > epoch
    rebuilt = fetch(base + ARTICLE)
    assert "Relayed the news from the Kremlin." in rebuilt
    assert epoch_of(rebuilt) > epoch


def test_a_broken_save_keeps_the_last_good_page_with_a_banner(preview: tuple[str, Path]) -> None:
    base, site = preview
    page = fetch(base + ARTICLE)
    epoch = epoch_of(page)
    edit(site, "- ref: ", "- rfe: ")  # a typo'd key, as an editor half-way through a change
    fetch(f"{base}livereload/{epoch}/1", timeout=60)
    broken = fetch(base + ARTICLE)
    assert "data-preview-errors" in broken
    assert "who.yaml" in broken and "unknown field" in broken
    assert "data-article-body" in broken, "the last good page is still shown"
    edit(site, "- rfe: ", "- ref: ")
    fetch(f"{base}livereload/{epoch_of(broken)}/2", timeout=60)
    assert "data-preview-errors" not in fetch(base + ARTICLE)


def test_only_requests_addressed_to_this_machine_are_served(preview: tuple[str, Path]) -> None:
    """A DNS-rebinding page reaches 127.0.0.1 under its own name: it gets nothing."""
    base, _ = preview
    port = base.rsplit(":", 1)[1].strip("/")
    for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1:1", "localhost.evil"):
        request = urllib.request.Request(base + ARTICLE, headers={"Host": host})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 421, host
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"LOCALHOST:{port}"):
        request = urllib.request.Request(base + ARTICLE, headers={"Host": host})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, host


def test_pages_carry_the_production_policy_as_a_header_with_a_nonce_for_the_reload_script(
    preview: tuple[str, Path],
) -> None:
    base, _ = preview
    with urllib.request.urlopen(base + ARTICLE, timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
        page = response.read().decode("utf-8")
    nonce = re.search(r"'nonce-([A-Za-z0-9_-]+)'", policy)
    assert nonce
    assert f'<script nonce="{nonce.group(1)}">' in page
    production = (REPO / "templates/base.html").read_text(encoding="utf-8")
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', production)
    assert meta
    assert policy.replace(f" 'nonce-{nonce.group(1)}'", "") == meta.group(1)
    assert "Content-Security-Policy" not in page, "one policy, as the header"
    with urllib.request.urlopen(base + ARTICLE, timeout=10) as again:
        assert again.headers["Content-Security-Policy"] != policy, "a fresh nonce each time"


def test_a_missing_page_is_a_real_404(preview: tuple[str, Path]) -> None:
    base, _ = preview
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "world/no-such-story/", timeout=10)
    assert missing.value.code == 404
    body = missing.value.read().decode("utf-8")
    assert "<h1>No page here</h1>" in body
    assert "Content-Security-Policy" in missing.value.headers


class _Unserved:
    """A preview server that stops at once, as Ctrl+C would stop it."""

    def __init__(self, **_: object) -> None:
        self.observer = self

    def watch(self, _: str) -> None:
        pass

    def schedule(self, *_: object, **__: object) -> None:
        pass

    def serve(self) -> None:
        raise KeyboardInterrupt

    def shutdown(self) -> None:
        pass


def test_the_preview_collects_between_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A one-shot command runs with the cyclic collector off (`cli.run`): the
    # preview, which stays running for hours, must switch it on again.
    from builder.commands import serve

    collecting: list[bool] = []
    monkeypatch.setattr(serve, "PreviewServer", _Unserved)
    monkeypatch.setattr(serve, "rebuild", lambda *_: collecting.append(gc.isenabled()))
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    gc.disable()
    try:
        assert serve.serve(site, free_port()) == 0
    finally:
        gc.enable()
    assert collecting == [True]
