#!/usr/bin/env python3
"""Turns the statements one HTTP request made members-service send (PostgreSQL's log with
log_statement=all, one window per request) into a pgbench script with the same text and the
same parameter values.

usage: capture.py LOG START END DATABASE OUT.sql [TABLE]
  LOG        PostgreSQL's log file; START/END byte offsets of the request's window
  DATABASE   only entries of this database (log_line_prefix has %u@%d)
  TABLE      the request's connection is the one that read this table (default people)
Writes OUT.sql and OUT.sql.vars (name=value, one a line, for pgbench -D). Prints the pgbench protocol to use: "prepared" when the service used named (cached) prepared
statements, "extended" for unnamed ones, "simple" when it sent plain text.

What is kept: the connection (pid) that ran a statement on TABLE, from the pool's checkout
test before it (`SELECT 1`) to the end of the window, outbox and job statements left out.
"""
import re
import sys

PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\S*)@(\S*) (LOG|DETAIL|STATEMENT|ERROR|WARNING):  (.*)$")
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def entries(text, database):
    out = []
    for line in text.splitlines():
        m = PREFIX.match(line)
        if m:
            pid, _user, db, level, msg = m.groups()
            out.append([pid, db, level, msg])
        elif out and line.startswith(("\t", " ")):
            out[-1][3] += " " + line.strip()
    return [e for e in out if e[1] == database]


def main():
    log, start, end, database, target = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode("utf-8", "replace")
    es = entries(text, database)
    # statements with their parameters, per pid
    stmts = []  # (pid, kind, name, sql, params)
    for pid, _db, level, msg in es:
        if level == "LOG":
            m = re.match(r"(execute|statement)(?: (\S+?))?: (.*)$", msg)
            if not m:
                continue
            kind, name, sql = m.groups()
            stmts.append([pid, kind, name, sql, {}])
        elif level == "DETAIL" and msg.startswith("parameters:") and stmts and stmts[-1][0] == pid:
            stmts[-1][4] = {int(n): v for n, v in PARAM.findall(msg)}
    table = sys.argv[6] if len(sys.argv) > 6 else "people"
    people = [s for s in stmts if f'"{table}"' in s[3]]
    if not people:
        sys.exit(f"capture.py: no statement on {table} in the window")
    pid = people[0][0]
    mine = [s for s in stmts if s[0] == pid and "outbox" not in s[3]]
    first = mine.index(people[0])
    while first > 0 and mine[first - 1][3].strip().upper().rstrip(";") in ("SELECT 1", "BEGIN"):
        first -= 1
    mine = mine[first:]
    # a later checkout of the same connection (its test query) is not part of this request
    while mine and mine[-1][3].strip().upper().rstrip(";") == "SELECT 1":
        mine.pop()
    # $n become pgbench variables (:sK_pN, given with -D from TARGET.vars), so that pgbench's
    # extended and prepared protocols send them as parameters, as the service does.
    lines, variables = [], []
    for k, (_pid, _kind, _name, sql, params) in enumerate(mine):
        for n in sorted(params, reverse=True):
            if params[n] == "NULL":
                sql = sql.replace(f"${n}", "NULL")
            else:
                sql = sql.replace(f"${n}", f":s{k}_p{n}")
                value = params[n][1:-1].replace("''", "'")
                variables.append(f"s{k}_p{n}={value}")
        lines.append(sql.rstrip().rstrip(";") + ";")
    with open(target, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(target + ".vars", "w") as f:
        f.write("".join(v + "\n" for v in variables))
    kinds = {(k, (n or "").startswith("<unnamed>")) for _p, k, n, _s, _q in mine}
    if any(k == "execute" and not unnamed for k, unnamed in kinds):
        print("prepared")
    elif any(k == "execute" for k, _u in kinds):
        print("extended")
    else:
        print("simple")


if __name__ == "__main__":
    main()
