"""The shortcuts through moto (ecslab.cloud.world.prepare_moto) and the kept-open connection to the
credentials endpoint change how fast a task runs, never what it does."""

from __future__ import annotations

import socket

import boto3
import pytest
from moto.backends import get_backend
from moto.core import config as moto_config
from moto.core.exceptions import ServiceNotWhitelisted

from ecslab.cloud import world as speedups
from ecslab.cloud.account import _backend


def test_a_backend_looked_up_twice_is_the_same_object(lab):
    first = get_backend("ecs")[lab.account_id][lab.region]
    assert get_backend("ecs")[lab.account_id][lab.region] is first
    assert _backend("ecs", lab.region, lab.account_id) is first
    # an account never looked up is still created the way moto creates it
    other = get_backend("ecs")["210987654321"][lab.region]
    assert other.account_id == "210987654321"


def test_routes_are_remembered_per_lab_and_answer_as_moto_does(lab):
    task = lab.run_task()
    assert task.exit_code == 0
    assert speedups._ROUTES  # the task's URLs were routed once
    again = lab.run_task()
    assert again.exit_code == 0
    assert [(e.service, e.operation, e.decision) for e in again.trace] == [
        (e.service, e.operation, e.decision) for e in task.trace
    ]
    from ecslab import Lab

    speedups._ROUTES["https://sentinel.example/"] = (("sentinel",), None)
    with Lab():  # a new world's moto has no backends yet: its first lookups go moto's way
        assert "https://sentinel.example/" not in speedups._ROUTES


def test_moto_whitelist_and_passthrough_still_apply_to_a_remembered_route(lab, monkeypatch):
    sts = boto3.client("sts")
    sts.get_caller_identity()  # the route is now remembered
    core = moto_config.default_user_config.setdefault("core", {})
    monkeypatch.setitem(core, "service_whitelist", ["s3"])
    with pytest.raises(ServiceNotWhitelisted):
        sts.get_caller_identity()
    monkeypatch.delitem(core, "service_whitelist")
    assert sts.get_caller_identity()["Account"] == lab.account_id


@pytest.fixture
def connections(monkeypatch):
    """Every TCP connection this process opens."""
    opened: list[object] = []
    real_connect = socket.socket.connect

    def connect(self, address):
        opened.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return opened


def test_a_labs_containers_share_one_connection_to_the_credentials_endpoint(connections):
    from ecslab import Lab

    with Lab() as lab:
        first = lab.run_task()
        second = lab.run_task()
        assert first.exit_code == second.exit_code == 0
        served = lab.world.endpoint.requests_served
    # both tasks fetched their task role's credentials over HTTP, on one connection
    assert served == 2
    assert len([a for a in connections if isinstance(a, tuple)]) == 1
    with Lab() as lab:
        assert lab.run_task().exit_code == 0
    # a new lab connects anew
    assert len([a for a in connections if isinstance(a, tuple)]) == 2
