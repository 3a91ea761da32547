"""Run the documentation gallery's examples and check or rewrite their committed outputs.

Each example of ``docs/gallery/gallery.yaml`` is a list of ``aidc`` commands. They run in a fresh
temporary folder holding a copy of ``docs/gallery/inputs/``, with this checkout's ``src`` first
on the Python path, a fixed terminal width and time zone; the transcript (each command after
``$``, then what it printed) is ``docs/gallery/<name>.out.txt``, which the example's pages
include. Only what must vary between machines is normalised: the temporary folder, the
installed package's folder, and clock times.

    python scripts/gallery.py            # check: print a diff and exit 1 when an output changed
    python scripts/gallery.py --update   # rewrite the committed outputs (and the what-if inputs)
    python scripts/gallery.py --only gpus --update

``tests/docs/test_gallery.py`` runs the same check in CI.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
GALLERY = REPO / "docs" / "gallery"
INPUTS = GALLERY / "inputs"
MANIFEST = GALLERY / "gallery.yaml"
TIMEOUT_S = 300
# Wide enough that rich tables and the "wrote: ..." lines do not wrap on any machine.
COLUMNS = 120
# The inputs of the "power costs 20 % more" example, derived from the shipped default scenario
# and its tariff by tariff_plus20_text() and scenario_plus20_text().
BASE_SCENARIO = "jeonbuk-aidc"
TARIFF_PLUS20 = INPUTS / "kepco_plus20.yaml"
SCENARIO_PLUS20 = INPUTS / "power_plus20.yaml"
PLUS20_FACTOR = 1.2

if str(REPO / "src") not in sys.path:  # this checkout's aidc, not another installed one
    sys.path.insert(0, str(REPO / "src"))

# Clock times (ISO 8601, with or without seconds and zone) are the only things in an aidc output
# that legitimately change from one run to the next.
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
# "in 1.2 s" / "(0.84 s)" / "1.2초": durations printed by progress and summary lines.
_DURATION = re.compile(r"(?<![\w.])\d+(\.\d+)? ?(ms|s|초)(?![\w])")


@dataclass(frozen=True)
class Example:
    """One gallery example: its name (the file stem of its pages) and its commands."""

    name: str
    commands: tuple[str, ...]

    @property
    def output_path(self) -> Path:
        """Return the path of the committed transcript."""
        return GALLERY / f"{self.name}.out.txt"


def load_examples(manifest: Path = MANIFEST) -> list[Example]:
    """Return the examples of the gallery manifest, in its order."""
    raw = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    out = []
    for name, entry in (raw.get("examples") or {}).items():
        commands = tuple(entry["commands"])
        for cmd in commands:
            if shlex.split(cmd)[:1] != ["aidc"]:
                raise SystemExit(f"{manifest}: example '{name}': a command must start with 'aidc': {cmd!r}")
        out.append(Example(str(name), commands))
    return out


def _env(repo: Path) -> dict[str, str]:
    """Return the environment of a gallery command: this checkout's code, a fixed terminal and clock."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIDC_", "LC_", "FORCE_COLOR", "PYTEST"))}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(repo / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "COLUMNS": str(COLUMNS), "LINES": "50", "TERM": "dumb", "NO_COLOR": "1",
        "LANG": "C.UTF-8", "TZ": "Asia/Seoul", "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8",
    })
    return env


def _package_dirs(repo: Path) -> list[str]:
    """Return the folders of the aidc package that outputs may name (this checkout's and an installed one)."""
    dirs = {str(repo / "src" / "aidc")}
    try:
        import aidc

        dirs.add(str(Path(aidc.__file__).resolve().parent))
    except ImportError:
        pass
    return sorted(dirs, key=len, reverse=True)


def normalise(text: str, workdir: Path, package_dirs: list[str]) -> str:
    """Replace what varies between machines and runs; strip trailing blanks."""
    for d in package_dirs:
        text = text.replace(d, "<aidc>")
    for w in sorted({str(workdir), str(workdir.resolve())}, key=len, reverse=True):
        text = text.replace(w + os.sep, "").replace(w, ".")
    text = _TIME.sub("<time>", text)
    text = _DURATION.sub("<duration>", text)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def run_command(cmd: str, workdir: Path, repo: Path = REPO) -> str:
    """Run one ``aidc ...`` command in ``workdir``; return what it printed (and a non-zero status)."""
    args = shlex.split(cmd)[1:]
    launcher = "import sys; sys.argv[0] = 'aidc'; from aidc.cli import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", launcher, *args], cwd=workdir, env=_env(repo),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT_S, check=False,
    )
    out = proc.stdout.decode("utf-8", errors="replace")
    if proc.returncode:
        out += f"\n[exit status {proc.returncode}]\n"
    return out


def run_example(example: Example, repo: Path = REPO) -> str:
    """Return the normalised transcript of an example, run in a fresh folder with the inputs."""
    with tempfile.TemporaryDirectory(prefix="aidc-gallery-") as tmp:
        workdir = Path(tmp) / "work"
        shutil.copytree(INPUTS, workdir)
        parts = [f"$ {cmd}\n{run_command(cmd, workdir, repo)}" for cmd in example.commands]
        return normalise("\n".join(parts), workdir, _package_dirs(repo))


def base_tariff() -> tuple[str, Path]:
    """Return the default scenario's tariff key and the shipped file that holds it."""
    from aidc.scenario import load_scenario

    key = load_scenario(BASE_SCENARIO).energy.tariff
    for path in sorted((REPO / "src" / "aidc" / "data" / "tariffs").glob("*.yaml")):
        if key in (yaml.safe_load(path.read_text(encoding="utf-8")).get("tariffs") or {}):
            return key, path
    raise SystemExit(f"tariff {key!r} of scenario {BASE_SCENARIO} is not a shipped tariff")


def tariff_plus20_text() -> str:
    """Return the what-if tariff: the default one with every charge 20 % higher, as YAML text.

    The basic charge, the energy rates and the per-kWh add-ons are multiplied; the levies in
    per cent of the charges and the discounts then scale with them, so every bill is x 1.2.
    """
    key, path = base_tariff()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    common = raw["common"]
    for adder in common["adders"]:
        if adder["kind"] == "per_kwh":
            adder["value"] = round(adder["value"] * PLUS20_FACTOR, 6)
            adder["basis"] = "shipped value x 1.2 (gallery what-if: every charge 20 % higher)"
    base = raw["tariffs"][key]
    tariff = dict(base)
    tariff["label"] = f"{base['label']}, every charge +20 % (what-if)"
    tariff["basic_per_kw_month"] = round(base["basic_per_kw_month"] * PLUS20_FACTOR, 6)
    tariff["energy_per_kwh"] = {
        season: {band: round(v * PLUS20_FACTOR, 6) for band, v in rates.items()}
        for season, rates in base["energy_per_kwh"].items()
    }
    tariff["basis"] = (f"{key} ({path.relative_to(REPO)}) with the basic charge, energy rates "
                       "and per-kWh add-ons x 1.2")
    head = (
        "# What-if tariff of the gallery example 'what if power costs 20 % more?': the default\n"
        f"# scenario's {key} with its basic charge, energy rates and per-kWh add-ons x 1.2\n"
        "# (the levies in % of the charges and the discounts scale with them: every bill is x 1.2).\n"
        "# Written by scripts/gallery.py --update; tests/docs/test_gallery.py checks it.\n"
    )
    body = {"schema": raw["schema"], "common": common, "tariffs": {f"{key}_plus20": tariff}}
    return head + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=120)


def scenario_plus20_text() -> str:
    """Return the what-if scenario: the shipped default with the what-if tariff, as YAML text.

    ``economics.tariff_krw_per_kwh`` (the plan's price of a kWh, and the economics' fallback)
    rises by the same 20 %, so every stage sees the dearer power.
    """
    from aidc.scenario import _scenario_files, load_scenario

    key, _ = base_tariff()
    raw = yaml.safe_load(_scenario_files()[BASE_SCENARIO].read_text(encoding="utf-8"))
    raw["name"] = f"{BASE_SCENARIO}-power-plus20"
    raw["title"] = "Jeonbuk AIDC phase 1 — electricity 20 % dearer"
    raw["description"] = (f"The default scenario {BASE_SCENARIO} with every charge of the tariff {key} "
                          "(basic charge, energy rates, per-kWh add-ons) 20 % higher.")
    raw.setdefault("energy", {})["tariff"] = f"{TARIFF_PLUS20.name}#{key}_plus20"
    price = load_scenario(BASE_SCENARIO).economics.tariff_krw_per_kwh
    raw.setdefault("economics", {})["tariff_krw_per_kwh"] = round(price * PLUS20_FACTOR, 6)
    head = (
        "# Gallery example 'what if power costs 20 % more?': the shipped default scenario with\n"
        f"# every electricity charge 20 % higher ({TARIFF_PLUS20.name} beside this file).\n"
        "# Written by scripts/gallery.py --update; tests/docs/test_gallery.py checks it.\n"
    )
    return head + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=100)


_DERIVED_INPUTS = ((TARIFF_PLUS20, tariff_plus20_text), (SCENARIO_PLUS20, scenario_plus20_text))


def _diff(expected: str, got: str, name: str) -> str:
    return "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), got.splitlines(keepends=True),
        fromfile=f"docs/gallery/{name}.out.txt (committed)", tofile=f"{name} (this run)",
    ))


def main(argv: list[str] | None = None) -> int:
    """Check (default) or rewrite (``--update``) the gallery's committed outputs."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help="rewrite the committed outputs")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="only this example")
    opts = ap.parse_args(argv)
    for path, text in _DERIVED_INPUTS:
        if opts.update:
            path.write_text(text(), encoding="utf-8")
        elif path.read_text(encoding="utf-8") != text():
            print(f"{path.relative_to(REPO)} is out of date: run scripts/gallery.py --update")
            return 1
    examples = [e for e in load_examples() if not opts.only or e.name in opts.only]
    if opts.only and len(examples) != len(set(opts.only)):
        print(f"unknown example in {opts.only}; known: {[e.name for e in load_examples()]}")
        return 2
    changed = 0
    for ex in examples:
        got = run_example(ex)
        old = ex.output_path.read_text(encoding="utf-8") if ex.output_path.exists() else ""
        if opts.update:
            ex.output_path.write_text(got, encoding="utf-8")
            print(f"{'rewrote' if got != old else 'unchanged'}: {ex.output_path.relative_to(REPO)}")
        elif got != old:
            changed += 1
            print(_diff(old, got, ex.name))
    if changed:
        print(f"{changed} example(s) changed: check the diff, then run scripts/gallery.py --update")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
