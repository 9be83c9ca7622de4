"""Every Dangan process collects cyclic garbage at ``DANGAN_GC_THRESHOLD`` new objects, not Python's 700."""

import ast
import gc
import os
import subprocess
import sys

from django.conf import settings

CHILD = "import django, gc; django.setup(); print(gc.get_threshold())"


def threshold_in_new_process(tmp_path, **env_extra) -> tuple:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGAN_GC")}
    env.update(DANGAN_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="dangan.settings", **env_extra)
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout)


def test_this_process_collects_at_the_configured_threshold():
    assert gc.get_threshold()[0] == settings.DANGAN_GC_THRESHOLD


def test_a_new_process_takes_the_default_threshold_and_keeps_pythons_older_generations(tmp_path):
    default_older = subprocess.run(
        [sys.executable, "-c", "import gc; print(gc.get_threshold()[1:])"], capture_output=True, text=True
    ).stdout.strip()
    threshold = threshold_in_new_process(tmp_path)
    assert threshold[0] == 50_000
    assert str(threshold[1:]) == default_older


def test_the_threshold_is_set_from_the_environment(tmp_path):
    assert threshold_in_new_process(tmp_path, DANGAN_GC_THRESHOLD="12345")[0] == 12345
