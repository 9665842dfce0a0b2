"""Per-user limits: the ``limits`` config keys, what the hub config makes of them, and the cgroup paths and files.

The cgroup trees here are plain folders under tmp_path laid out like /sys/fs/cgroup (v1 and v2); the real
kernel interface is exercised by tests/integration/test_limits.py.
"""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError
from traitlets.config import Config

from hub_config.cgroups import Limits, UserCgroup, detect, oom_kills
from hub_config.limits import update_limits
from testbed_config import StackConfig

pytestmark = pytest.mark.unit


def test_are_the_default_limits_sized_by_the_capacity_plan():
    """Do trainees get 1 GiB, 256 tasks and one core by default, instructors more memory and tasks and all cores?"""
    lim = StackConfig().limits
    assert (lim.trainee_memory_mib, lim.trainee_processes, lim.trainee_cpu_cores) == (1024, 256, 1.0)
    assert (lim.instructor_memory_mib, lim.instructor_processes, lim.instructor_cpu_cores) == (4096, 1024, 0.0)


@pytest.mark.parametrize(
    "key, value, words",
    [("trainee_memory_mib", 100, "256 MiB 以上"), ("trainee_processes", 10, "64 以上"), ("trainee_cpu_cores", -1, "")],
)
def test_is_a_limit_too_small_to_run_a_server_refused(key, value, words):
    with pytest.raises(ValidationError) as e:
        StackConfig.model_validate({"limits": {key: value}})
    assert words in str(e.value)


def test_does_zero_mean_no_limit_and_an_unknown_key_fail():
    assert StackConfig.model_validate({"limits": {"trainee_memory_mib": 0, "trainee_processes": 0}}).limits
    with pytest.raises(ValidationError):
        StackConfig.model_validate({"limits": {"trainee_memory_mb": 512}})


def test_does_the_hub_config_give_admins_and_instructors_their_own_limits(tmp_path):
    cfg = StackConfig.model_validate(
        {
            "state_dir": str(tmp_path),
            "admins": ["boss"],
            "courses": [{"id": "odtb", "instructors": ["teacher"]}],
            "limits": {"trainee_memory_mib": 768, "instructor_cpu_cores": 2},
        }
    )
    c = Config()
    update_limits(c, cfg, is_root=True)
    assert c.TestbedSpawner.trainee_limits == {"memory_mib": 768, "tasks": 256, "cpu_cores": 1.0}
    assert c.TestbedSpawner.instructor_limits == {"memory_mib": 4096, "tasks": 1024, "cpu_cores": 2.0}
    assert c.TestbedSpawner.instructor_names == ["boss", "teacher"]


def test_does_demo_mode_set_no_limits():
    """Without root the hub can create no cgroups and every server runs as the hub's own account."""
    c = Config()
    update_limits(c, StackConfig(), is_root=False)
    assert "TestbedSpawner" not in c


def fake_v1(fs):
    """Controller hierarchies as /sys/fs/cgroup has them on cgroup v1."""
    for ctl in ("memory", "pids", "cpu"):
        (fs / ctl).mkdir(parents=True)
        (fs / ctl / "cgroup.procs").write_text("")


def prepare(group: UserCgroup, files: dict[str, dict[str, str]]) -> None:
    """cgroupfs makes a new group's files itself: stand in for it."""
    for ctl, content in files.items():
        d = group.fs / ctl / group.parent / group.name if ctl else group.fs / group.parent / group.name
        d.mkdir(parents=True, exist_ok=True)
        for name, value in content.items():
            (d / name).write_text(value)


V1_FILES = {
    "memory": {
        "memory.limit_in_bytes": "9223372036854771712",
        "memory.memsw.limit_in_bytes": "9223372036854771712",
        "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
        "cgroup.procs": "",
    },
    "pids": {"pids.max": "max", "cgroup.procs": ""},
    "cpu": {"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1", "cgroup.procs": ""},
}


def test_where_does_a_trainee_cgroup_live_in_each_layout(tmp_path):
    fake_v1(tmp_path)
    assert detect(tmp_path) == "v1"
    v1 = UserCgroup("jupyter-taro", fs=tmp_path)
    assert v1.dirs == [tmp_path / c / "testbed" / "jupyter-taro" for c in ("memory", "pids", "cpu")]
    assert v1.memory_dir == tmp_path / "memory" / "testbed" / "jupyter-taro"
    v2 = UserCgroup("jupyter-taro", parent="testbed/users", version="v2", fs=tmp_path)
    assert v2.dirs == [tmp_path / "testbed" / "users" / "jupyter-taro"]
    (tmp_path / "cgroup.controllers").write_text("memory pids cpu")
    assert detect(tmp_path) == "v2"
    assert detect(tmp_path / "nothing") == ""


@pytest.mark.parametrize("name", ["../etc", "a/b", "", ".hidden"])
def test_is_a_name_that_would_leave_the_parent_refused(name):
    with pytest.raises(ValueError):
        UserCgroup(name)


def test_are_the_v1_limits_written_and_a_pid_joined_everywhere(tmp_path):
    fake_v1(tmp_path)
    group = UserCgroup("jupyter-taro", fs=tmp_path)
    prepare(group, V1_FILES)
    group.create(Limits(memory_mib=1024, tasks=256, cpu_cores=0.5))
    mem = group.memory_dir
    assert (mem / "memory.limit_in_bytes").read_text() == str(1024 << 20)
    assert (mem / "memory.memsw.limit_in_bytes").read_text() == str(1024 << 20)  # swap is no way around it
    assert (tmp_path / "pids/testbed/jupyter-taro/pids.max").read_text() == "256"
    assert (tmp_path / "cpu/testbed/jupyter-taro/cpu.cfs_quota_us").read_text() == "50000"
    group.join(4242)
    assert all((d / "cgroup.procs").read_text() == "4242" for d in group.dirs)
    assert group.oom_kills() == 2


def test_does_raising_a_v1_memory_limit_write_memsw_first(tmp_path, monkeypatch):
    """The kernel refuses memory > memsw: growing writes memsw first, shrinking memory first."""
    fake_v1(tmp_path)
    group = UserCgroup("jupyter-taro", fs=tmp_path)
    prepare(group, V1_FILES)
    group.create(Limits(memory_mib=512))
    order = []
    real_write = type(group.memory_dir).write_text

    def spy(self, value, *a, **kw):
        order.append(self.name)
        return real_write(self, value, *a, **kw)

    monkeypatch.setattr(type(group.memory_dir), "write_text", spy)
    group.create(Limits(memory_mib=2048))
    assert order[:2] == ["memory.memsw.limit_in_bytes", "memory.limit_in_bytes"]
    order.clear()
    group.create(Limits(memory_mib=256))
    assert order[:2] == ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]


def test_does_no_limit_write_the_unlimited_values(tmp_path):
    fake_v1(tmp_path)
    group = UserCgroup("jupyter-taro", fs=tmp_path)
    prepare(group, V1_FILES)
    group.create(Limits())
    assert (group.memory_dir / "memory.limit_in_bytes").read_text() == "-1"
    assert (tmp_path / "pids/testbed/jupyter-taro/pids.max").read_text() == "max"
    assert not Limits().any and Limits(tasks=64).any


def test_are_the_v2_limits_written_in_one_tree(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("memory pids cpu")
    group = UserCgroup("jupyter-taro", version="v2", fs=tmp_path)
    prepare(group, {"": {"memory.events": "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n", "cgroup.procs": ""}})
    group.create(Limits(memory_mib=1024, tasks=256, cpu_cores=1.5))
    d = tmp_path / "testbed" / "jupyter-taro"
    assert (d / "memory.max").read_text() == str(1024 << 20)
    assert (d / "memory.swap.max").read_text() == "0"
    assert (d / "pids.max").read_text() == "256"
    assert (d / "cpu.max").read_text() == "150000 100000"
    assert "+memory" in (tmp_path / "testbed" / "cgroup.subtree_control").read_text()
    assert oom_kills(d, "v2") == 1


def test_is_an_emptied_group_removed_and_a_busy_one_reported(tmp_path):
    fake_v1(tmp_path)
    group = UserCgroup("jupyter-taro", fs=tmp_path)
    for d in group.dirs:
        d.mkdir(parents=True)
    assert group.remove() == []
    assert not any(d.exists() for d in group.dirs)
    prepare(group, V1_FILES)  # files inside: like a group with processes, rmdir fails
    assert group.remove() == group.dirs
    assert group.kill_all(timeout=0.2) == 0  # nothing listed in cgroup.procs
    assert os.getpid() not in group.pids()
