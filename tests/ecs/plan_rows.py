"""Plans and traces compared as rows (tests/ecs/test_plan_cast.py, test_plan_firelens_efs.py)."""

from __future__ import annotations


def rows(calls):
    """(phase, principal, role, action, resource, via), consecutive repeats (one per image
    layer) merged."""
    out = []
    for call in calls:
        row = (call.phase, call.principal, call.role, call.action, call.resource, call.via)
        if not out or out[-1] != row:
            out.append(row)
    return out


def planned(plan, task_id):
    return [
        (p, who, role, action, resource.replace("<task-id>", task_id), via)
        for p, who, role, action, resource, via in rows(plan.calls)
    ]
