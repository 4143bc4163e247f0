"""The crisis detector gives the same findings in every process: which cue's span a finding shows
once depended on a set's iteration order, and string hashing differs between processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

TEXTS = [
    "I can't cope anymore. I've got the pills here and I'm going to take them all tonight. I want to die.",
    "my brother says he'll end it tonight, he's on the bridge and won't answer his phone, I'm scared he'll jump",
    "I have been self harming again and last night I nearly overdosed. I don't want to be alive, "
    "I've written letters to my family and I'm ready to go. Nobody would miss me, I'm a burden.",
    "kill myself kill me end it all overdose cutting noose bridge jump pills goodbye forever tonight",
]

SCRIPT = """
import json, sys
from civildesk.detectors.base import MessageInput, prepare
from civildesk.detectors.crisis import CrisisDetector
detector = CrisisDetector()
texts = json.loads(sys.stdin.read())
print(json.dumps([[list(map(str, (f.start, f.end, f.kind, f.score))) for f in detector.detect(prepare(MessageInput(t)))] for t in texts]))
"""


def findings_with_hash_seed(seed: int) -> list[object]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(TEXTS),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return list(json.loads(out.stdout))


def test_findings_do_not_depend_on_the_process_hash_seed() -> None:
    runs = [findings_with_hash_seed(seed) for seed in (1, 2, 3, 4, 5, 6)]
    assert all(run == runs[0] for run in runs[1:])
    assert all(found for found in runs[0]), "every text is a crisis text: the test must exercise the detector"
