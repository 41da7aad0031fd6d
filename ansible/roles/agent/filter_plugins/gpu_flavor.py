"""GPU flavor names, the same rule as the agent's GpuFlavors (fr.catie.vaniila.agent).

The role compares what nvidia-smi lists with the inventory's flavors, so it must name a card exactly
as the agent will when it registers: lower-case the model, split on spaces and '-', drop the brand
words, stop at the first packaging word (a memory size, sxm*, pcie, hbm*, nvl, mig, nvlink), join,
then append -<GiB>g with the memory rounded to the nearest GiB.
"""
import re

BRAND_WORDS = {"nvidia", "geforce", "tesla", "quadro"}


def _is_packaging_word(word):
    return (re.fullmatch(r"\d+(gb|g)", word) is not None or word.startswith("sxm") or word == "pcie"
            or word.startswith("hbm") or word in ("nvl", "mig", "nvlink"))


def gpu_flavor(model, memory_mb):
    """The flavor of one GPU, e.g. ("NVIDIA H100 80GB HBM3", 81559) -> "h100-80g"."""
    kept = []
    for word in re.split(r"[\s-]+", str(model).lower()):
        if not word or word in BRAND_WORDS:
            continue
        if _is_packaging_word(word):
            break
        kept.append(re.sub(r"[^a-z0-9]", "", word))
    chip = "".join(kept) or "gpu"
    # Java's Math.round: half up.
    gib = max(1, int(float(memory_mb) / 1024.0 + 0.5))
    return "%s-%dg" % (chip, gib)


def nvidia_smi_flavors(csv_text):
    """Counts per flavor from `nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits`."""
    counts = {}
    for line in str(csv_text).splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 3:
            raise ValueError("unexpected nvidia-smi line (want index, name, memory.total): %r" % line)
        memory = cells[-1].replace("MiB", "").strip()
        name = ",".join(cells[1:-1])
        flavor = gpu_flavor(name, float(memory))
        counts[flavor] = counts.get(flavor, 0) + 1
    return counts


def expected_flavors(gpus):
    """Counts per flavor from the inventory's [{flavor, count}] list (a flavor may appear twice)."""
    counts = {}
    for entry in gpus or []:
        counts[entry["flavor"]] = counts.get(entry["flavor"], 0) + int(entry["count"])
    return counts


class FilterModule(object):
    def filters(self):
        return {
            "vaniila_gpu_flavor": gpu_flavor,
            "vaniila_nvidia_smi_flavors": nvidia_smi_flavors,
            "vaniila_expected_flavors": expected_flavors,
        }
