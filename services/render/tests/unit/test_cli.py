"""`newsroom-render` in the shared command style: `main(argv)` answers the exit status."""

from __future__ import annotations

import json

from newsroom.render.entrypoints.cli import main


def test_the_command_answers_its_exit_status_instead_of_leaving(tmp_path):
    document = tmp_path / "render.json"
    assert main(["asyncapi", "--out", str(document)]) == 0
    assert json.loads(document.read_text())["info"]["title"] == "Newsroom render"
    assert main(["replay"]) == 2  # a usage error: --database-url is required
    assert main([]) == 2  # no command: the help, as a usage error
