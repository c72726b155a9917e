#!/usr/bin/env python3
"""splice_chunk.py DUMP OTHER TABLE: replaces TABLE's chunks in DUMP with
OTHER's (a dump of the same table with other rows), manifest entries
included, so DUMP stays valid, every checksum right, but holds rows its
source never had: what only `dbmig verify` can catch."""
import json, os, shutil, sys

dump, other, table = sys.argv[1:4]
schema, name = table.split(".", 1)

def find(m):
    for t in m["schema"]["tables"]:
        if t["schema"] == schema and t["name"] == name:
            return t
    raise SystemExit("no table " + table)

with open(os.path.join(dump, "manifest.json")) as f:
    text = f.read()
m = json.loads(text)
with open(os.path.join(other, "manifest.json")) as f:
    o = json.load(f)
dst, src = find(m), find(o)
old = {c["file"] for c in dst["chunks"]}
for c in src["chunks"]:
    # keep DUMP's file names: the table's index is part of them
    name_in_dump = sorted(old)[0].rsplit("_c", 1)[0] + "_c" + c["file"].rsplit("_c", 1)[1]
    shutil.copyfile(os.path.join(other, c["file"]), os.path.join(dump, name_in_dump))
    c["file"] = name_in_dump
for f in old - {c["file"] for c in src["chunks"]}:
    os.remove(os.path.join(dump, f))
dst["chunks"] = src["chunks"]
dst["rows"] = src["rows"]
# The edit breaks the manifest's digest: drop it, as a dump written before
# dbmig had one (read with a warning), so the rows are what is tested.
m.pop("manifest_xxh3_128", None)
with open(os.path.join(dump, "manifest.json"), "w") as f:
    json.dump(m, f, indent=1)
