#!/usr/bin/env python3
"""Checks the import rules ARCHITECTURE.md states for server/src.

- No file imports a file that imports it back, directly or around a circle (a module's
  `mod.rs` re-exporting a child counts as importing it).
- `views/` names no particular view (golden record, fraud, cache, audit).
- `views/` and `kafka/` do not import each other both ways.

Exits 1 naming each broken rule; prints nothing else on success but a one-line summary.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "server", "src")
PARTICULAR_VIEWS = ("golden", "fraud", "cache", "audit")


def module_path(rel):
    parts = rel[:-3].split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def without_tests_and_comments(text):
    text = re.split(r"#\[cfg\(test\)\]", text)[0]
    return re.sub(r"//[^\n]*", "", text)


def read_sources(root):
    sources = {}
    for directory, _, names in os.walk(root):
        for name in names:
            if name.endswith(".rs"):
                path = os.path.join(directory, name)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                with open(path, encoding="utf-8") as f:
                    sources[rel] = without_tests_and_comments(f.read())
    return sources


def imports(sources):
    files_of = {tuple(module_path(rel)): rel for rel in sources}

    def file_of(segments):
        for end in range(len(segments), -1, -1):
            found = files_of.get(tuple(segments[:end]))
            if found:
                return found
        return None

    edges = {rel: set() for rel in sources}
    path = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
    for rel, text in sources.items():
        me = module_path(rel)
        # `use crate::{a::b, c}` names each item after the braces' prefix.
        for group in re.finditer(r"use\s+(crate|super|self)::\{([^;]*)\};", text, re.S):
            for item in re.split(r",(?![^{]*\})", group.group(2)):
                head = re.split(r"::\{", item.strip().split(" as ")[0])[0]
                if head:
                    text += f"\n{group.group(1)}::{head}"
        for found in path.finditer(text):
            base, rest = found.group(1), found.group(2).split("::")[1:]
            segments = {"crate": rest, "self": me + rest, "super": me[:-1] + rest}[base]
            target = file_of(segments)
            if target and target != rel:
                edges[rel].add(target)
        # `use child::Item` and `pub use child::Item` in a module's own file.
        for found in re.finditer(r"\buse\s+([a-z_][a-z0-9_]*)::", text):
            target = files_of.get(tuple(me + [found.group(1)]))
            if target and target != rel:
                edges[rel].add(target)
    return edges


def circles(edges):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def main():
    sources = read_sources(ROOT)
    edges = imports(sources)
    problems = []
    for component in circles(edges):
        problems.append("files import each other around a circle: " + " -> ".join(component))
    for rel, text in sorted(sources.items()):
        if rel.startswith("views/"):
            for view in PARTICULAR_VIEWS:
                if re.search(rf"\bcrate::{view}\b", text):
                    problems.append(f"{rel} names the particular view module `{view}`")
    area = lambda rel: rel.split("/")[0] if "/" in rel else None
    crossing = {(area(a), area(b)) for a, targets in edges.items() for b in targets}
    if ("views", "kafka") in crossing and ("kafka", "views") in crossing:
        problems.append("views/ and kafka/ import each other")
    for problem in problems:
        print(f"check_imports: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check_imports: {len(sources)} files of server/src, no import circles")


if __name__ == "__main__":
    main()
