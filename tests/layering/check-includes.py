#!/usr/bin/env python3
"""Layering check: prints the folder-level include graph of daemon/, filters/ and
keyring/ and fails on a cycle or on an include that ARCHITECTURE.md's table
("Who may use whom") does not allow. Usage: check-includes.py [SOURCE_DIR]"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
TOP = ("daemon", "filters", "keyring")


def read_table():
    """folder -> set of folders it names in 'may use' (direct), from ARCHITECTURE.md."""
    direct = {}
    for line in (ROOT / "ARCHITECTURE.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        folder = cells[0].strip("`")
        direct[folder] = set(re.findall(r"`([a-z/]+)`", cells[2]))
    return direct


def closure(direct):
    allowed = {}
    def walk(folder, seen):
        for dep in direct.get(folder, ()):
            if dep not in seen:
                seen.add(dep)
                walk(dep, seen)
        return seen
    for folder in direct:
        allowed[folder] = walk(folder, set())
    return allowed


def main():
    direct = read_table()
    allowed = closure(direct)
    files = [p for top in TOP for p in (ROOT / top).rglob("*") if p.suffix in (".h", ".cpp")]
    folder_of_header = {}
    problems = []
    for p in files:
        folder = p.parent.relative_to(ROOT).as_posix()
        if p.suffix == ".h":
            if p.name in folder_of_header:
                problems.append(f"{p.name} exists in {folder_of_header[p.name]} and {folder}")
            folder_of_header[p.name] = folder
    graph = {}
    for p in sorted(files):
        folder = p.parent.relative_to(ROOT).as_posix()
        if folder not in direct:
            problems.append(f"{folder}: not in ARCHITECTURE.md's table")
            continue
        graph.setdefault(folder, {})
        for n, line in enumerate(p.read_text().splitlines(), 1):
            m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
            if not m:
                continue
            target = folder_of_header.get(pathlib.PurePosixPath(m.group(1)).name)
            if target is None or target == folder:
                continue
            graph[folder].setdefault(target, []).append(f"{p.relative_to(ROOT)}:{n}")
            if target not in allowed[folder]:
                problems.append(f"{p.relative_to(ROOT)}:{n}: {folder} may not include {m.group(1)} ({target})")

    print("folder-level include graph (folder -> folders it includes, with the number of includes):")
    for folder in sorted(graph):
        edges = ", ".join(f"{t} ({len(graph[folder][t])})" for t in sorted(graph[folder]))
        print(f"  {folder} -> {edges or '-'}")

    # Cycles: depth-first search over the folder graph.
    state = {}
    def visit(folder, path):
        state[folder] = "open"
        for target in graph.get(folder, {}):
            if state.get(target) == "open":
                cycle = path[path.index(target):] + [target]
                problems.append("cycle: " + " -> ".join(cycle))
            elif target not in state:
                visit(target, path + [target])
        state[folder] = "done"
    for folder in sorted(graph):
        if folder not in state:
            visit(folder, [folder])

    for problem in problems:
        print("layering: " + problem, file=sys.stderr)
    print("layering: " + ("ok" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
