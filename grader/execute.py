"""nbgrader's Execute preprocessor, sandboxed: kernels under bubblewrap, a wall-time limit for the
whole notebook and a cap on the output kept (the kernel is untrusted, so the trusted side enforces)."""

from __future__ import annotations

import json
import time

from nbformat.notebooknode import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode, default

from grader import warm
from grader.netpolicy import default_ckan_url, sandbox_org, source_network
from grader.sandbox import SandboxKernelManager, sandbox_account

TIME_UP = "制限時間 (ノートブック全体で {seconds} 秒) を過ぎたため、このセルは実行されませんでした。"
OUTPUT_CUT = "\n… 出力が多すぎるため、ここから先は省略しました (上限 {limit} バイト)。\n"


class SandboxedExecute(Execute):
    """Execute that runs the kernel in grader.sandbox and bounds wall time and output size."""

    notebook_timeout = Integer(120, help="Wall-time limit for the whole notebook, seconds.").tag(config=True)
    max_output_bytes = Integer(1_000_000, help="Output kept per notebook, bytes; the rest is dropped.").tag(config=True)
    user_prefix = Unicode("jupyter-", help="Unix account prefix of trainees (hub user NAME -> PREFIX+NAME).").tag(
        config=True
    )
    fallback_user = Unicode("nobody", help="Account for kernels of students without their own account.").tag(
        config=True
    )
    fallback_uid = Integer(
        0, help="When > 0 (and run as root): anonymous uid for kernels of students without an account."
    ).tag(config=True)
    ckan_url = Unicode(help="CKAN_URL for notebooks whose source opts in to reading CKAN (grader.netpolicy).").tag(
        config=True
    )
    _network_policy = ""
    _sandbox_org = ""
    shutdown_kernel = "immediate"
    # a kernel that ignores the interrupt stays busy: let its cells time out (score 0), never abort
    raise_on_iopub_timeout = False

    @default("ckan_url")
    def _default_ckan_url(self) -> str:
        return default_ckan_url()

    def _network(self, info: dict) -> str:
        """The opt-in of the course's source notebook (never the submission's own metadata)."""
        if not info.get("assignment") or not info.get("notebook"):
            return ""
        root = CourseDirectory(config=self.config).root
        return source_network(root, info["assignment"], info["notebook"])

    def preprocess(self, nb, resources=None, km=None):
        info = (resources or {}).get("nbgrader") or {}
        student = info.get("student")
        self._network_policy = self._network(info)
        self._sandbox_org = sandbox_org(student, self.user_prefix) if self._network_policy == "ckan" else ""
        fallback = f"#{self.fallback_uid}" if self.fallback_uid > 0 else self.fallback_user
        self._sandbox_user = sandbox_account(student, self.user_prefix, fallback)
        self._deadline = time.monotonic() + self.notebook_timeout
        self._output_bytes = 0
        self._output_cut = False
        self._sandbox_km = None
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            if self._sandbox_km is not None:  # also when the kernel never started (no cleanup by nbclient)
                self._sandbox_km.remove_run_dir()

    def create_kernel_manager(self):
        kn = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        self.kernel_name = kn
        template = warm.active_template()
        kw = {"template": template} if template is not None else {"sandbox_user": self._sandbox_user}
        self.km = (warm.WarmKernelManager if template is not None else SandboxKernelManager)(
            kernel_name=kn,
            config=self.config,
            **kw,
            network=self._network_policy,
            ckan_url=self.ckan_url if self._network_policy == "ckan" else "",
            ckan_sandbox_org=self._sandbox_org,
        )
        self._sandbox_km = self.km
        return self.km

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _get_timeout(self, cell):
        base = super()._get_timeout(cell)
        remaining = max(1, int(self._remaining()) + 1)
        return remaining if base is None else min(base, remaining)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type == "code" and cell.source.strip() and self._remaining() <= 0:
            cell.outputs = [
                NotebookNode(
                    output_type="error",
                    ename="TimeLimitExceeded",
                    evalue=TIME_UP.format(seconds=self.notebook_timeout),
                    traceback=[TIME_UP.format(seconds=self.notebook_timeout)],
                )
            ]
            return cell
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

    def output(self, outs, msg, display_id, cell_index):
        # errors are always kept: nbgrader scores a test cell by whether it has an error output
        if msg["msg_type"] in ("stream", "display_data", "execute_result", "update_display_data"):
            self._output_bytes += len(json.dumps(msg["content"], ensure_ascii=False))
            if self._output_bytes > self.max_output_bytes:
                if not self._output_cut:
                    self._output_cut = True
                    outs.append(
                        NotebookNode(
                            output_type="stream", name="stderr", text=OUTPUT_CUT.format(limit=self.max_output_bytes)
                        )
                    )
                return None
        return super().output(outs, msg, display_id, cell_index)
