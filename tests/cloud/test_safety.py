"""Real credentials a learner may have are never read, used or printed, and come back on close.

A whole lab session runs with real-looking sentinel credentials everywhere botocore could look
(environment, profile, ~/.aws files, container credentials variables), while every socket
connection and name lookup is watched: nothing may leave the loopback interface, and no sentinel
may appear in any output, trace record or error.
"""

from __future__ import annotations

import ipaddress
import os
import socket

import boto3
import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from ecslab import Lab

SENTINELS = {
    "AWS_ACCESS_KEY_ID": "AKIASENTINEL00000001",
    "AWS_SECRET_ACCESS_KEY": "sentinel/secret/DO-NOT-LEAK-1234567890abcd",
    "AWS_SESSION_TOKEN": "sentinel-session-token-DO-NOT-LEAK",
    "AWS_PROFILE": "sentinel-profile",
    "AWS_DEFAULT_REGION": "eu-sentinel-1",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/sentinel",
    "AWS_ROLE_ARN": "arn:aws:iam::999999999999:role/sentinel-role",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/sentinel-token",
}
FILE_SECRET = "sentinel-file-secret-DO-NOT-LEAK"


def _is_loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture
def watched(monkeypatch, tmp_path):
    """Sentinel credentials everywhere, and a record of every network attempt."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        f"[sentinel-profile]\naws_access_key_id = AKIASENTINELFILE0001\n"
        f"aws_secret_access_key = {FILE_SECRET}\n[default]\naws_access_key_id = "
        f"AKIASENTINELFILE0002\naws_secret_access_key = {FILE_SECRET}\n"
    )
    (home / ".aws" / "config").write_text("[profile sentinel-profile]\nregion = eu-sentinel-1\n")
    # boto 2's file, which botocore's chain still reads (BotoProvider) before the container's
    (home / ".boto").write_text(
        f"[Credentials]\naws_access_key_id = AKIASENTINELFILE0003\n"
        f"aws_secret_access_key = {FILE_SECRET}\n"
    )
    monkeypatch.setenv("HOME", str(home))
    for key, value in SENTINELS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    attempts: list[object] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        attempts.append(address)
        if not _is_loopback(address):
            raise OSError(f"blocked by test: {address}")
        return real_connect(self, address)

    def connect_ex(self, address):
        attempts.append(address)
        if not _is_loopback(address):
            raise OSError(f"blocked by test: {address}")
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        attempts.append(host)
        if not _is_loopback(host):
            raise OSError(f"blocked by test: lookup of {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


def _session(lab: Lab) -> list[str]:
    """A full lab session; returns every text it produced."""
    texts: list[str] = []
    texts.append(boto3.client("sts").get_caller_identity()["Arn"])
    texts.append(str(lab.client("s3").list_buckets()["Buckets"]))
    lab.task_role.remove_inline("orders-app")
    world = lab.world
    service = world.service_keys(
        "ecs-tasks.amazonaws.com",
        "Amazon ECS",
        {"aws:SourceAccount": lab.account_id},
        phase="run",
        task="t1",
    )
    credentials = world.assume_role(service, "ecs-task-role", "t1", "orders app", "run", "t1")
    with world.container_environment(credentials, lab.resources.task_role_arn, {"X": "1"}):
        texts.append(boto3.client("sts").get_caller_identity()["Arn"])
        try:
            boto3.client("s3").get_object(Bucket=lab.resources.bucket, Key=lab.resources.config_key)
        except ClientError as error:
            texts.append(str(error))
    # a task without a task role: the SDK in it finds nothing, not the files on this machine
    with world.container_environment(None, None):
        with pytest.raises(NoCredentialsError):
            boto3.client("sts").get_caller_identity()
        with pytest.raises(NoCredentialsError):
            boto3.Session().client("sts").get_caller_identity()
    try:
        lab.task_role.attach("AmazonS3ReadOnly")
    except ClientError as error:
        texts.append(str(error))
    texts += [
        repr(lab),
        lab._repr_html_(),
        repr(lab.trace),
        lab.trace._repr_html_(),
        lab.trace.to_frame().to_string(),
        str(lab.trace.to_records()),
        str(lab.resources),
        repr(lab.task_role),
    ]
    return texts


def test_a_lab_session_never_leaves_loopback_and_never_shows_real_credentials(watched, capsys):
    before = {key: os.environ.get(key) for key in SENTINELS}
    lab = Lab()
    texts = _session(lab)
    assert os.environ["AWS_DEFAULT_REGION"] == "ap-northeast-1"
    for key in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ):
        assert key not in os.environ
    lab.close()
    captured = capsys.readouterr()
    everything = "\n".join(texts) + captured.out + captured.err
    for value in [*SENTINELS.values(), FILE_SECRET, "AKIASENTINELFILE"]:
        assert value not in everything
    assert [a for a in watched if not _is_loopback(a)] == []
    # the credentials endpoint was really used, over loopback
    assert any(_is_loopback(a) and isinstance(a, tuple) for a in watched)
    assert {key: os.environ.get(key) for key in SENTINELS} == before


def test_the_default_session_is_restored_on_close(watched):
    boto3.setup_default_session(region_name="eu-sentinel-1")
    mine = boto3.DEFAULT_SESSION
    with Lab():
        assert boto3.DEFAULT_SESSION is not mine
        assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
    assert boto3.DEFAULT_SESSION is mine
