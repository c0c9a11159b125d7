#!/usr/bin/env python3
"""Find lexicon entries whose removal changes nothing on the labelled sets.

usage: scripts/lexicon_ablation.py [--bin PATH] EVAL.jsonl ...

For every need entry ([[need]] in lexicon/*/needs.toml) and every form ([[form]] in
lexicon/*/forms.toml), writes a copy of lexicon/ without it, routes every row with
`patchbay route --jsonl --lexicon COPY`, and compares the selections and questions with
those of the full lexicon. Entries that change no answer are listed: candidates to drop,
or to cover with a test of their own if they are kept for a reason the sets do not show.
"""
import argparse, json, re, shutil, subprocess, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^\[\[(need|form)\]\]\n", re.M)


def answers(binary, lexicon, lines):
    args = [binary, "route", "--jsonl"] + (["--lexicon", str(lexicon)] if lexicon else [])
    out = subprocess.run(args, input=lines, capture_output=True, text=True, check=True).stdout.splitlines()
    keep = lambda o: (sorted(s["connector"] for s in o.get("selected", [])), [a["options"] for a in o.get("asks", [])])
    return [keep(json.loads(l)) for l in out if l.strip()]


def blocks(text):
    """(kind, id, start, end) of every [[need]] and [[form]] block."""
    starts = [(m.group(1), m.start()) for m in BLOCK.finditer(text)]
    out = []
    for k, (kind, start) in enumerate(starts):
        end = starts[k + 1][1] if k + 1 < len(starts) else len(text)
        found = re.search(r'^id = "([^"]+)"', text[start:end], re.M)
        if found:
            out.append((kind, found.group(1), start, end))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "patchbay"))
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    rows = []
    for f in a.files:
        data = [json.loads(l) for l in open(f) if l.strip()]
        if data and "expected" in data[0]:
            rows += data
    lines = "".join(json.dumps({k: r[k] for k in ("prompt", "app", "chips") if k in r}) + "\n" for r in rows)
    base = answers(a.bin, None, lines)
    unused = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted((ROOT / "lexicon").glob("*/*.toml")):
            text = path.read_text()
            for kind, entry, start, end in blocks(text):
                copy = Path(tmp) / "lexicon"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(ROOT / "lexicon", copy)
                (copy / path.parent.name / path.name).write_text(text[:start] + text[end:])
                changed = sum(x != y for x, y in zip(base, answers(a.bin, copy, lines)))
                name = f"{path.parent.name}/{path.stem}.{entry}"
                print(f"{name:45s} {changed:4d} answers change without it")
                if not changed:
                    unused.append(name)
    print(f"\n{len(unused)} entries change nothing on these {len(rows)} rows:")
    for name in unused:
        print("  " + name)


if __name__ == "__main__":
    main()
