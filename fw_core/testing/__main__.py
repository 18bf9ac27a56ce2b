"""Run the wire double as a standalone loopback server (for the offline demo).

``python -m fw_core.testing --port 8765`` serves Fireworks at
``http://127.0.0.1:8765/inference/v1`` and Firmware at ``http://127.0.0.1:8765/api/v1``
until Ctrl-C or ``--lifetime`` seconds (default 600). ``--rpm N [--burst B]`` turns on the
limit mode (``x-ratelimit-*`` headers, 429 with ``retry-after`` over the limit).
"""

from __future__ import annotations

import argparse
import sys
import time

from fw_core.testing.double import WireDouble
from fw_core.testing.server import LoopbackServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fw_core.testing", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--lifetime", type=float, default=600.0, help="stop after N seconds")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument(
        "--stream-chunks", type=int, default=None, help="content chunks per streamed answer"
    )
    parser.add_argument(
        "--rpm", type=float, default=None, help="limit mode: requests per minute per key and model"
    )
    parser.add_argument(
        "--burst", type=int, default=None, help="limit mode: requests at once (default 1 s of rpm)"
    )
    args = parser.parse_args(argv)
    if args.burst is not None and args.rpm is None:
        parser.error("--burst needs --rpm")
    double = WireDouble(
        latency=args.latency, stream_chunks=args.stream_chunks, rpm=args.rpm, burst=args.burst
    )
    server = LoopbackServer(double, args.host, args.port, args.lifetime).start()
    print(f"wire double listening on {server.base_url}", flush=True)
    print(f"  FIREWORKS_BASE_URL={server.base_url}/inference/v1", flush=True)
    print(f"  FIRMWARE_BASE_URL={server.base_url}/api/v1", flush=True)
    if double.limit is not None:
        limit = double.limit
        print(f"  limit: {limit.rpm:g} requests/minute, burst {limit.burst}", flush=True)
    try:
        while not server.stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        server.stop()
    time.sleep(0)
    print(f"stopped after {len(double.requests)} requests", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
