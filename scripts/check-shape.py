#!/usr/bin/env python3
"""The layout every service keeps (README "Inside a service"); run by .ci/run, fails on a breach.

- No function over 80 lines outside tests and route tables (`fn routes`).
- `api/` holds handlers only: no diesel query in it (queries live in `db/`), and no handler
  module uses another handler module (shared checks live in `api/access.rs`, `api/mod.rs` or
  below, in `app/`, `db/`, `domain/`).
- `domain/` does no I/O: no diesel, actix, reqwest, lettre or tokio in it.
- No state or kind compared with a string literal (`status == "cancelled"`,
  `batches::status.eq("running")`): states are `vocabulary!` enums.
- Each service crate has the same folders: api/, app/, db/, domain/.

Usage: scripts/check-shape.py [crate …] (default: the four services). Prints each breach.
"""
import os
import re
import sys

SERVICES = ["members-service", "meetings-service", "documents-service", "gateway"]
FOLDERS = ["api", "app", "db", "domain"]
MAX_LINES = 80
# Functions that are tables, not logic.
TABLE_FNS = {"routes"}
# Non-handler modules of api/ that handlers may share.
API_SHARED = {"access", "mod"}
DOMAIN_IO = re.compile(r"\b(diesel|actix_web|reqwest|lettre|tokio)::|\buse (diesel|actix_web|reqwest|lettre|tokio)\b|\bDbConn\b|\bDb\b")
STATE_LITERAL = re.compile(r'\b\w*(status|kind|state|action|role)\w*(\(\))?\s*[!=]=\s*""|\b\w*(status|kind|state|action|role)\w*\.(eq|ne)\(""\)|""\s*[!=]=\s*\w*(status|kind|state|action|role)\b')
DB_CALL = re.compile(r"\bdiesel::|::table\b|\.load\(|\.get_result|\.get_results|\.execute\(|\.first::<|\bsql_query\b")


def strip(src):
    """Source with comments and string/char literals blanked, newlines kept."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i)
            j = n if j < 0 else j + 2
            out.append("\n" * src.count("\n", i, j))
            i = j
            continue
        m = re.match(r'(?:b)?r(#*)"', src[i : i + 10])
        if m and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            end = '"' + m.group(1)
            j = src.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append('""' + "\n" * src.count("\n", i, j))
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append('""' + "\n" * src.count("\n", i, j))
            i = j + 1
            continue
        if c == "'":
            m = re.match(r"'(\\.|[^\\'])'", src[i : i + 4]) or re.match(r"'\\u\{[0-9a-fA-F]+\}'", src[i : i + 12])
            if m:
                out.append("' '")
                i += len(m.group(0))
                continue
        out.append(c)
        i += 1
    return "".join(out)


def without_tests(s):
    k = s.find("#[cfg(test)]")
    return s if k < 0 else s[:k]


def long_functions(path, s):
    for m in re.finditer(r"\bfn\s+(\w+)[^;{]*\{", s):
        if m.group(1) in TABLE_FNS:
            continue
        depth, j = 0, m.end() - 1
        while j < len(s):
            if s[j] == "{":
                depth += 1
            elif s[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        lines = s.count("\n", m.start(), j) + 1
        if lines > MAX_LINES:
            line = s.count("\n", 0, m.start()) + 1
            yield f"{path}:{line}: fn {m.group(1)} has {lines} lines (at most {MAX_LINES})"


def rust_files(root):
    for dp, _dn, fns in os.walk(root):
        for f in sorted(fns):
            if f.endswith(".rs") and f != "tests.rs":
                yield os.path.join(dp, f)


def check(crate):
    src = os.path.join(crate, "src")
    for folder in FOLDERS:
        if not os.path.isdir(os.path.join(src, folder)):
            yield f"{crate}: no src/{folder}/ (every service has {', '.join(FOLDERS)})"
    handlers = set()
    api = os.path.join(src, "api")
    for p in rust_files(api):
        if "#[utoipa::path" in open(p, encoding="utf-8").read():
            handlers.add(os.path.relpath(p, api)[:-3].replace(os.sep, "::"))
    for p in rust_files(src):
        s = without_tests(strip(open(p, encoding="utf-8").read()))
        yield from long_functions(p, s)
        rel = os.path.relpath(p, src)
        top = rel.split(os.sep)[0]
        for n, line in enumerate(s.split("\n"), 1):
            if STATE_LITERAL.search(line):
                yield f"{p}:{n}: a state compared with a string literal (use its enum)"
        if top == "api":
            me = os.path.relpath(p, api)[:-3].replace(os.sep, "::")
            for n, line in enumerate(s.split("\n"), 1):
                if DB_CALL.search(line):
                    yield f"{p}:{n}: a database call in api/ (queries live in db/)"
                for h in handlers - {me} - API_SHARED:
                    if re.search(rf"\b(crate::api|super)::{h}\b", line) or re.search(rf"^\s*use\s+super::\{{[^}}]*\b{h}\b", line):
                        yield f"{p}:{n}: handler module {me} uses handler module {h}"
        if top == "domain":
            for n, line in enumerate(s.split("\n"), 1):
                if DOMAIN_IO.search(line):
                    yield f"{p}:{n}: I/O in domain/ (rules only: {line.strip()[:60]})"


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    crates = sys.argv[1:] or SERVICES
    breaches = [b for c in crates for b in check(c)]
    for b in breaches:
        print(b)
    print(f"check-shape: {len(breaches)} breaches in {', '.join(crates)}")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
