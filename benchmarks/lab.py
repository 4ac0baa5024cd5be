"""How fast is a lab? Prints the figures issue 3 sets targets for.

- cold ``import ecslab`` + first ``Lab()`` in a fresh interpreter (target < 1.5 s)
- each further ``Lab()`` in the same process (target < 150 ms)
- the gate's overhead per call: the same call with and without the gate
- peak RSS of a process that built a lab and used it (target < 300 MiB)

    .venv/bin/python benchmarks/lab.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

COLD = """
import json, resource, time
started = time.perf_counter()
import ecslab
from ecslab import Lab
imported = time.perf_counter()
lab = Lab()
built = time.perf_counter()
lab.client("s3").get_object(Bucket=lab.resources.bucket, Key=lab.resources.config_key)
lab.trace.to_frame()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"import": imported - started, "first_lab": built - imported, "rss": rss}))
"""


def cold_start(runs: int = 3) -> dict[str, float]:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, check=True
        ).stdout
        results.append(json.loads(out))
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def further_labs(count: int = 15) -> list[float]:
    from ecslab import Lab

    Lab()  # warm
    times = []
    for _ in range(count):
        started = time.perf_counter()
        Lab()
        times.append(time.perf_counter() - started)
    return times


def gate_overhead(calls: int = 300) -> tuple[float, float]:
    """Per-call seconds: an S3 GetObject through the gate, and the same straight to moto."""
    import boto3
    import botocore.session

    from ecslab import Lab
    from ecslab.cloud.gate import activate, deactivate
    from ecslab.cloud.world import shared_loader

    lab = Lab()
    r = lab.resources
    gated = lab.client("s3")

    def per_call(client) -> float:
        for _ in range(20):
            client.get_object(Bucket=r.bucket, Key=r.config_key)
        started = time.perf_counter()
        for _ in range(calls):
            client.get_object(Bucket=r.bucket, Key=r.config_key)
        return (time.perf_counter() - started) / calls

    through_gate = per_call(gated)
    core = botocore.session.Session()
    core.register_component("data_loader", shared_loader())
    core.set_credentials("AKIABENCHMARKBASE001", "baseline")
    plain = boto3.Session(botocore_session=core, region_name=lab.region).client("s3")
    deactivate(lab.world.gate)
    try:
        straight = per_call(plain)
    finally:
        activate(lab.world.gate)
    lab.close()
    return through_gate, straight


def main() -> int:
    cold = cold_start()
    further = further_labs()
    gated, straight = gate_overhead()
    total = cold["import"] + cold["first_lab"]
    p50 = statistics.median(further)
    print("ecslab lab benchmark (targets from issue 3)")
    print(
        f"  cold import ecslab + first Lab(): {total * 1000:7.0f} ms "
        f"(import {cold['import'] * 1000:.0f} ms + Lab {cold['first_lab'] * 1000:.0f} ms)"
        f"  target < 1500 ms: {'meets' if total < 1.5 else 'MISSES'}"
    )
    print(
        f"  each further Lab(): p50 {p50 * 1000:7.1f} ms, max {max(further) * 1000:.1f} ms"
        f"  target < 150 ms: {'meets' if p50 < 0.150 else 'MISSES'}"
    )
    print(
        f"  S3 GetObject through the gate: {gated * 1000:6.2f} ms/call; straight to moto: "
        f"{straight * 1000:.2f} ms/call; gate overhead {(gated - straight) * 1000:.2f} ms/call"
    )
    print(
        f"  peak RSS after a lab and a few calls: {cold['rss']:7.0f} MiB"
        f"  target < 300 MiB: {'meets' if cold['rss'] < 300 else 'MISSES'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
