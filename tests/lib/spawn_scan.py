"""The commands C and Python files start (for tests/lib/shell-commands.py).

C: the command of each system(), popen(), exec*() and posix_spawn*() call.
Python: the command of each subprocess, os.system/popen/exec*/spawn*/
posix_spawn*, pty.spawn and asyncio subprocess call.

A command given as a literal is found as it is: a shell command line
(system, popen, shell=True) is read by the shell scan, a program (exec,
spawn, an argument list) gives its name.  A command held in a variable is
followed to the literal the same file puts in it (C: snprintf(VAR, ...,
"...") or VAR = "..."; Python: VAR = [...] or "..."), or to a literal path
ending in /VAR (C: the program looked for on PATH under its own name).  What
cannot be followed is reported as "?EXPRESSION": the caller must say where
that command comes from, so a new kind of call is never passed over.
"""
import ast
import re

C_CALLS = {  # function: the index of the argument that names the command, shell or not
    "system": (0, True), "popen": (0, True),
    "execl": (0, False), "execlp": (0, False), "execle": (0, False), "execv": (0, False),
    "execvp": (0, False), "execvpe": (0, False), "execve": (0, False),
    "posix_spawn": (1, False), "posix_spawnp": (1, False),
}
C_CALL = re.compile(r"\b(" + "|".join(C_CALLS) + r")\s*\(")
C_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
C_COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)
PRINTF = re.compile(r"%[-+ #0]*(?:\*|[0-9]*)(?:\.(?:\*|[0-9]*))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfgGcspn%]")
C_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": ""}


def _c_text(literal):
    """A C string literal's body as text, its printf conversions as "$v" (a word of its own)."""
    text = re.sub(r"\\(.)", lambda m: C_ESCAPES.get(m.group(1), m.group(1)), literal)
    return PRINTF.sub(lambda m: "%" if m.group(0) == "%%" else "$v", text)


def _program(text):
    """The program a path names: a literal path as it is; after an expansion, its last part."""
    if "$v" not in text:
        return text
    tail = text.rsplit("/", 1)
    return tail[1] if len(tail) == 2 and "$v" not in tail[1] and tail[1] else None


def _arguments(s, i):
    """The top-level arguments of the call whose "(" is at s[i], and the index after ")"."""
    depth, start, args, j = 0, i + 1, [], i
    while j < len(s):
        c = s[j]
        if c == '"' or c == "'":
            m = re.compile(c + r"(?:[^" + c + r"\\\n]|\\.)*" + c).match(s, j)
            j = m.end() if m else j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(s[start:j].strip())
                return args, j + 1
        elif c == "," and depth == 1:
            args.append(s[start:j].strip())
            start = j + 1
        j += 1
    return args, j


def _literals(expr):
    """The text of an expression that is only adjacent string literals, else None."""
    parts = C_STRING.findall(expr)
    if not parts or C_STRING.sub("", expr).strip():
        return None
    return _c_text("".join(parts))


def scan_c(where, text, add, shell_scan):
    """Calls add(NAME, LINE) for each command the C text starts; shell_scan(TEXT, LINE) reads a
    shell command line."""
    # Comments out (their line breaks kept), strings and characters kept.
    code = C_COMMENT.sub(lambda m: m.group(0) if m.group(0)[0] in "\"'" else
                         "\n" * m.group(0).count("\n") or " ", text)
    for m in C_CALL.finditer(code):
        line = code.count("\n", 0, m.start()) + 1
        before = code[:m.start()].rstrip()
        if before.endswith(("*", ".", "->")) or re.search(r"\b(int|FILE)\s*\**$", before):
            continue        # a declaration, a member or a pointer, not a call
        index, shell = C_CALLS[m.group(1)]
        args, _ = _arguments(code, m.end() - 1)
        if len(args) <= index:
            continue
        expr = args[index]
        values = []
        text_value = _literals(expr)
        if text_value is not None:
            values.append((text_value, line))
        else:
            var = re.sub(r"^\((?:const\s+)?(?:char|void)\s*\*+\s*\)|^&|\s", "", expr)
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", var):
                # snprintf(var, size, "format", ...) and var = "..." (char var[] = "...")
                for a in re.finditer(r"\bs?n?printf\s*\(\s*" + var + r"\s*,", code):
                    fargs, _ = _arguments(code, code.index("(", a.start()))
                    fmt = next((f for f in fargs[1:3] if _literals(f) is not None), None)
                    if fmt is not None:
                        values.append((_literals(fmt), code.count("\n", 0, a.start()) + 1))
                for a in re.finditer(r"\b" + var + r"\s*(?:\[\s*\])?\s*=\s*((?:\"(?:[^\"\\\n]|\\.)*\"\s*)+)[;,]", code):
                    values.append((_literals(a.group(1)), code.count("\n", 0, a.start()) + 1))
                if not values and not shell:
                    # a program looked for under its own name: "%s/modutil" in a variable modutil
                    for lit in C_STRING.findall(code):
                        if _c_text(lit).endswith("/" + var):
                            values.append((var, line))
                            break
        if not values:
            add("?" + re.sub(r"\s+", " ", expr), line)
        for value, vline in values:
            if shell:
                shell_scan(value, vline)
            else:
                name = _program(value)
                add(name if name else "?" + value, vline)


PY_SHELL = {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
            "asyncio.create_subprocess_shell"}
PY_ARGV = {"subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call",
           "subprocess.check_output", "pty.spawn", "asyncio.create_subprocess_exec"}
PY_PROGRAM = {  # the index of the argument that names the program
    "os.execl": 0, "os.execle": 0, "os.execlp": 0, "os.execlpe": 0, "os.execv": 0,
    "os.execve": 0, "os.execvp": 0, "os.execvpe": 0, "os.posix_spawn": 0, "os.posix_spawnp": 0,
    "os.spawnl": 1, "os.spawnle": 1, "os.spawnlp": 1, "os.spawnlpe": 1, "os.spawnv": 1,
    "os.spawnve": 1, "os.spawnvp": 1, "os.spawnvpe": 1,
}


def scan_python(where, text, add, shell_scan):
    """Calls add(NAME, LINE) for each command the Python text starts; shell_scan(TEXT, LINE) reads
    a shell command line."""
    tree = ast.parse(text, where)
    names = {}          # a local name: the module function it is ("run": "subprocess.run")
    assigned = {}       # a variable: the values assigned to it
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                names[a.asname or a.name] = node.module + "." + a.name
        elif isinstance(node, ast.Import):
            for a in node.names:
                names[a.asname or a.name] = a.name
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    assigned.setdefault(t.id, []).append(node.value)

    def dotted(f):
        if isinstance(f, ast.Name):
            return names.get(f.id, f.id)
        if isinstance(f, ast.Attribute):
            base = dotted(f.value)
            return base + "." + f.attr if base else None
        return None

    def text_of(e):
        """A string expression as shell text (f-string parts as "$v"), or None."""
        if isinstance(e, ast.Constant) and isinstance(e.value, str):
            return e.value
        if isinstance(e, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "$v" for v in e.values)
        return None

    def resolve(e, depth=0):
        """The expressions a variable may hold (itself when it is not a plain variable)."""
        if isinstance(e, ast.Name) and e.id in assigned and depth < 3:
            return [x for v in assigned[e.id] for x in resolve(v, depth + 1)]
        return [e]

    def program(e, line, shell=False):
        for v in resolve(e):
            if isinstance(v, (ast.List, ast.Tuple)) and v.elts and not shell:
                v = v.elts[0]
                v = resolve(v)[0]
            t = text_of(v)
            if t is None:
                add("?" + ast.unparse(e), line)
            elif shell:
                shell_scan(t, line)
            else:
                name = _program(t)
                add(name if name else "?" + t, line)

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = dotted(node.func)
        if f is None:
            continue
        kw = {k.arg: k.value for k in node.keywords}
        first = node.args[0] if node.args else kw.get("args", kw.get("cmd"))
        if f in PY_SHELL and first is not None:
            program(first, node.lineno, shell=True)
        elif f in PY_ARGV and first is not None:
            sh = kw.get("shell")
            program(first, node.lineno, shell=isinstance(sh, ast.Constant) and sh.value is True)
        elif f in PY_PROGRAM and len(node.args) > PY_PROGRAM[f]:
            program(node.args[PY_PROGRAM[f]], node.lineno)
