#!/usr/bin/env python3
"""A small HTTP proxy in front of moto_server for the EC2 tests and the benchmark.

It forwards every request unchanged and counts EC2 calls by Action. It can also play an
unhealthy AWS: answer the next N calls with HTTP 503 RequestLimitExceeded (throttling), or
go away for good after forwarding N calls (the endpoint disappearing mid-apply).

    ec2-proxy.py --upstream http://127.0.0.1:PORT/ --port-file FILE [--throttle N] [--die-after N]

Control (JSON): GET /_proxy/stats -> {"calls": {"RunInstances": 3, ...}, "throttled": 2}
                POST /_proxy/config {"throttle": N, "dieAfter": N, "reset": true}
"""
import argparse
import json
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

THROTTLED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>'
             b'<Message>Request limit exceeded.</Message></Error></Errors><RequestID>proxy-throttle</RequestID></Response>')


class State:
    def __init__(self, throttle, die_after):
        self.lock = threading.Lock()
        self.calls = {}
        self.throttled = 0
        self.throttle = throttle
        self.die_after = die_after
        self.forwarded = 0
        self.fail = None


def make_handler(upstream, state, server_ref):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="text/xml"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.startswith("/_proxy/stats"):
                with state.lock:
                    body = json.dumps({"calls": state.calls, "throttled": state.throttled,
                                       "total": sum(state.calls.values())}).encode()
                return self.reply(200, body, "application/json")
            self.forward(b"")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/_proxy/config"):
                config = json.loads(body or b"{}")
                with state.lock:
                    if config.get("reset"):
                        state.calls, state.throttled, state.forwarded = {}, 0, 0
                    if "throttle" in config:
                        state.throttle = int(config["throttle"])
                    if "dieAfter" in config:
                        state.die_after = config["dieAfter"]
                return self.reply(200, b"{}", "application/json")
            self.forward(body)

        def forward(self, body):
            action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]
            with state.lock:
                state.calls[action] = state.calls.get(action, 0) + 1
                failing = None
                if state.fail and state.fail["action"] == action:
                    if state.fail["after"] > 0:
                        state.fail["after"] -= 1
                    else:
                        failing = state.fail["code"]
                if failing:
                    throttle, dying = False, False
                elif state.throttle > 0:
                    state.throttle -= 1
                    state.throttled += 1
                    throttle = True
                else:
                    throttle = False
                    state.forwarded += 1
                if not failing and not throttle:
                    dying = state.die_after is not None and state.forwarded > int(state.die_after)
            if failing:
                body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code><Message>injected by the test '
                        'proxy: no capacity for this request</Message></Error></Errors><RequestID>proxy-fail</RequestID></Response>' % failing)
                return self.reply(500, body.encode())
            if throttle:
                return self.reply(503, THROTTLED)
            if dying:
                # The endpoint goes away: this connection drops, and nothing listens any more.
                self.close_connection = True
                threading.Thread(target=server_ref[0].shutdown, daemon=True).start()
                os._exit(0)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
            request = urllib.request.Request(upstream.rstrip("/") + self.path, data=body if self.command == "POST" else None,
                                             headers=headers, method=self.command)
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    status, data, kind = answer.status, answer.read(), answer.headers.get("Content-Type", "text/xml")
            except urllib.error.HTTPError as error:
                status, data, kind = error.code, error.read(), error.headers.get("Content-Type", "text/xml")
            self.reply(status, data, kind)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--throttle", type=int, default=0)
    parser.add_argument("--die-after", type=int, default=None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-action", default=None, help="ACTION:AFTER:CODE fails ACTION with CODE (HTTP 500) after AFTER successes")
    options = parser.parse_args()
    state = State(options.throttle, options.die_after)
    if options.fail_action:
        action, after, code = options.fail_action.split(":")
        state.fail = {"action": action, "after": int(after), "code": code}
    server_ref = [None]
    server = ThreadingHTTPServer(("127.0.0.1", options.port), make_handler(options.upstream, state, server_ref))
    server.daemon_threads = True
    server_ref[0] = server
    temporary = options.port_file + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(str(server.server_address[1]))
    os.replace(temporary, options.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
