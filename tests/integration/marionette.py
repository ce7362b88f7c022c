#!/usr/bin/env python3
"""Drives a headless Firefox through Marionette for the browser test.

Logs in to one token through Firefox's own NSS (PK11_CheckUserPassword, the
same C_Login the PIN dialog leads to), then opens a page whose server wants a
client certificate, and saves what the page says and a screenshot.  Prints
one JSON object: {"login": {...}, "text": ..., "error": ...}.

usage: marionette.py PORT TOKEN-LABEL PIN-ENV-VAR URL SCREENSHOT.png
The PIN comes from the named environment variable, never from argv.  A URL
of "-" logs in only (Thunderbird: no page, no screenshot).
"""
import base64
import json
import os
import socket
import sys
import time

LOGIN_JS = """
const [label, pin] = arguments;
const { ctypes } = ChromeUtils.importESModule("resource://gre/modules/ctypes.sys.mjs");
const nss = ctypes.open("libnss3.so");
const fn = (name, ret, ...args) => nss.declare(name, ctypes.default_abi, ret, ...args);
const findSlot = fn("PK11_FindSlotByName", ctypes.voidptr_t, ctypes.char.ptr);
const checkPw = fn("PK11_CheckUserPassword", ctypes.int, ctypes.voidptr_t, ctypes.char.ptr);
const isLoggedIn = fn("PK11_IsLoggedIn", ctypes.int, ctypes.voidptr_t, ctypes.voidptr_t);
const freeSlot = fn("PK11_FreeSlot", ctypes.void_t, ctypes.voidptr_t);
const slot = findSlot(label);
if (slot.isNull()) { nss.close(); return { error: "no token " + label }; }
const out = { rv: checkPw(slot, pin), loggedIn: isLoggedIn(slot, null) };
freeSlot(slot); nss.close(); return out;
"""


def connect(port, deadline):
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=60)
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


def session(port):
    sock = connect(port, time.time() + 60)
    rd = sock.makefile("rb")

    def frame():
        size = b""
        while (c := rd.read(1)) != b":":
            if not c:
                raise EOFError("marionette closed the connection")
            size += c
        return json.loads(rd.read(int(size)))

    frame()  # the server speaks first
    last = [0]

    def call(name, params=None):
        last[0] += 1
        data = json.dumps([0, last[0], name, params or {}]).encode()
        sock.sendall(b"%d:%s" % (len(data), data))
        while True:
            kind, mid, err, result = frame()
            if kind == 1 and mid == last[0]:
                if err:
                    raise RuntimeError(f"{name}: {err}")
                return result

    return call


def page(call, url, shot, out):
    """Opens url in the content context; its text into out, a screenshot."""
    call("Marionette:SetContext", {"value": "content"})
    try:
        call("WebDriver:Navigate", {"url": url})
        out["text"] = call("WebDriver:ExecuteScript",
                           {"script": "return document.body.innerText;"})["value"]
    except RuntimeError as e:
        out["error"] = str(e)
    png = call("WebDriver:TakeScreenshot", {"full": False})["value"]
    with open(shot, "wb") as f:
        f.write(base64.b64decode(png))


def main():
    port, label, pin_var, url, shot = sys.argv[1:6]
    pin = os.environ[pin_var]
    out = {"login": None, "text": None, "error": None}
    call = session(int(port))
    try:
        call("WebDriver:NewSession",
             {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": False}}})
        call("Marionette:SetContext", {"value": "chrome"})
        out["login"] = call("WebDriver:ExecuteScript",
                            {"script": LOGIN_JS, "args": [label, pin]})["value"]
        if url != "-":
            page(call, url, shot, out)
    finally:
        try:
            call("Marionette:Quit", {"flags": ["eForceQuit"]})
        except (EOFError, OSError, RuntimeError):
            pass
    print(json.dumps(out))


if __name__ == "__main__":
    main()
