# ruff: noqa
import sys, threading, socket, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

out = open(sys.argv[1], "a", buffering=1)


class Secret(BaseHTTPRequestHandler):
    def handle_one_request(self):
        out.write(f"tcp {self.client_address}\n")
        super().handle_one_request()

    def _any(self):
        out.write(f"{self.command} {self.path}\n")
        self.send_response(200)
        self.end_headers()

    do_GET = do_POST = _any

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Secret)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
print(server.server_address[1], udp.getsockname()[1], flush=True)


def u():
    while True:
        d, a = udp.recvfrom(2048)
        out.write(f"udp {len(d)}\n")


threading.Thread(target=u, daemon=True).start()
server.serve_forever()
