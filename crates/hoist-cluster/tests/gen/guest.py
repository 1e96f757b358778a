#!/usr/bin/env python3
"""Writes tests/data/guest.json from labring/sealos lifecycle/pkg/guest/guest_test.go (the
formalizeImageCommands tables). usage: guest.py < guest_test.go
(e.g. `git -C <sealos mirror> show HEAD:lifecycle/pkg/guest/guest_test.go | python3 gen/guest.py`).
Each `shell("", "", X)` of the Go file is the command X (the `cd <workdir> && ` prefix is the
caller's job in hoist)."""
import json, os, re, sys

src = sys.stdin.read()

def go_str(s):
    return json.loads(s)  # Go interpreted string literals used here are JSON-compatible

def strs(text):
    return [go_str(m) for m in re.findall(r'"(?:[^"\\]|\\.)*"', text)]

def go_map(text):
    items = strs(text)
    return dict(zip(items[0::2], items[1::2]))

cases = []
for func in re.split(r'\nfunc ', src)[1:]:
    fname = func.split('(')[0]
    for block in re.split(r'\n\t\t\{\n\t\t\tname:', func)[1:]:
        name = go_str(re.match(r'\s*("(?:[^"\\]|\\.)*")', block).group(1))
        envs = go_map(re.search(r'envs:\s*map\[string\]string\{(.*?)\},\n', block).group(1))
        cm = re.search(r'Command: (nil|\[\]string\{(.*?)\})\}\}', block)
        command = [] if cm.group(1) == 'nil' else strs(cm.group(2))
        cmd = strs(re.search(r'Cmd:\s*\[\]string\{(.*?)\},\n', block).group(1))
        em = re.search(r'Entrypoint:\s*(nil|\[\]string\{(.*?)\}),\n', block)
        entry = [] if em.group(1) == 'nil' else strs(em.group(2))
        env = go_map(re.search(r'Env:\s*map\[string\]string\{(.*?)\},\n', block).group(1))
        want_text = re.search(r'want: \[\]string\{(.*)\},\n', block).group(1)
        want = [go_str(m) for m in re.findall(r'shell\("", "", ("(?:[^"\\]|\\.)*")\)', want_text)]
        cases.append({"test": fname, "name": name, "envs": envs, "command": command,
                      "cmd": cmd, "entrypoint": entry, "env": env, "want": want})

out = {"source": "labring/sealos lifecycle/pkg/guest/guest_test.go (beea1e56)", "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "guest.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(len(cases), "cases")
