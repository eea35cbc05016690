"""`fireside check --external` asks `inbox.endpoint` whether it is a Fireside receiver: a static
host's 404, a wrong path or a dead port would swallow every letter sent from the form."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .conftest import run_cli
from .test_inbox_support import embedded, free_port, make_site, settings_for

NO_PROXY = {"no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def check_external(root: Path) -> tuple[int, str]:
    done = run_cli("check", "--external", "--timeout", "5", cwd=root, env=NO_PROXY)
    return done.returncode, done.stdout + done.stderr


def test_a_receiver_passes(tmp_path: Path) -> None:
    planned = make_site(tmp_path / "first")
    with embedded(settings_for(planned)) as receiver:
        site = make_site(tmp_path / "site", endpoint=receiver.url)
        code, said = check_external(site.root)
    assert "inbox.endpoint" not in said and code == 0, said


def test_an_endpoint_that_is_not_a_receiver_is_an_error_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "static"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}/inbox/"
        site = make_site(tmp_path / "site", endpoint=endpoint)
        code, said = check_external(site.root)
    finally:
        server.shutdown()
        server.server_close()
    assert code == 1
    assert (f"error: site.yaml:7: inbox.endpoint {endpoint} does not answer like a Fireside receiver "
            f"(GET {endpoint}health: 404)") in said


def test_an_endpoint_nobody_answers_at_is_an_error(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/"
    site = make_site(tmp_path / "site", endpoint=endpoint)
    code, said = check_external(site.root)
    assert code == 1 and f"inbox.endpoint {endpoint} cannot be reached" in said
    plain = run_cli("check", cwd=site.root, env=NO_PROXY)
    assert "inbox.endpoint" not in plain.stdout  # without --external the network is not asked
