"""``python -m analysis.evaluate.blind``: visits and meetings on our blind set
(``tests/data/blind_events.json``: 20 BBC business texts of ``../shared/eval``, outside the
development set, annotated by hand before any extractor output was seen). Score it once per
round of extraction changes and never tune on its misses."""
import json
import unicodedata

from analysis import config
from analysis.ingest import clean_record
from analysis.extract import extract_many
def norm(s): return unicodedata.normalize("NFKD", s or "").encode("ascii","ignore").decode().lower()
def sur(n): return norm(n).split()[-1] if n and norm(n).split() else ""


def main() -> int:
    gold = json.load(open(config.REPO_ROOT / "tests" / "data" / "blind_events.json"))["items"]
    items = []
    for g in gold:
        lines = open(config.SHARED_DIR / "eval" / g["path"], encoding="latin-1").read().split("\n")
        items.append(clean_record({"id": g["path"], "title": lines[0].strip(), "text": "\n".join(lines[1:]).strip()}))
    outs = {o["id"]: o for o in extract_many(items)}
    vtp=vfp=vfn=mtp=mfp=mfn=0
    for g in gold:
        evs = outs[g["path"]]["events"]
        pv = [e for e in evs if e["kind"] == "visit"]
        pm = [e for e in evs if e["kind"] in ("meeting", "talks")]
        def vm(p, gv): return p.get("destination_country") == gv["destination_country"] and (not gv["visitor"] or sur(gv["visitor"]) == sur(p.get("visitor")))
        for gv in g["visits"]:
            if any(vm(p, gv) for p in pv): vtp += 1
            else: vfn += 1; print("VFN", g["path"], gv["visitor"], gv["destination_country"])
        for p in pv:
            if not any(vm(p, gv) for gv in g["visits"] + g["optional_visits"]): vfp += 1; print("VFP", g["path"], p.get("visitor"), p.get("destination_country"), "|", p["evidence"][:90])
        def parts(e): return {sur(x) for f in ("participants","hosts","visitor","also_present") for x in (e.get(f) if isinstance(e.get(f), list) else [e.get(f)] if e.get(f) else [])}
        def mm(p, gm): return len(parts(p) & {sur(x) for x in gm["participants"]}) >= 2
        for gm in g["meetings"]:
            if any(mm(p, gm) for p in pm): mtp += 1
            else: mfn += 1; print("MFN", g["path"], gm["participants"])
        for p in pm:
            if not any(mm(p, gm) for gm in g["meetings"] + g["optional_meetings"]): mfp += 1; print("MFP", g["path"], p.get("participants"), "|", p["evidence"][:90])
    P=lambda t,f: t/(t+f) if t+f else 0
    print(f"blind visits P={P(vtp,vfp):.2f} R={P(vtp,vfn):.2f} (tp {vtp} fp {vfp} fn {vfn}); meetings P={P(mtp,mfp):.2f} R={P(mtp,mfn):.2f} (tp {mtp} fp {mfp} fn {mfn})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
