"""cdp.py - a headless Chromium driven through the DevTools protocol, with a
minimal websocket client (RFC 6455, client side: masked text frames out,
unfragmented or continued frames in). Standard library only.

    b = Browser.start(tmpdir)     # None when chromium is not installed
    b.goto(url); b.eval("document.title"); b.screenshot(path); b.close()
"""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import time
import urllib.request


class WebSocket:
    def __init__(self, url):
        m = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        host, port, path = m.group(1), int(m.group(2)), m.group(3)
        self.sock = socket.create_connection((host, port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise OSError("websocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise OSError("websocket handshake refused: " + head.decode(errors="replace"))

    def send(self, text):
        data = text.encode()
        n = len(data)
        hdr = bytes([0x81])
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            hdr += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise OSError("websocket closed")
            out += chunk
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(n)
            op = b0 & 0x0F
            if op == 0x8:
                raise OSError("websocket closed by the browser")
            if op in (0x9, 0xA):
                continue  # ping/pong: nothing to do for this client
            message += payload
            if b0 & 0x80:
                return message.decode()


class Browser:
    @staticmethod
    def start(tmp):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            return None
        b = Browser()
        b.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--disable-component-update", "--no-default-browser-check",
             "--remote-debugging-port=0", f"--user-data-dir={tmp}/chromium",
             "--window-size=1200,900", "about:blank"],
            # A file, not a pipe nobody reads after the start: chromium would
            # block once it had written 64 KiB of warnings.
            stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/chromium.err", "w"))
        port = None
        end = time.time() + 30
        while time.time() < end and port is None and b.proc.poll() is None:
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/",
                          open(f"{tmp}/chromium.err", errors="replace").read())
            if m:
                port = int(m.group(1))
            else:
                time.sleep(0.05)
        if port is None:
            b.proc.kill()
            raise OSError("chromium did not start its DevTools endpoint")
        page = None
        while page is None:  # the page target may be listed a moment later
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                                       timeout=10))
            page = next((t for t in targets if t["type"] == "page"), None)
            if page is None:
                if time.time() > end:
                    b.proc.kill()
                    raise OSError("chromium lists no page")
                time.sleep(0.05)
        b.ws = WebSocket(page["webSocketDebuggerUrl"])
        b.next_id = 0
        b.events = []
        b.call("Page.enable")
        b.call("Runtime.enable")
        return b

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == mid:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]
            self.events.append(m)

    def wait_event(self, name, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            for i, m in enumerate(self.events):
                if m.get("method") == name:
                    return self.events.pop(i)
            self.ws.sock.settimeout(max(0.1, end - time.time()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except socket.timeout:
                break
            finally:
                self.ws.sock.settimeout(30)
        raise TimeoutError(f"no {name} event")

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, expr, timeout=30):
        """Poll until the expression is truthy (a page may still be loading)."""
        end = time.time() + timeout
        last = None
        while time.time() < end:
            try:
                last = self.eval(expr)
                if last:
                    return last
            except RuntimeError as e:
                last = e
            time.sleep(0.1)
        raise TimeoutError(f"never true: {expr} (last {last})")

    def goto(self, url):
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def screenshot(self, path):
        data = base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        with open(path, "wb") as f:
            f.write(data)
        return data

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
