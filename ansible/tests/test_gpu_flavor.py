"""Unit test of the agent role's GPU flavor filter: same names as the agent's GpuFlavors.

Run: python3 ansible/tests/test_gpu_flavor.py [fixture-dir]
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "roles", "agent", "filter_plugins"))
import gpu_flavor  # noqa: E402

REPO = os.path.join(HERE, "..", "..")
# The shared fixtures sit beside the checkout (../shared), or beside the worktrees' directory.
FIXTURES = os.environ.get("VANIILA_GPU_FIXTURES") or next(
    (d for d in (os.path.join(REPO, "..", "shared", "fixtures", "gpu"),
                 os.path.join(REPO, "..", "..", "shared", "fixtures", "gpu")) if os.path.isdir(d)),
    os.path.join(REPO, "..", "shared", "fixtures", "gpu"))


class GpuFlavorTest(unittest.TestCase):

    def test_names_as_the_agent_does(self):
        # The examples of the agent's GpuFlavors Javadoc.
        cases = [
            ("NVIDIA H100 80GB HBM3", 81559, "h100-80g"),
            ("NVIDIA GeForce RTX 2080 Ti", 11264, "rtx2080ti-11g"),
            ("Tesla V100-SXM2-16GB", 16160, "v100-16g"),
            ("NVIDIA A100-SXM4-40GB", 40960, "a100-40g"),
            ("NVIDIA TITAN RTX", 24576, "titanrtx-24g"),
            ("NVIDIA", 512, "gpu-1g"),
        ]
        for model, memory, flavor in cases:
            with self.subTest(model=model):
                self.assertEqual(flavor, gpu_flavor.gpu_flavor(model, memory))

    def test_rounds_memory_half_up(self):
        self.assertEqual("x-2g", gpu_flavor.gpu_flavor("X", 1536))
        self.assertEqual("x-1g", gpu_flavor.gpu_flavor("X", 1535))

    def test_counts_the_real_h100_output(self):
        path = os.path.join(FIXTURES, "h100-sxm-1gpu", "query-gpu.csv")
        if not os.path.exists(path):
            self.fail("fixture missing: %s (set VANIILA_GPU_FIXTURES to the shared fixtures/gpu directory)" % path)
        with open(path) as f:
            cells = [c.strip() for c in f.readline().split(",")]
        # query-gpu.csv has index, uuid, name, pci.bus_id, memory.total, ...: keep index, name, memory.total.
        line = "%s, %s, %s\n" % (cells[0], cells[2], cells[4])
        self.assertEqual({"h100-80g": 1}, gpu_flavor.nvidia_smi_flavors(line))
        self.assertEqual({"h100-80g": 2}, gpu_flavor.nvidia_smi_flavors(line + line.replace("0,", "1,", 1)))

    def test_sums_the_inventory(self):
        gpus = [{"flavor": "v100-16g", "count": 2}, {"flavor": "rtx2080ti-11g", "count": 1},
                {"flavor": "v100-16g", "count": "2"}]
        self.assertEqual({"v100-16g": 4, "rtx2080ti-11g": 1}, gpu_flavor.expected_flavors(gpus))

    def test_rejects_a_line_it_cannot_read(self):
        with self.assertRaises(ValueError):
            gpu_flavor.nvidia_smi_flavors("0, NVIDIA H100\n")


if __name__ == "__main__":
    unittest.main()
