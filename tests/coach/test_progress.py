"""Issue 17: each exercise's check() records its result (key, result, time: nothing else) in the
learner's home, and an instructor reads a class's records."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ecslab.cli import main
from ecslab.coach.progress import class_progress, progress_file, record


def test_a_check_records_its_key_result_and_time_and_nothing_else(lab, tmp_path, monkeypatch):
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv("ECSLAB_PROGRESS_FILE", str(path))
    ex = lab.exercise("02-fix-the-launch")
    ex.check()
    lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")
    lab.run_task()
    assert ex.check()
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(e["exercise"], e["result"]) for e in lines] == [
        ("02-fix-the-launch", "not attempted"),
        ("02-fix-the-launch", "correct"),
    ]
    assert all(set(e) == {"exercise", "result", "at"} for e in lines)
    assert all(e["at"].endswith("Z") for e in lines)


def test_recording_can_be_off_and_never_breaks_a_check(tmp_path, monkeypatch):
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv("ECSLAB_PROGRESS_FILE", str(path))
    monkeypatch.setenv("ECSLAB_PROGRESS", "off")
    assert progress_file() is None
    record("02-fix-the-launch", "correct")
    assert not path.exists()  # nothing written
    monkeypatch.delenv("ECSLAB_PROGRESS")
    record("02-fix-the-launch", "correct")
    assert path.exists()  # the same call records once recording is on
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setenv("ECSLAB_PROGRESS_FILE", str(blocked / "progress.jsonl"))
    record("02-fix-the-launch", "correct")  # a home that cannot be written: no error


def _home(homes, learner, *entries):
    path = homes / learner / ".ecslab" / "progress.jsonl"
    path.parent.mkdir(parents=True)
    at = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
    with path.open("w", encoding="utf-8") as out:
        for minute, (key, result) in enumerate(entries):
            out.write(
                json.dumps(
                    {
                        "exercise": key,
                        "result": result,
                        "at": at.replace(minute=minute).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                )
                + "\n"
            )
        out.write("{cut short by a full disk\n")


def test_the_class_table_and_chart(tmp_path, capsys):
    homes = tmp_path / "home"
    _home(
        homes,
        "aiko",
        ("02-fix-the-launch", "not yet"),
        ("02-fix-the-launch", "correct"),
        ("03-fix-the-app", "not yet"),
    )
    _home(homes, "ben", ("02-fix-the-launch", "correct"), ("02-fix-the-launch", "not yet"))
    (homes / "carol").mkdir()  # never checked anything
    found = class_progress(homes)
    table = found.table
    assert list(table.index) == ["aiko", "ben"]
    assert table.loc["aiko", "02-fix-the-launch"] == "✓"  # passed once stays passed
    assert table.loc["aiko", "03-fix-the-app"] == "·"
    assert table.loc["ben", "03-fix-the-app"] == ""
    assert table.loc["aiko", "last check"] == "2026-12-07T10:02:00Z"
    assert found.passed == {"02-fix-the-launch": 2, "03-fix-the-app": 0}
    svg = found.chart()
    assert svg.startswith("<svg") and 'role="img"' in svg and "02-fix-the-launch" in svg
    chart = tmp_path / "chart.svg"
    assert main(["progress", str(homes), "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "aiko" in out and "✓" in out and chart.read_text().startswith("<svg")
    assert main(["progress", str(homes), "--csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("learner,02-fix-the-launch")
    assert main(["progress", str(tmp_path / "nowhere")]) == 2
