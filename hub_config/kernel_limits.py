"""Kernel start-up hook (``$PYTHONSTARTUP``, set by the spawner): tells the trainee in Japanese about limits.

When the memory limit of the trainee's cgroup stops a kernel, JupyterLab only says (in English) that the
kernel died and restarts it. The next kernel to start compares the cgroup's ``oom_kill`` counter with the
one it last saw (a file in the trainee's runtime directory) and prints an explanation above the output of
its first cell. ``MemoryError`` and a refused fork or thread (the process limit) get an explanation after
the usual traceback. Runs in the kernel's user namespace, so it leaves no names behind; outside IPython
(a plain ``python`` in a terminal) it does nothing.
"""


def _testbed_install_limit_hook():
    import errno
    import os
    from pathlib import Path

    try:
        ip = get_ipython()  # noqa: F821 (IPython's builtin)
    except NameError:
        return
    if ip is None or getattr(ip, "kernel", None) is None:
        return

    fs = Path("/sys/fs/cgroup")

    def memory_dir():
        """(directory, version) of this process's memory cgroup, or (None, "")."""
        try:
            lines = Path("/proc/self/cgroup").read_text().splitlines()
        except OSError:
            return None, ""
        for line in lines:
            _, controllers, path = line.split(":", 2)
            if "memory" in controllers.split(","):
                return fs / "memory" / path.lstrip("/"), "v1"
        for line in lines:
            if line.startswith("0::") and (fs / "cgroup.controllers").exists():
                return fs / line[3:].lstrip("/"), "v2"
        return None, ""

    def read_int(path, key=None):
        try:
            text = path.read_text()
        except OSError:
            return 0
        if key is None:
            text = text.strip()
            return int(text) if text.isdigit() else 0
        for line in text.splitlines():
            k, _, v = line.partition(" ")
            if k == key and v.strip().isdigit():
                return int(v)
        return 0

    configured = os.environ.get("TESTBED_LIMITS", "0 0").split()
    memory_mib = int(configured[0]) if configured and configured[0].isdigit() else 0
    tasks = int(configured[1]) if len(configured) > 1 and configured[1].isdigit() else 0

    mdir, version = memory_dir()
    pending = []
    if mdir is not None:
        limit = read_int(mdir / ("memory.max" if version == "v2" else "memory.limit_in_bytes"))
        if limit and limit < 1 << 60:
            memory_mib = limit // (1024 * 1024)
        kills = read_int(mdir / ("memory.events" if version == "v2" else "memory.oom_control"), "oom_kill")
        seen_file = Path(os.environ.get("JUPYTER_RUNTIME_DIR") or Path.home()) / ".testbed-oom-seen"
        seen = read_int(seen_file) if seen_file.exists() else kills
        if kills > seen:
            pending.append(
                "⚠ 直前のカーネルは、メモリの上限"
                + (f" ({memory_mib:,} MiB、サーバーと全カーネルの合計)" if memory_mib else "")
                + " を超えたため停止され、自動で再起動されました。\n"
                "  変数や読み込んだデータはすべて消えています。必要なセルを上から順に実行し直してください。\n"
                "  大きなデータは必要な列だけ読み込む (read_csv の usecols=…) か、少しずつ処理する (chunksize=…)、\n"
                "  使わないノートブックのカーネルを止める (メニュー「カーネル」→「カーネルのシャットダウン」)\n"
                "  と収まります。\n"
            )
        try:
            seen_file.write_text(str(kills))
        except OSError:
            pass

    def announce(*_args):
        if pending:
            print(pending.pop())
        ip.events.unregister("pre_run_cell", announce)

    if pending:
        ip.events.register("pre_run_cell", announce)

    def explain(shell, etype, evalue, tb, tb_offset=None):
        shell.showtraceback((etype, evalue, tb), tb_offset=tb_offset)
        if issubclass(etype, MemoryError):
            limit = f" (上限 {memory_mib:,} MiB、サーバーと全カーネルの合計)" if memory_mib else ""
            print(
                f"\nメモリが足りません{limit}。データを小さく分けて処理するか、"
                "使わない変数を del で消す、ほかのノートブックのカーネルを止めるなどしてください。"
            )
        elif (issubclass(etype, OSError) and evalue.errno == errno.EAGAIN) or (
            issubclass(etype, RuntimeError) and "new thread" in str(evalue)
        ):
            limit = f" ({tasks:,})" if tasks else ""
            print(
                f"\nプロセス・スレッド数の上限{limit} に達したため、新しいプロセスやスレッドを作れませんでした。"
                "研修環境はみんなで共有しています。プロセスを大量に作るコードは止めてください。"
            )
        return None

    ip.set_custom_exc((MemoryError, BlockingIOError, RuntimeError), explain)


_testbed_install_limit_hook()
del _testbed_install_limit_hook
