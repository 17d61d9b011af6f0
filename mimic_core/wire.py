"""What a VPN server and the simulated tunnel say to each other.

The tunnel carries no traffic, but its control exchanges are real datagrams
so that loss, latency, a dead server or a firewall show up exactly as they
would: as missing or late answers.

UDP (one JSON object per datagram):
  client -> server  {"t": "hs", "n": <nonce>, "c": <client id>}   handshake
  server -> client  {"t": "hs_ok", "n": <nonce>, "s": <server name>}
  client -> server  {"t": "ka", "q": <seq>, "p": "<padding>"}     keepalive
  server -> client  {"t": "ka_ok", "q": <seq>, "s": <server name>, "p": "<padding>"}
  client -> server  {"t": "bye"}                                   no answer

TCP control port (the firewall check: is the server there at all?):
  client -> server  b"PING\\n"
  server -> client  b"PONG <server name>\\n"

The VPN servers are played by the lab; the client side is the daemon's
tunnel and the app's probes.  Both import this module so the format is
defined once.
"""

from __future__ import annotations

from typing import Final, Literal

import msgspec

from mimic_core.json_depth import exceeds_depth

MAX_DATAGRAM: Final = 2048
# A datagram is one flat object; a value nested deeper than this (in a field
# a later version might add) is not decoded at all.  2 KB can nest about
# 1,000 deep, where msgspec raises RecursionError (see ``mimic_core.json_depth``).
MAX_DATAGRAM_DEPTH: Final = 8
TCP_PING: Final = b"PING\n"
TCP_PONG_PREFIX: Final = b"PONG "


class Handshake(msgspec.Struct, tag_field="t", tag="hs"):
    n: int
    c: str = ""


class HandshakeOk(msgspec.Struct, tag_field="t", tag="hs_ok"):
    n: int
    s: str


class Keepalive(msgspec.Struct, tag_field="t", tag="ka"):
    q: int
    p: str = ""


class KeepaliveOk(msgspec.Struct, tag_field="t", tag="ka_ok"):
    q: int
    s: str
    p: str = ""


class Bye(msgspec.Struct, tag_field="t", tag="bye"):
    pass


Datagram = Handshake | HandshakeOk | Keepalive | KeepaliveOk | Bye
DatagramKind = Literal["hs", "hs_ok", "ka", "ka_ok", "bye"]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Datagram)


def encode(datagram: Datagram) -> bytes:
    return _encoder.encode(datagram)


def decode(data: bytes) -> Datagram | None:
    """A datagram, or ``None`` for anything that is not one (never raises)."""
    if len(data) > MAX_DATAGRAM or exceeds_depth(data, MAX_DATAGRAM_DEPTH):
        return None
    try:
        datagram: Datagram = _decoder.decode(data)
        return datagram
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
