"""``python -m benchmarks.echo_server SOCKET REPLY_BYTES``: the daemon round trip's reference.

A raw Unix-socket server in plain asyncio that answers every line with a
fixed line of ``REPLY_BYTES`` bytes (newline included), the size of the
daemon's status reply: the same bytes cross the same kind of socket, with
no parsing, no protocol and no Qt.  It is the floor the daemon's round trip
is compared with.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path


async def serve(path: Path, reply: bytes) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readline():
                writer.write(reply)
        finally:
            writer.close()

    path.unlink(missing_ok=True)
    server = await asyncio.start_unix_server(answer, path=str(path))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(json.dumps({"event": "ready", "pid": os.getpid()}), flush=True)
    async with server:
        await stop.wait()
    path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.echo_server SOCKET REPLY_BYTES", file=sys.stderr)
        return 2
    size = int(args[1])
    reply = b"x" * (size - 1) + b"\n"
    asyncio.run(serve(Path(args[0]), reply))
    return 0


if __name__ == "__main__":
    sys.exit(main())
