"""The names before the papers were named (docs/PAPERS.md), accepted until tfgan_reg 0.2: an
old architecture builds the same network and resumes an old run, the old module imports, an old
claim id names its claim, an old claim's record, pictures and runs are read back under the new
id; and no other file uses an old name. Delete this file with `nets.RENAMED` and
`reproduce.registry.RENAMED`."""
import ast
import dataclasses
import json
import os
import re

import numpy as np
import pytest

from tfgan_reg import config_lib, nets, runs
from tfgan_reg.reproduce import audit, icr_claims, registry, runner

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OLD = re.compile(r"seeds?[ _-]?00[0-4]", re.IGNORECASE)


def test_an_old_architecture_warns_and_builds_the_same_network():
    config = icr_claims.drift_config(quick=True)
    with pytest.warns(FutureWarning, match=r"model.arch='seed003_mnist' is now 'icr_mnist'"):
        old = nets.build("seed003_mnist", config.model, (28, 28, 1), seed=3)
    new = nets.build("icr_mnist", config.model, (28, 28, 1), seed=3)
    for a, b in zip(old, new):
        assert [w.shape for w in a.weights] == [w.shape for w in b.weights]
        for u, v in zip(a.get_weights(), b.get_weights()):
            np.testing.assert_array_equal(u, v)
    config.model.arch = "seed003_mnist"
    with pytest.warns(FutureWarning, match="is now 'icr_mnist'"):
        config_lib.validate(config)


def test_an_old_module_name_warns_and_is_the_new_module():
    with pytest.warns(FutureWarning, match=r"tfgan_reg.nets.seed003 is now tfgan_reg.nets.icr"):
        from tfgan_reg.nets import seed003
    assert seed003 is nets.icr
    with pytest.raises(AttributeError, match="has no attribute 'seed005'"):
        nets.seed005


@pytest.mark.parametrize("saved, current", [("seed003_mnist", "icr_mnist"),
                                            ("icr_mnist", "seed003_mnist")])
def test_a_run_saved_under_an_old_architecture_name_resumes(tmp_path, saved, current):
    config = icr_claims.drift_config(quick=True)
    workdir = str(tmp_path)
    os.makedirs(runs.checkpoint_dir(workdir))
    open(os.path.join(runs.checkpoint_dir(workdir), "ckpt-1.index"), "w").close()
    saved_config = json.loads(config.to_json())
    saved_config["model"]["arch"] = saved
    with open(os.path.join(workdir, "config.json"), "w") as f:
        json.dump(saved_config, f)
    config.model.arch = current
    with pytest.warns(FutureWarning, match="seed003_mnist"):
        runs.prepare_workdir(config, workdir)  # not refused
    config.model.arch = "dcgan"
    with pytest.raises(runs.IncompatibleWorkdir, match="model.arch: 'icr_mnist' -> 'dcgan'"):
        runs.prepare_workdir(config, workdir)


def test_an_old_claim_id_warns_and_names_its_claim():
    with pytest.warns(FutureWarning, match=r"'seed002.table1' is now 'mescheder.table1'"):
        (claim,) = registry.get(["seed002.table1"])
    assert claim.id == "mescheder.table1" and claim.citation == "Mescheder et al. 2018"
    # A misspelt old id is not guessed at: the error lists the ids.
    with pytest.raises(ValueError, match=r"Received: claims='seed002.tabel1'"):
        registry.get(["seed002.tabel1"])


def test_a_record_kept_under_an_old_claim_id_is_read_back_under_the_new_one(tmp_path):
    out = str(tmp_path)
    old, new = "seed002.critical", "mescheder.critical"
    os.makedirs(os.path.join(out, "pictures", old))
    open(os.path.join(out, "pictures", old, "r1.png"), "wb").close()
    os.makedirs(os.path.join(out, "runs", old, "seed0"))
    claim = registry.get([new])[0]
    record = dict(runner._text(claim), id=old, seed="seed 002", quick=False, seeds=[0],
                  result={"ours": "sigma_c 1.414214", "pictures": [f"pictures/{old}/r1.png"]},
                  verdict="reproduced", reason="planted", seconds=45.0,
                  setup_hash=audit.setup_hash(claim), verdict_hash=audit.verdict_hash(claim))
    del record["citation"]
    os.makedirs(os.path.join(out, "claims"))
    with open(os.path.join(out, "claims", f"{old}.json"), "w") as f:
        json.dump(record, f)

    def rerun(ctx):
        raise AssertionError("a finished claim ran again")
    with pytest.warns(FutureWarning, match=rf"'{old}' is now '{new}'.*pictures, runs, record"):
        again = runner.run_claim(dataclasses.replace(claim, experiment=rerun), out, seeds=(0,),
                                 verbose=False)
    assert again["id"] == new and "seed" not in again
    assert (again["verdict"], again["result"]["ours"]) == ("reproduced", "sigma_c 1.414214")
    assert again["citation"] == "Mescheder et al. 2018"
    assert again["result"]["pictures"] == [os.path.join("pictures", new, "r1.png")]
    assert sorted(os.listdir(os.path.join(out, "claims"))) == [f"{new}.json"]
    assert os.path.exists(os.path.join(out, "pictures", new, "r1.png"))
    assert os.path.isdir(os.path.join(out, "runs", new, "seed0"))
    assert not os.path.exists(os.path.join(out, "pictures", old))
    report = open(runner.write_report([again], out)).read()
    assert f"`{new}` (Mescheder et al. 2018, " in report and old not in report
    assert f"](pictures/{new}/r1.png)" in report


def test_the_alias_maps_name_current_things():
    assert set(registry.RENAMED.values()) == set(registry.PAPERS)
    assert all(new in nets.ARCHITECTURES or new == "icr" for new in nets.RENAMED.values())
    assert not set(nets.RENAMED) & set(nets.ARCHITECTURES)


def _renamed_lines(path):
    """The line numbers of the `RENAMED = {...}` statement of a module."""
    tree = ast.parse(open(path).read())
    (node,) = [n for n in tree.body if isinstance(n, ast.Assign)
               and any(getattr(t, "id", None) == "RENAMED" for t in n.targets)]
    return range(node.lineno, node.end_lineno + 1)


def test_no_file_uses_an_old_name():
    # The two alias maps may, inside their RENAMED statements; so may this file. README.md is
    # not checked here.
    allowed = {os.path.join("tfgan_reg", "nets", "__init__.py"):
               os.path.join(ROOT, "tfgan_reg", "nets", "__init__.py"),
               os.path.join("tfgan_reg", "reproduce", "registry.py"):
               os.path.join(ROOT, "tfgan_reg", "reproduce", "registry.py")}
    allowed_lines = {rel: _renamed_lines(path) for rel, path in allowed.items()}
    skipped_dirs = {os.path.join("docs", "reproduction", d) for d in ("runs", "claims")}
    found = []
    for top in ("tfgan_reg", "configs", "tests", "benchmarks", "examples", "docs"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
            rel_dir = os.path.relpath(dirpath, ROOT)
            dirnames[:] = [d for d in dirnames if d != "__pycache__"
                           and os.path.join(rel_dir, d) not in skipped_dirs]
            for name in dirnames + filenames:
                if OLD.search(name):
                    found.append(os.path.join(rel_dir, name))
            for name in filenames:
                rel = os.path.join(rel_dir, name)
                if rel == os.path.join("tests", "test_old_names.py") or not name.endswith(
                        (".py", ".md", ".json", ".txt", ".cfg", ".toml", ".ini", ".yaml")):
                    continue
                with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        if OLD.search(line) and number not in allowed_lines.get(rel, ()):
                            found.append(f"{rel}:{number}: {line.strip()[:80]}")
    assert not found, "old paper names (use docs/PAPERS.md's):\n" + "\n".join(found)
