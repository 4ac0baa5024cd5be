"""Simulated time: moto's clocks follow the lab clock; everything else keeps the real time."""

from __future__ import annotations

import datetime
import time

from ecslab.cloud.clock import EPOCH, LabClock


def test_the_clock_starts_at_the_same_instant_and_moves_only_when_told():
    clock = LabClock()
    assert clock.now() == EPOCH and clock.iso() == "2026-04-01T09:00:00.000Z"
    clock.advance(1.5)
    assert clock.iso() == "2026-04-01T09:00:01.500Z"
    assert clock.millis() == int(EPOCH.timestamp() * 1000) + 1500


def test_moto_reads_the_lab_clock_and_only_moto(lab):
    import moto.core.utils
    import moto.secretsmanager.models as secrets_models

    lab.clock.advance(3600)
    assert moto.core.utils.utcnow() == lab.clock.now().replace(tzinfo=None)
    assert secrets_models.time.time() == lab.clock.timestamp()
    assert abs(time.time() - datetime.datetime.now().timestamp()) < 5  # the kernel's clock
    assert datetime.datetime.now().year >= 2026 and time.time() > lab.clock.timestamp()


def test_moto_gets_its_real_clock_back_after_the_lab(lab):
    import moto.core.utils

    lab.close()
    assert abs(moto.core.utils.utcnow().timestamp() - datetime.datetime.utcnow().timestamp()) < 5


def test_long_polling_waits_in_simulated_time(lab):
    sqs = lab.client("sqs")
    before = lab.clock.now()
    started = time.monotonic()
    answer = sqs.receive_message(QueueUrl=lab.resources.queue_url, WaitTimeSeconds=20)
    assert "Messages" not in answer
    assert time.monotonic() - started < 5  # no real 20-second wait
    assert (lab.clock.now() - before).total_seconds() >= 20


def test_timestamps_in_answers_come_from_the_lab_clock(lab):
    lab.clock.advance(86400)
    secret = lab.client("secretsmanager").create_secret(Name="later", SecretString="x")
    described = lab.client("secretsmanager").describe_secret(SecretId=secret["ARN"])
    assert described["CreatedDate"].date() == datetime.date(2026, 4, 2)
