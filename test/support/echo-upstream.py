"""A tiny upstream in another language for the proxy tests: answers every method with the request it got as JSON
({"method", "path", "headers"}, header names lower-cased) and sets a cookie of its own. Prints its port, then a
line per request it received."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        # One line per request reached, so a test can prove a refused request never got here.
        print(f"request {self.command} {self.path}", flush=True)
        headers = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = value if key not in headers else headers[key] + ", " + value
        body = json.dumps({"method": self.command, "path": self.path, "headers": headers}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.send_header("set-cookie", "upstream=1; Path=/")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = answer

    def log_message(self, format, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
print(f"listening {server.server_address[1]}", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
