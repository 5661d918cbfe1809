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


def test_a_replay_logged_to_a_file_reports_its_progress_in_lines(monkeypatch, capsys):
    import io

    from rich.console import Console
    from rich.progress import Progress

    from newsroom.render.entrypoints import cli

    monkeypatch.setattr(cli, "PROGRESS_LINE_S", 0.0)  # a line at every batch
    with Progress(console=Console(file=io.StringIO())) as progress:  # not a terminal
        report = cli.ProgressReport(
            progress, progress.add_task("replay", total=4000), 4000, "replay"
        )
        report(1500)
        report(500)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" after ")[0] for line in lines] == [
        "replay: 1,500 / 4,000 entries",
        "replay: 2,000 / 4,000 entries",
    ]


def test_the_collector_is_as_it_was_after_a_replay():
    import gc

    from newsroom.render.entrypoints.cli import collector_for_replay

    before = gc.get_threshold()
    with collector_for_replay():
        assert gc.get_threshold() != before
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
