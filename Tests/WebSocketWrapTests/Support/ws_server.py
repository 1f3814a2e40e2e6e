"""WebSocket test server for WebSocketWrapTests (Python `websockets`, pinned).

Listens on loopback, port 0, and writes {"ws": port, "wss": port, "proxy": port}
to --port-file once every listener is up (written whole, then renamed). Behaviour is
chosen by the request path:

  /echo               echo every message
  /push?count=N       send "push 0" … "push N-1", then echo
  /close?code=C&reason=R   close at once with that code and reason
  /status/NNN         refuse the upgrade with HTTP NNN
  /mute               send "muted", then stop reading: pings get no pong
  /big?size=N         send one text message of N bytes, then "after", then echo
  /fragmented         send one text message in three fragments, then echo
  /headers            send the request headers as JSON, then echo
  /stats              send {"proxy_connections": n}, then echo

--cert/--key add a TLS listener ("wss"). The "proxy" listener is a minimal HTTP
CONNECT proxy that counts the tunnels it opens.
"""

import argparse
import asyncio
import json
import os
import ssl
import urllib.parse

from websockets.asyncio.server import serve
from websockets.http11 import Response
from websockets.datastructures import Headers

STATS = {"proxy_connections": 0}


def refuse(connection, request):
    path = urllib.parse.urlsplit(request.path).path
    if path.startswith("/status/"):
        status = int(path.rsplit("/", 1)[1])
        return connection.respond(status, f"refused with {status}\n")
    return None


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def handler(ws):
    url = urllib.parse.urlsplit(ws.request.path)
    query = dict(urllib.parse.parse_qsl(url.query))
    path = url.path
    if path == "/push":
        for index in range(int(query.get("count", "3"))):
            await ws.send(f"push {index}")
    elif path == "/close":
        await ws.close(int(query.get("code", "1000")), query.get("reason", ""))
        return
    elif path == "/mute":
        await ws.send("muted")
        ws.transport.pause_reading()
        await asyncio.sleep(3600)
        return
    elif path == "/big":
        await ws.send("x" * int(query.get("size", "0")))
        await ws.send("after")
    elif path == "/fragmented":
        await ws.send(["frag-", "ment", "ed"])
    elif path == "/headers":
        await ws.send(json.dumps({k.lower(): v for k, v in ws.request.headers.raw_items()}))
    elif path == "/stats":
        await ws.send(json.dumps(STATS))
    await echo(ws)


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def proxy(client_reader, client_writer):
    try:
        head = await client_reader.readuntil(b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if method != "CONNECT":
            client_writer.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            client_writer.close()
            return
        host, port = target.rsplit(":", 1)
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
    except (ValueError, OSError, asyncio.IncompleteReadError):
        client_writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
        client_writer.close()
        return
    STATS["proxy_connections"] += 1
    client_writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await client_writer.drain()
    await asyncio.gather(
        pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer)
    )


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    options = dict(process_request=refuse, ping_interval=None, max_size=None, compression=None)
    ports = {}
    async with serve(handler, "127.0.0.1", 0, **options) as plain:
        ports["ws"] = plain.sockets[0].getsockname()[1]
        servers = []
        if args.cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(args.cert, args.key)
            secure = await serve(handler, "127.0.0.1", 0, ssl=context, **options).__aenter__()
            servers.append(secure)
            ports["wss"] = secure.sockets[0].getsockname()[1]
        tunnel = await asyncio.start_server(proxy, "127.0.0.1", 0)
        ports["proxy"] = tunnel.sockets[0].getsockname()[1]
        temporary = args.port_file + ".tmp"
        with open(temporary, "w") as file:
            json.dump(ports, file)
        os.rename(temporary, args.port_file)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
