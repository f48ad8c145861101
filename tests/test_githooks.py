"""`.githooks/commit-msg`: a commit subject of at most 72 characters, then a blank line
(CONTRIBUTING.md, "Commits")."""
import os
import subprocess
import sys

import pytest

from helpers import ROOT


@pytest.mark.parametrize("message, refused", [
    ("training/: one package for the loop and its evaluation\n\nWhy, and 2 figures.\n", None),
    ("Subject only, no body\n# git's comment lines do not count\n", None),
    ("x" * 72 + "\n", None),
    ("x" * 73 + "\n\nbody\n", "73 characters"),
    ("A subject\nwith the body glued on\n", "second line must be blank"),
    ("\n\nbody after an empty subject\n", "subject (first line) is empty"),
])
def test_the_commit_msg_hook_holds_subjects_to_72_characters(message, refused, tmp_path):
    path = tmp_path / "COMMIT_EDITMSG"
    path.write_text(message)
    out = subprocess.run([sys.executable, os.path.join(ROOT, ".githooks", "commit-msg"),
                          str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == (1 if refused else 0), out.stderr
    assert (refused or "") in out.stderr and bool(out.stderr) == bool(refused), out.stderr
