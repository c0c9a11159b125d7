#!/usr/bin/env python3
"""Fit the router's confidence model and choose its thresholds by cross-validation.

usage: scripts/fit_router.py [--bin PATH] [--folds K] [--seed N] [--write] EVAL.jsonl ...

1. Runs `patchbay route --jsonl --explain` once over the labelled sets: every candidate
   slot comes back with its signals (features), its options and the final selection.
2. K-fold over the rows: on K-1 folds, fits a logistic model (label: the slot's first
   option is an expected tool) and chooses the select threshold that maximises
   selected-set accuracy, then the ask threshold that maximises one-click accuracy while
   asking on at most 10% of the rows that name their tools and on no row that needs none;
   scores the held-out fold. Prints the figures of every fold and their mean.
3. Fits on all the rows and, with --write, writes src/ranking/confidence.toml.

The decision is replayed here exactly as src/ranking/select.rs makes it, so the figures
are those of the binary built with the written model. Only signals are fitted: no prompt
text is read.
"""
import argparse, json, math, random, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "src" / "ranking" / "confidence.toml"
NAMED_ASK_LIMIT = 0.10
L2 = 1.0
OPTIONS_ASKED = 4

EQUIV = {"slack": {"slack", "slack_bot"}, "slack_bot": {"slack", "slack_bot"}}


def accept(slot):
    ids = slot if isinstance(slot, list) else [slot]
    out = set()
    for i in ids:
        out |= EQUIV.get(i, {i})
    return out


def exact_set(sel, exp):
    used = set()
    for acc in exp:
        hit = next((s for s in sel if s in acc and s not in used), None)
        if hit is None:
            return False
        used.add(hit)
    return not (set(sel) - used)


def one_click(sel, exp, asks):
    import itertools
    menus = [list(dict.fromkeys(a)) + [None] for a in asks][:4]
    return any(exact_set(sel + [p for p in pick if p], exp) for pick in itertools.product(*menus))


def load(files, binary):
    rows = []
    for f in files:
        data = [json.loads(l) for l in open(f) if l.strip()]
        if not data or "expected" not in data[0]:
            continue
        inp = "".join(json.dumps({k: r[k] for k in ("prompt", "app", "chips") if k in r}) + "\n" for r in data)
        p = subprocess.run([binary, "route", "--jsonl", "--explain"], input=inp, capture_output=True, text=True, check=True)
        outs = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        assert len(outs) == len(data), f"{f}: {len(outs)} answers for {len(data)} rows"
        for r, o in zip(data, outs):
            slots = o["explain"]["slots"]
            from_slots = {s["options"][0] for s in slots if s["decision"] == "selected"}
            # Tools selected by no slot (chips, a need joined to a selected tool) stay as they are.
            fixed = [s["connector"] for s in o["selected"] if s["connector"] not in from_slots]
            rows.append({"set": Path(f).name, "named": r.get("named") is True, "expected": [accept(s) for s in r["expected"]],
                         "slots": slots, "fixed": fixed})
    return rows


def names(rows):
    out = []
    for r in rows:
        for s in r["slots"]:
            for k in s["features"]:
                if k not in out:
                    out.append(k)
    return out


def vec(slot, feats):
    return [slot["features"].get(f, 0.0) for f in feats]


def label(slot, expected):
    return 1.0 if any(slot["options"][0] in acc for acc in expected) else 0.0


def solve(m, v):
    """Gaussian elimination with partial pivoting: m x = v."""
    n = len(v)
    a = [row[:] + [v[i]] for i, row in enumerate(m)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(n):
            if r != c and a[c][c]:
                f = a[r][c] / a[c][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return [a[i][n] / a[i][i] if a[i][i] else 0.0 for i in range(n)]


def fit(rows, feats, rounds=25):
    """L2-regularised logistic regression by Newton's method (IRLS)."""
    data = [(vec(s, feats), label(s, r["expected"])) for r in rows for s in r["slots"]]
    k = len(feats)
    w = [0.0] * k
    for _ in range(rounds):
        grad = [L2 * wi for wi in w]
        hess = [[L2 if i == j else 0.0 for j in range(k)] for i in range(k)]
        for x, y in data:
            z = sum(wi * xi for wi, xi in zip(w, x))
            p = 1 / (1 + math.exp(-max(-30, min(30, z))))
            on = [i for i, xi in enumerate(x) if xi]
            for i in on:
                grad[i] += (p - y) * x[i]
                for j in on:
                    hess[i][j] += p * (1 - p) * x[i] * x[j]
        step = solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step)]
        if max(abs(si) for si in step) < 1e-6:
            break
    return w


def conf(w, slot, feats):
    z = sum(wi * xi for wi, xi in zip(w, vec(slot, feats)))
    return 1 / (1 + math.exp(-max(-30, min(30, z))))


def decide(row, probs, select, ask):
    """The decision of select.rs: named slots, then needs; an ask whose option got selected goes."""
    sel = list(row["fixed"])
    asks = []
    for s, p in zip(row["slots"], probs):
        if s["kind"] == "named":
            if p >= select and s["options"][0] not in sel:
                sel.append(s["options"][0])
            continue
        taken = next((o for o in s["options"] if o in sel), None)
        f = s["features"]
        # A hint with no flow, no tool named beside it and none the app has is at most asked about.
        may_select = not (f.get("hint") and not f.get("flow") and not f.get("beside_named") and not f.get("chosen_by_app"))
        if (p >= select and may_select) or (p >= ask and f.get("chosen_by_app")):
            if s["options"][0] not in sel:
                sel.append(s["options"][0])
        elif p >= ask and taken:
            pass
        elif p >= ask:
            asks.append(s["options"][:OPTIONS_ASKED])
    asks = [a for a in asks if not any(o in sel for o in a)]
    return sel, asks


def probabilities(rows, w, feats):
    return [[conf(w, s, feats) for s in r["slots"]] for r in rows]


def score(rows, probs, select, ask):
    n = len(rows) or 1
    exact = clicked = asked = named = named_asked = none_asked = 0
    for r, ps in zip(rows, probs):
        sel, asks = decide(r, ps, select, ask)
        exact += exact_set(sel, r["expected"])
        clicked += one_click(sel, r["expected"], asks)
        asked += bool(asks)
        named += r["named"]
        named_asked += r["named"] and bool(asks)
        none_asked += (not r["expected"]) and bool(asks)
    return {"accuracy": exact / n, "one_click": clicked / n, "ask_rate": asked / n,
            "ask_named": named_asked / named if named else 0.0, "asks_on_none": none_asked}


GRID = [round(0.02 * i, 2) for i in range(1, 50)]


def macro(rows, probs, select, ask):
    """Each set counts the same, whatever its size: they come from different sources."""
    parts = {}
    for r, p in zip(rows, probs):
        parts.setdefault(r["set"], ([], []))
        parts[r["set"]][0].append(r)
        parts[r["set"]][1].append(p)
    scores = [score(rs, ps, select, ask) for rs, ps in parts.values()]
    whole = score(rows, probs, select, ask)
    mean = {k: sum(m[k] for m in scores) / len(scores) for k in ("accuracy", "one_click")}
    return mean, whole


def thresholds(rows, w, feats):
    """Select: best selected-set accuracy, the mean over the sets (ties: the higher, the
    fewer false tools). Ask: best mean one-click accuracy within the asking limits (ties:
    the higher, the fewer asks)."""
    probs = probabilities(rows, w, feats)
    best_s = max(GRID, key=lambda s: (macro(rows, probs, s, s)[0]["accuracy"], s))
    ok = []
    for a in [g for g in GRID if g <= best_s]:
        mean, whole = macro(rows, probs, best_s, a)
        if whole["ask_named"] <= NAMED_ASK_LIMIT and whole["asks_on_none"] == 0:
            ok.append((mean["one_click"], a))
    best_a = max(ok)[1] if ok else best_s
    return best_s, best_a


def per_set(rows, w, feats, s, a):
    out = {}
    for name in sorted({r["set"] for r in rows}):
        part = [r for r in rows if r["set"] == name]
        out[name] = score(part, probabilities(part, w, feats), s, a)
        if any(not r["named"] for r in part) and any(r["named"] for r in part):
            unnamed = [r for r in part if not r["named"]]
            out[name + " (unnamed)"] = score(unnamed, probabilities(unnamed, w, feats), s, a)
    return out


def show(label, m):
    return (f"{label:32s} accuracy={m['accuracy']:.3f} one_click={m['one_click']:.3f} "
            f"ask_rate={m['ask_rate']:.3f} ask_named={m['ask_named']:.3f} asks_on_none={m['asks_on_none']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "patchbay"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--write", action="store_true", help="write the model fitted on all rows")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    rows = load(a.files, a.bin)
    feats = names(rows)
    order = list(range(len(rows)))
    random.Random(a.seed).shuffle(order)
    folds = [order[k::a.folds] for k in range(a.folds)]
    lines = []
    totals = {}
    for k, held in enumerate(folds):
        held_set = set(held)
        train = [rows[i] for i in order if i not in held_set]
        test = [rows[i] for i in held]
        w = fit(train, feats)
        s, t = thresholds(train, w, feats)
        lines.append(f"fold {k + 1}: select={s:.2f} ask={t:.2f}")
        for name, m in per_set(test, w, feats, s, t).items():
            lines.append("  " + show(name, m))
            acc = totals.setdefault(name, {})
            for key, v in m.items():
                acc[key] = acc.get(key, 0.0) + v / a.folds
    lines.append(f"mean of {a.folds} held-out folds:")
    lines.extend("  " + show(name, m) for name, m in totals.items())
    print("\n".join(lines))
    w = fit(rows, feats)
    s, t = thresholds(rows, w, feats)
    print(f"all rows: select={s:.2f} ask={t:.2f}")
    for name, m in per_set(rows, w, feats, s, t).items():
        print("  " + show(name, m))
    if a.write:
        body = ["# Written by scripts/fit_router.py (logistic model fitted on the development sets;",
                f"# thresholds chosen by {a.folds}-fold cross-validation as the script describes).",
                "# Held-out fold figures at the time of writing:"]
        body += ["#   " + l for l in lines[-len(totals) - 1:]]
        body += [f"select = {s}", f"ask = {t}", "", "[weights]"]
        body += [f"{f} = {round(wi, 4)}" for f, wi in zip(feats, w)]
        MODEL.write_text("\n".join(body) + "\n")
        print(f"wrote {MODEL.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
