"""A real SMTP server for the fault suite (Debian's python3-aiosmtpd).

usage: smtp_sink.py PORT DIR

Every accepted message is appended to DIR/messages.jsonl as one JSON line
({"message_id", "to", "subject", "at"}), written before the 250 answer, so that a client killed
while waiting for that answer leaves a message the server has (the documented in-flight case).
Controls, checked on every transaction so a test can flip them at any time:
  DIR/refuse    exists -> every RCPT and DATA is answered 451 (a relay refusing for a while);
                each refusal is appended to DIR/refused.jsonl
  DIR/delay_ms  a number -> wait that long before answering DATA (widens the in-flight window)
DIR/ready is written once the port is listening.
"""

import asyncio
import json
import os
import sys
import time
from email import message_from_bytes, policy

from aiosmtpd.smtp import SMTP

PORT = int(sys.argv[1])
DIR = sys.argv[2]


def refusing():
    return os.path.exists(os.path.join(DIR, "refuse"))


def delay_secs():
    try:
        with open(os.path.join(DIR, "delay_ms")) as f:
            return max(0.0, float(f.read().strip() or 0) / 1000.0)
    except (OSError, ValueError):
        return 0.0


def append(name, record):
    with open(os.path.join(DIR, name), "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.flush()


class Sink:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if refusing():
            append("refused.jsonl", {"stage": "RCPT", "to": address, "at": time.time()})
            return "451 4.3.0 refusing on purpose (fault suite)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if refusing():
            append("refused.jsonl", {"stage": "DATA", "to": envelope.rcpt_tos, "at": time.time()})
            return "451 4.3.0 refusing on purpose (fault suite)"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        append(
            "messages.jsonl",
            {
                "message_id": str(msg["Message-ID"] or ""),
                "to": list(envelope.rcpt_tos),
                "subject": str(msg["Subject"] or ""),
                "at": time.time(),
            },
        )
        delay = delay_secs()
        if delay:
            await asyncio.sleep(delay)
        return "250 OK"


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Sink()), "127.0.0.1", PORT)
    with open(os.path.join(DIR, "ready"), "w") as f:
        f.write(str(os.getpid()))
    async with server:
        await server.serve_forever()


asyncio.run(main())
