#!/usr/bin/env python3
"""The web front end's production bundle: what every page loads (index.html's scripts and styles) and each chunk,
raw and gzip -9. Run after `npm run build` in Coinage.Web/ClientApp (or any build of Coinage.Web):

    python3 bench/bundle-size.py [Coinage.Web/wwwroot]
"""
import gzip
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Coinage.Web", "wwwroot")
index = open(os.path.join(root, "index.html"), encoding="utf-8").read()
initial = set(re.findall(r'(?:src|href)="/?(assets/[^"]+\.(?:js|css))"', index))
rows = []
for name in sorted(os.listdir(os.path.join(root, "assets"))):
    if name.endswith((".js", ".css")):
        data = open(os.path.join(root, "assets", name), "rb").read()
        rows.append((name, len(data), len(gzip.compress(data, 9)), f"assets/{name}" in initial))
kib = lambda n: f"{n / 1024:,.0f} KiB"
first = [r for r in rows if r[3]]
print(f"loaded by every page: {kib(sum(r[1] for r in first))} raw, {kib(sum(r[2] for r in first))} gzip ({', '.join(r[0] for r in first)})")
print(f"all {len(rows)} files:  {kib(sum(r[1] for r in rows))} raw, {kib(sum(r[2] for r in rows))} gzip")
for name, raw, packed, on_every_page in sorted(rows, key=lambda r: -r[1]):
    print(f"  {name:45} {kib(raw):>10} {kib(packed):>10}{'  (every page)' if on_every_page else ''}")
