#!/usr/bin/env python3
"""Prints the commands shell scripts (and makefile recipes) run.

usage: shell-commands.py FILE...

One line per command name, "NAME FILE:LINE" (its first use).  A name is a
literal word in command position: at the start of a command (after ;, &, |,
(, newline, $( and `, and after if, then, do, ...), and the command that
wrappers run (exec, env, timeout, unshare, xargs, chroot, sh -c '...', and the
tests' own tap_ok, tap_fails, background, step, suite, tap_suite).  Words with
an expansion in them ("$STACK" start) are not literal and are left out, and so
are the functions the files define.  Makefiles (names ending in .am, .mk, or
"rules") contribute their recipe lines.  The scan is a heuristic, not a shell
parser: it finds the commands the tests' style of shell uses.  C files (.c)
and Python files (.py) contribute the commands they start (system, exec,
posix_spawn, subprocess, ...: tests/lib/spawn_scan.py); one that the scan
cannot follow to a literal is printed as "?EXPRESSION FILE:LINE".

usage: shell-commands.py --programs MAKEFILE...

Prints the names of the programs and libraries the makefiles build (the
build's own commands: bin_PROGRAMS, check_PROGRAMS, ..., and *_LTLIBRARIES
without .la), one a line.
"""
import os
import re
import sys

import spawn_scan

RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "case",
            "esac", "in", "function", "{", "}", "!", "[[", "]]", "time", "select", "coproc"}
# Words after which the next word is again a command.
AGAIN = {"if", "then", "else", "elif", "do", "while", "until", "{", "!", "time"}
# Wrappers: options that take an argument, and how many plain arguments come
# before the command they run.
WRAPPERS = {
    "exec": (set(), 0), "command": (set(), 0), "nohup": (set(), 0), "setsid": (set(), 0),
    "builtin": (set(), 0), "env": ({"-u", "-C"}, 0), "nice": ({"-n"}, 0),
    "timeout": ({"-s", "-k", "--signal", "--kill-after"}, 1),
    "unshare": ({"--propagation", "--setgroups", "--map-user", "--map-group", "-S", "-G",
                 "--setuid", "--setgid", "--wd", "-w", "--root", "-R"}, 0),
    "xargs": ({"-n", "-I", "-d", "-P", "-L", "-s", "-a", "-E"}, 0),
    "chroot": (set(), 1), "stdbuf": ({"-i", "-o", "-e"}, 0), "runuser": ({"-u", "-g"}, 0),
    "flock": ({"-w", "-E"}, 1), "tap_ok": (set(), 1), "tap_fails": (set(), 1),
    "background": (set(), 0), "step": (set(), 1), "suite": (set(), 3), "tap_suite": (set(), 1),
}
SHELLS = {"sh", "bash", "dash"}
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
FUNCTION = re.compile(r"^[ \t]*(function[ \t]+)?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\(\)", re.M)
NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*|/[A-Za-z0-9_./+-]+")


class Scanner:
    def __init__(self, where):
        self.where = where
        self.found = {}
        self.functions = set()

    def add(self, name, line):
        if name not in self.found:
            self.found[name] = f"{self.where}:{line}"

    def scan(self, text, line0=1):
        s = text
        n = len(s)
        i = 0
        line = line0
        expect = True       # the next word is in command position
        wrapper = None      # (options with argument, plain arguments left) of a wrapper
        shell_c = 0         # 1: after sh/bash, 2: after its -c (the next word is a script)
        case_pattern = False
        case_depth = 0
        skip_words = 0      # for/select: words until the separator are not commands
        heredocs = []
        prev_word = None
        redirect = False
        for m in FUNCTION.finditer(text):
            self.functions.add(m.group(2))

        def end_word(word, literal, raw, wline, quoted=False):
            nonlocal expect, wrapper, shell_c, case_pattern, case_depth, skip_words, prev_word
            nonlocal redirect
            if word is None:
                return
            if redirect:
                redirect = False
                return
            if shell_c == 2:
                self.scan(raw, wline)
                shell_c = 0
                expect = False
                return
            if shell_c == 1:
                if word == "-c":
                    shell_c = 2
                    return
                if word.startswith("-"):
                    return
                shell_c = 0
            if case_pattern:
                if word == "esac":
                    case_pattern = False
                    case_depth -= 1
                    expect = False
                return
            if skip_words:
                if word == "do":
                    skip_words = 0
                    expect = True
                return
            if word == "case" and expect:
                case_depth += 1
                expect = False
                prev_word = "case"
                return
            if word == "in" and prev_word == "case-word":
                case_pattern = True
                prev_word = None
                return
            if prev_word == "case":
                prev_word = "case-word"
                return
            if wrapper is not None:
                opts, left = wrapper[0], wrapper[1]
                if len(wrapper) == 3:       # the argument of an option
                    wrapper = (opts, left)
                    return
                if word.startswith("-") and literal and not quoted:
                    if word in opts:
                        wrapper = (opts, left, "arg")
                    return
                if ASSIGNMENT.match(word):
                    return
                if left > 0:
                    wrapper = (opts, left - 1)
                    return
                wrapper = None
                expect = True
            if not expect:
                return
            if ASSIGNMENT.match(word):
                return
            if word in ("for", "select"):
                skip_words = 1
                expect = False
                return
            if word in RESERVED:
                expect = word in AGAIN
                return
            expect = False
            if not literal or not NAME.fullmatch(word):
                return
            self.add(word, wline)
            if word in WRAPPERS:
                wrapper = WRAPPERS[word]
            elif word in SHELLS:
                shell_c = 1

        def separator(op):
            nonlocal expect, wrapper, shell_c, case_pattern, skip_words
            wrapper = None
            shell_c = 0
            if op == ";;" or op == ";&" or op == ";;&":
                if case_depth > 0:
                    case_pattern = True
                return
            if skip_words and op in (";", "\n"):
                skip_words = 0
            expect = True

        word = None
        literal = True
        quoted = False      # the word has a quoted part: never a wrapper's option
        raw = ""
        wline = line
        while i < n:
            c = s[i]
            if c == "\\" and i + 1 < n:
                if s[i + 1] == "\n":
                    i += 2
                    line += 1
                    continue
                word = (word or "") + s[i + 1]
                raw += s[i:i + 2]
                i += 2
                continue
            if c == "'":
                quoted = True
                j = s.find("'", i + 1)
                j = n if j < 0 else j
                if word is None:
                    wline = line
                word = (word or "") + s[i + 1:j]
                raw += s[i + 1:j]
                line += s.count("\n", i, j)
                i = j + 1
                continue
            if c == '"':
                quoted = True
                if word is None:
                    wline = line
                j = i + 1
                content = ""
                while j < n and s[j] != '"':
                    if s[j] == "\\" and j + 1 < n:
                        content += s[j:j + 2]
                        j += 2
                        continue
                    if s.startswith("$(", j) and not s.startswith("$((", j):
                        k = self.matching(s, j + 1)
                        self.scan(s[j + 2:k], line + s.count("\n", i, j))
                        literal = False
                        content += s[j:k + 1]
                        j = k + 1
                        continue
                    if s[j] == "`":
                        k = s.find("`", j + 1)
                        k = n if k < 0 else k
                        self.scan(s[j + 1:k], line + s.count("\n", i, j))
                        literal = False
                        j = k + 1
                        continue
                    if s[j] == "$":
                        literal = False
                    content += s[j]
                    j += 1
                word = (word or "") + content
                raw += content
                line += s.count("\n", i, j)
                i = j + 1
                continue
            if c == "$":
                if word is None:
                    wline = line
                if s.startswith("$((", i):
                    k = s.find("))", i)
                    k = n if k < 0 else k + 1
                elif s.startswith("$(", i):
                    k = self.matching(s, i + 1)
                    self.scan(s[i + 2:k], line)
                elif s.startswith("$'", i):
                    # ANSI-C quoting: backslash escapes up to the closing quote
                    k = i + 2
                    while k < n and s[k] != "'":
                        k += 2 if s[k] == "\\" else 1
                elif s.startswith("${", i):
                    k = self.matching(s, i + 1, "{", "}")
                else:
                    m = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*|.)", s[i:])
                    k = i + (len(m.group(0)) if m else 1) - 1
                literal = False
                word = (word or "") + s[i:k + 1]
                raw += s[i:k + 1]
                line += s.count("\n", i, k + 1)
                i = k + 1
                continue
            if c == "`":
                k = s.find("`", i + 1)
                k = n if k < 0 else k
                self.scan(s[i + 1:k], line)
                literal = False
                word = (word or "") + "x"
                i = k + 1
                continue
            if c == "#" and word is None:
                k = s.find("\n", i)
                i = n if k < 0 else k
                continue
            if c == "(" and word is not None and word.endswith("=") and ASSIGNMENT.match(word):
                # an array's elements: words, not commands
                k = self.matching(s, i)
                line += s.count("\n", i, k)
                i = k + 1
                continue
            if c == "(" and word is None and expect and s.startswith("((", i):
                # an arithmetic command
                k = s.find("))", i)
                k = n if k < 0 else k + 1
                line += s.count("\n", i, k)
                i = k + 1
                expect = False
                continue
            if c in "<>" and word is not None and word.isdigit():
                word = None     # a file descriptor: 3<>file
            if c in " \t\n;&|()<>":
                end_word(word, literal, raw, wline, quoted)
                word, literal, raw, quoted = None, True, "", False
                if c == "\n":
                    line += 1
                    for delim in heredocs:
                        # Skip the here-document's body up to its delimiter line.
                        while i + 1 < n:
                            k = s.find("\n", i + 1)
                            k = n if k < 0 else k
                            body_line = s[i + 1:k]
                            i = k
                            line += 1
                            if body_line.strip() == delim:
                                break
                    heredocs = []
                    separator("\n")
                    i += 1
                    continue
                if c in " \t":
                    i += 1
                    continue
                if c == "<" and s.startswith("<<", i) and not s.startswith("<<<", i):
                    m = re.match(r"<<-?\s*(['\"]?)([A-Za-z0-9_]+)\1", s[i:])
                    if m:
                        heredocs.append(m.group(2))
                        i += len(m.group(0))
                        continue
                if c in "<>" and s.startswith("(", i + 1):
                    # A process substitution <(...) or >(...): commands inside.
                    k = self.matching(s, i + 1)
                    self.scan(s[i + 2:k], line)
                    line += s.count("\n", i, k)
                    i = k + 1
                    if redirect:        # < <(...): the substitution was the file
                        redirect = False
                    else:
                        expect = False
                    continue
                if c in "<>":
                    # A redirection: the word that follows names a file, not a command.
                    m = re.match(r"[<>]+&?-?[ \t]*", s[i:])
                    i += len(m.group(0))
                    redirect = True
                    continue
                if c == ")":
                    if case_pattern:
                        case_pattern = False
                        expect = True
                        wrapper = None
                        i += 1
                        continue
                    # "NAME()" defines a function: its body's commands follow
                    expect = s[i - 1] == "(" and s[i - 2:i - 1] != "="
                    i += 1
                    continue
                op = re.match(r";;&|;;|;&|&&|\|\||\|&|[;&|(]", s[i:]).group(0)
                separator(op)
                i += len(op)
                continue
            if word is None:
                wline = line
            word = (word or "") + c
            raw += c
            i += 1
        end_word(word, literal, raw, wline, quoted)

    @staticmethod
    def matching(s, i, opening="(", closing=")"):
        """The index of the bracket that closes the one at s[i] (quotes and nesting respected)."""
        depth = 0
        j = i
        n = len(s)
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c == "'":
                k = s.find("'", j + 1)
                j = n if k < 0 else k + 1
                continue
            if c == '"':
                k = j + 1
                while k < n and s[k] != '"':
                    k += 2 if s[k] == "\\" else 1
                j = k + 1
                continue
            if c == opening:
                depth += 1
            elif c == closing:
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        return n


def recipes(text):
    """The recipe lines of a makefile, as one shell text per line (continuations joined)."""
    out = []
    lines = text.split("\n")
    k = 0
    while k < len(lines):
        ln = lines[k]
        start = k + 1
        if not ln.startswith("\t"):
            # a variable's value continued on the next lines is no recipe
            while lines[k].endswith("\\") and k + 1 < len(lines):
                k += 1
        elif ln.startswith("\t"):
            cmd = ln[1:]
            while cmd.endswith("\\") and k + 1 < len(lines):
                k += 1
                cmd = cmd[:-1] + " " + lines[k].lstrip("\t")
            cmd = cmd.lstrip("@-+ ")
            # make's own expansions are not shell's: a variable stands for a word
            cmd = re.sub(r"\$[({][A-Za-z_][A-Za-z0-9_]*[)}]|\$[@<^*?]", "$v", cmd).replace("$$", "$")
            out.append((start, cmd))
        k += 1
    return out


PROGRAMS = re.compile(r"^([A-Za-z0-9_]+_(?:PROGRAMS|SCRIPTS|LTLIBRARIES))\s*\+?=(.*)$")
VARIABLE = re.compile(r"^([A-Za-z0-9_]+)\s*\+?=(.*)$")


def programs(paths):
    """The base names of the programs, scripts and libraries the makefiles build."""
    values, lists = {}, []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = re.sub(r"\\\n", " ", f.read())
        for ln in text.split("\n"):
            m = VARIABLE.match(ln)
            if m:
                values[m.group(1)] = values.get(m.group(1), "") + " " + m.group(2)
                if PROGRAMS.match(ln):
                    lists.append(m.group(1))

    def expand(words, depth=0):
        for w in words.split():
            m = re.fullmatch(r"\$[({]([A-Za-z0-9_]+)[)}]", w)
            if m and depth < 10:
                yield from expand(values.get(m.group(1), ""), depth + 1)
            elif "$" not in w:
                yield os.path.basename(w).removesuffix(".la")
    return sorted({p for name in set(lists) for p in expand(values[name])})


def main():
    if sys.argv[1:2] == ["--programs"]:
        for name in programs(sys.argv[2:]):
            print(name)
        return
    found = {}
    functions = set()
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        sc = Scanner(path)
        if path.endswith((".am", ".mk")) or path.endswith("/rules"):
            for start, cmd in recipes(text):
                sc.scan(cmd, start)
        elif path.endswith(".c"):
            spawn_scan.scan_c(path, text, sc.add, sc.scan)
        elif path.endswith(".py"):
            spawn_scan.scan_python(path, text, sc.add, sc.scan)
        else:
            sc.scan(text)
        functions |= sc.functions
        for name, where in sc.found.items():
            found.setdefault(name, where)
    for name in sorted(found):
        if name not in functions:
            print(name, found[name])


if __name__ == "__main__":
    main()
