#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal (its controlling terminal, as a
user's shell gives it), answers its prompts, and records everything the
terminal showed.

    tool-pty.py TRANSCRIPT [--answer PROMPT TEXT]... -- COMMAND [ARG]...

For each --answer in turn: waits (at most 10 s) until PROMPT (a plain
string) appears in the output after the previous answer, then types TEXT
and Enter, as a user at the keyboard would.  The transcript is the bytes the
terminal showed (with the terminal's own echo, if the command left it on).
Exits with the command's exit status; 125 if a prompt never came.
"""
import os
import pty
import select
import sys
import time


def main():
    args = sys.argv[1:]
    transcript = args.pop(0)
    answers = []
    while args and args[0] == "--answer":
        answers.append((args[1].encode(), args[2].encode()))
        args = args[3:]
    if not args or args[0] != "--":
        sys.exit("usage: tool-pty.py TRANSCRIPT [--answer PROMPT TEXT]... -- COMMAND...")
    command = args[1:]

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)

    shown = b""
    seen = 0  # where the next prompt is looked for
    status = 125
    deadline = time.monotonic() + 10
    pending = list(answers)
    while True:
        if pending and pending[0][0] in shown[seen:]:
            prompt, text = pending.pop(0)
            seen = shown.index(prompt, seen) + len(prompt)
            time.sleep(0.1)  # let the command switch echo off, as a human is slower
            os.write(fd, text + b"\r")
            deadline = time.monotonic() + 10
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            break
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the command ended and closed the terminal
                data = b""
            if not data:
                break
            shown += data
    _, wait_status = os.waitpid(pid, 0)
    if pending:
        status = 125
    elif os.WIFEXITED(wait_status):
        status = os.WEXITSTATUS(wait_status)
    with open(transcript, "wb") as f:
        f.write(shown)
    sys.exit(status)


main()
