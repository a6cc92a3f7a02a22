"""Fast checks of the stack's declaration and of `down`'s exactness, without starting the stack."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from infra import deploy, stack
from infra.bridge import LANDED_EVENT, handle_landed_key
from infra.task_worker import ROLES as TASK_WORKER_ROLES

DECLARATION = yaml.safe_load(deploy.PREFECT_FILE.read_text())
DEPLOYMENTS = {d["name"]: d for d in DECLARATION["deployments"]}


def test_every_deployment_names_a_flow_that_loads_and_a_pool_the_stack_runs() -> None:
    from prefect.flows import load_flow_from_entrypoint

    flows = {}
    for name, declared in DEPLOYMENTS.items():
        # A module entrypoint (not a script path), so the task workers can import what a run's context names.
        flows[name] = load_flow_from_entrypoint(declared["entrypoint"]).name
        assert ".py:" not in declared["entrypoint"]
        assert declared["work_pool"]["name"] in stack.POOL_ROLES
    assert flows == {
        "on-landing": "ingest-filing",
        "daily": "sweep-landing",
        "publish": "publish-indicators",
        "on-demand": "reprocess",
        "daily-check": "check-filing-calendar",
        "weekly": "prune-snapshots",
    }
    assert set(stack.POOL_ROLES) == set(deploy.POOLS)
    assert deploy.POOLS["greenmfg-publish"] == 1  # snapshots are committed one after another


def test_schedules_are_a_daily_sweep_and_a_monthly_publish() -> None:
    from prefect.client.schemas.schedules import CronSchedule

    (sweep,) = DEPLOYMENTS["daily"]["schedules"]
    (publish,) = DEPLOYMENTS["publish"]["schedules"]
    daily = CronSchedule(cron=sweep["cron"], timezone=sweep["timezone"])
    monthly = CronSchedule(cron=publish["cron"], timezone=publish["timezone"])
    assert daily.cron.split()[2:] == ["*", "*", "*"]
    assert monthly.cron.split()[2:] == ["1", "*", "*"]


def test_the_landing_trigger_passes_the_bridge_events_key_to_the_flow() -> None:
    """The trigger as Prefect validates it, and its template rendered on the event the bridge emits."""
    from prefect.events import DeploymentEventTrigger
    from prefect.server.events.schemas.events import ReceivedEvent
    from prefect.server.utilities.user_templates import render_user_template

    (spec,) = DEPLOYMENTS["on-landing"]["triggers"]
    trigger = DeploymentEventTrigger(**{k: v for k, v in spec.items() if k != "type"})
    emitted = []
    key = "green_loans/2021/第一季度 申请.xlsx"
    handle_landed_key(key, lambda *event: emitted.append(event))
    ((name, resource, payload),) = emitted
    event = ReceivedEvent(id=uuid.uuid4(), event=name, resource=resource, payload=payload, occurred=_now())

    assert name in trigger.expect
    assert trigger.match.matches(event.resource)
    rendered = asyncio.run(render_user_template(spec["parameters"]["landing_key"], {"event": event}))
    assert rendered == key
    assert trigger.parameters["publish_after"] is True
    assert trigger.parameters["on_task_workers"] is True
    assert name == LANDED_EVENT


def test_each_task_worker_role_serves_its_tasks_with_an_identity_of_the_stack() -> None:
    from tasks.deferred import SERVED

    assert set(SERVED) == set(TASK_WORKER_ROLES)
    assert set(TASK_WORKER_ROLES) <= set(stack.POOL_ROLES.values())  # the same identities as the pools
    served = {role: {work.name for work in tasks} for role, tasks in SERVED.items()}
    assert served == {"ingester": {"ingest-landed-object"}, "publisher": {"publish-on-task-worker"}}


def test_down_stops_a_recorded_process_and_its_children_but_not_a_reused_pid(tmp_path: Path) -> None:
    parent = _sleeper_with_child()
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        children = _wait_children(parent.pid)
        state = {
            "components": {
                "bridge": {"pid": parent.pid, "start_time": stack._start_time(parent.pid), "url": "-"},
                # the PID is alive but was started at another time: a reused PID, never signalled
                "prefect-server": {"pid": stranger.pid, "start_time": 1, "url": "-"},
            }
        }
        (tmp_path / stack.STATE_FILE).write_text(json.dumps(state))

        assert stack.down(tmp_path) == ["bridge"]

        parent.wait(timeout=10)
        assert [pid for pid, _ in children if stack.is_running(pid)] == []
        assert stranger.poll() is None
    finally:
        for process in (parent, stranger):
            process.kill()
            process.wait()


def test_status_of_a_state_dir_never_started_says_so(tmp_path: Path) -> None:
    found = stack.status(tmp_path)
    assert [c.name for c in found] == list(stack.COMPONENTS)
    assert not any(c.running or c.healthy for c in found)


def _sleeper_with_child() -> subprocess.Popen[bytes]:
    """A process in a session of its own whose child starts a session of its own too (like a flow run)."""
    child = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True); time.sleep(60)"  # noqa: E501
    return subprocess.Popen([sys.executable, "-c", child], start_new_session=True)


def _wait_children(pid: int, timeout: float = 20.0) -> list[tuple[int, int]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = stack.descendants(pid)
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"process {pid} started no child within {timeout} s")


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_the_operators_pipeline_settings_reach_every_process_but_not_their_storage_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "spellings").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GREENMFG_CITY", "330400")
    monkeypatch.setenv("GREENMFG_CONFIG_DIR", "spellings")
    monkeypatch.setenv("GREENMFG_STAR_THRESHOLD", "4")
    monkeypatch.setenv("GREENMFG_STORE_URL", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("GREENMFG_S3_SECRET_ACCESS_KEY", "operator-secret")
    state = {"urls": {"prefect_api": "http://127.0.0.1:1/api"}, "secrets": {"prefect_auth": "a:b"}}
    env = stack._client_env(tmp_path / "state", state)
    assert env["GREENMFG_CITY"] == "330400" and env["GREENMFG_STAR_THRESHOLD"] == "4"
    assert env["GREENMFG_CONFIG_DIR"] == str(tmp_path / "spellings")  # absolute: workers run elsewhere
    assert "GREENMFG_STORE_URL" not in env and "GREENMFG_S3_SECRET_ACCESS_KEY" not in env
