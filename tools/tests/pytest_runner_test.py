"""pytest_test treats an empty test file as a failure and shards as Bazel asks."""

import os
import subprocess
import sys

RUNNER = "tools/pytest_runner.py"


def test_no_collected_test_is_a_failure(tmp_path):
    empty = tmp_path / "empty_test.py"
    empty.write_text("")
    res = subprocess.run([sys.executable, RUNNER, str(empty), "--"], capture_output=True, text=True)
    assert res.returncode == 5, res.stdout + res.stderr
    assert "no test was collected" in res.stderr


def test_no_files_is_a_failure():
    res = subprocess.run([sys.executable, RUNNER, "--"], capture_output=True, text=True)
    assert res.returncode != 0 and "no files to test" in res.stderr


def test_shards_split_the_tests_between_them(tmp_path):
    tests = tmp_path / "many_test.py"
    tests.write_text("".join(f"def test_{n}():\n    pass\n" for n in range(5)))
    ran = []
    for index in range(2):
        status = tmp_path / f"shard{index}"
        env = dict(os.environ, TEST_TOTAL_SHARDS="2", TEST_SHARD_INDEX=str(index), TEST_SHARD_STATUS_FILE=str(status))
        env.pop("XML_OUTPUT_FILE", None)
        res = subprocess.run([sys.executable, RUNNER, str(tests), "--", "-v"], capture_output=True, text=True, env=env)
        assert res.returncode == 0, res.stdout + res.stderr
        assert status.exists(), "the runner did not tell Bazel that it shards"
        ran.append(sorted(line.split("::")[1].split()[0] for line in res.stdout.splitlines() if " PASSED" in line))
    assert ran == [["test_0", "test_2", "test_4"], ["test_1", "test_3"]]
