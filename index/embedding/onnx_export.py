"""Export a sentence-transformers model to ONNX once, so that queries run without torch.

The export is the only step that needs torch and transformers; it runs once per model folder
and backend (ahead of time with `python -m index export-model`, else on first use) and lands in
MODELS_DIR/<model slug>-<hash of the source folder>/<backend>/: another copy or version of the
model gets a folder of its own. It is written into a temporary folder and renamed into place,
under a lock, so concurrent processes export once and a killed export leaves nothing half-written.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.errors import ModelExportError
from index.settings import EmbeddingBackend

log = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
FUSED_BACKENDS: tuple[EmbeddingBackend, ...] = ("onnx",)
"""Backends whose BERT exports have attention, layer norms and GELU fused (`_fuse`); int8 keeps
the graph its quantized vectors were measured on."""
FUSED_TOLERANCE = 1e-5
"""Most a sample's vector may move (1 - cosine) between the export and its fused graph."""
INFO_FILE = "export.json"
LOCK_FILE = ".export.lock"
OPSET = 17
_PARTIAL_PREFIX = ".partial-"
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_SAMPLE = ("A short sentence.", "Ukraine signed 10-year bilateral security agreements with allies.")
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


@dataclass(frozen=True, slots=True)
class OnnxExport:
    """An export on disk: the model file and what `export.json` says about it."""

    folder: Path
    info: dict[str, Any]
    created: bool
    """True when this call made it, False when it was already there."""

    @property
    def model_file(self) -> Path:
        return self.folder / MODEL_FILE

    @property
    def size_bytes(self) -> int:
        return self.model_file.stat().st_size


def export_folder(models_dir: Path, model: str, source: Path, backend: EmbeddingBackend) -> Path:
    """Where the export of `source` for `backend` lives.

    The hash covers the source folder's path and its weights' size and modification time, so a
    reinstalled or changed model is exported again instead of being served stale, and, for a
    fused backend, the fusing (an export made before it is made again, fused).
    """
    slug = re.sub(r"[^a-z0-9]+", "-", model.lower().rsplit("/", 1)[-1]).strip("-") or "model"
    digest = hashlib.sha256(str(source.resolve()).encode("utf-8"))
    for name in _WEIGHT_FILES:
        weights = source / name
        if weights.is_file():
            stat = weights.stat()
            digest.update(f"\0{name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    if backend in FUSED_BACKENDS:
        digest.update(b"\0fused")
    return models_dir / f"{slug}-{digest.hexdigest()[:12]}" / backend


def find_export(folder: Path) -> OnnxExport | None:
    """The finished export in `folder`, or None (a folder is only ever there complete)."""
    try:
        info = json.loads((folder / INFO_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not (folder / MODEL_FILE).is_file() or not isinstance(info, dict):
        return None
    return OnnxExport(folder, info, created=False)


def ensure_export(
    models_dir: Path, model: str, source: Path, backend: EmbeddingBackend
) -> OnnxExport:
    """The export for `backend`, made now if there is none (which imports torch, once)."""
    folder = export_folder(models_dir, model, source, backend)
    found = find_export(folder)
    if found is not None:
        return found
    models_dir.mkdir(parents=True, exist_ok=True)
    with _export_lock(models_dir):
        found = find_export(folder)  # another process may have made it while we waited
        if found is not None:
            return found
        folder.parent.mkdir(parents=True, exist_ok=True)
        for stale in folder.parent.glob(f"{_PARTIAL_PREFIX}{backend}-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed export
        if folder.exists():  # an incomplete folder cannot be published by rename: never served
            shutil.rmtree(folder)
        log.info("exporting embedding model %s to ONNX (%s), once", model, backend)
        started = time.monotonic()
        staging = Path(tempfile.mkdtemp(prefix=f"{_PARTIAL_PREFIX}{backend}-", dir=folder.parent))
        try:
            info = _export(model, source, backend, staging)
            (staging / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n", "utf-8")
            os.replace(staging, folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            _remove_if_empty(folder.parent)
            raise
        log.info("exported %s in %.1f s to %s", model, time.monotonic() - started, folder)
        return OnnxExport(folder, info, created=True)


@contextmanager
def _export_lock(models_dir: Path) -> Iterator[None]:
    """One export at a time across processes: the second waits, then finds the first's."""
    with open(models_dir / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):
        folder.rmdir()


def _export(model: str, source: Path, backend: EmbeddingBackend, staging: Path) -> dict[str, Any]:
    """Write `staging/model.onnx` (fp32, or int8 by dynamic quantization) and describe it."""
    try:
        import onnxruntime
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        fusing = backend in FUSED_BACKENDS and _model_type(source) == "bert"
        # Attention written out as operations (not torch's fused kernel) is what the fuser finds.
        options = {"attn_implementation": "eager"} if fusing else {}
        tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
        loaded = AutoModel.from_pretrained(str(source), local_files_only=True, **options)
        loaded.eval()
        sample = tokenizer(list(_SAMPLE), padding=True, return_tensors="pt")
        inputs = tuple(
            sample.get(name, torch.zeros_like(sample["input_ids"])) for name in INPUT_NAMES
        )
        fp32 = staging / ("model-fp32.onnx" if backend == "onnx-int8" else MODEL_FILE)
        # The tracer warns about shape arithmetic it folds into constants; the export is checked
        # against torch's vectors by the tests, and the warnings only alarm a user at first use.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _keyword_wrapper(loaded),
                inputs,
                str(fp32),
                dynamo=False,
                input_names=list(INPUT_NAMES),
                output_names=["last_hidden_state"],
                dynamic_axes={
                    name: {0: "batch", 1: "seq"} for name in (*INPUT_NAMES, "last_hidden_state")
                },
                opset_version=OPSET,
            )
        fused: dict[str, int] = {}
        if fusing:
            sample_inputs = {n: t.numpy() for n, t in zip(INPUT_NAMES, inputs, strict=True)}
            fused = _fuse(fp32, loaded.config, sample_inputs)
        if backend == "onnx-int8":
            _quantize(fp32, staging / MODEL_FILE)
            fp32.unlink()
    except ModelExportError:
        raise
    except Exception as exc:
        raise ModelExportError(
            f"the embedding model {model!r} in {source} cannot be exported to ONNX ({exc}); "
            "set EMBEDDING_BACKEND=torch (the default) to run it as it is"
        ) from exc
    return {
        "source": model,
        "source_path": str(source),
        "backend": backend,
        "opset": OPSET,
        "fused": fused,
        "onnxruntime": onnxruntime.__version__,
        "torch": torch.__version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _model_type(source: Path) -> str | None:
    try:
        found = json.loads((source / "config.json").read_text("utf-8")).get("model_type")
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def _fuse(path: Path, config: Any, sample: dict[str, Any]) -> dict[str, int]:
    """Rewrite the BERT export at `path` with onnxruntime's transformer optimizer: each layer's
    attention, its layer norms and GELU become single operators (~340 nodes become ~50). A lone
    question is encoded ~0.8 ms faster on two threads (benchmarks/answer_capacity.py), as the
    threads meet at far fewer operators; batches gain nothing. The vectors stay the same: the
    sample's are compared before the fused graph replaces the export (else it is kept as it is).
    Returns how many operators of each fused kind it made."""
    import numpy as np
    import onnxruntime
    from onnxruntime.transformers.optimizer import optimize_model

    for name in list(logging.root.manager.loggerDict):  # its steps, logged at INFO, say nothing
        if name.startswith(("onnx_model", "fusion_", "onnxruntime.transformers")):
            logging.getLogger(name).setLevel(logging.WARNING)
    optimized = optimize_model(
        str(path),
        model_type="bert",
        num_heads=int(config.num_attention_heads),
        hidden_size=int(config.hidden_size),
        opt_level=0,  # the graph fusions alone: onnxruntime applies the rest when it loads it
    )
    fused_path = path.with_name("model-fused.onnx")
    optimized.save_model_to_file(str(fused_path))
    pooled = []
    for candidate in (path, fused_path):
        session = onnxruntime.InferenceSession(str(candidate), providers=["CPUExecutionProvider"])
        wanted = {i.name: sample[i.name] for i in session.get_inputs()}
        (hidden,) = session.run(["last_hidden_state"], wanted)
        mask = sample["attention_mask"][:, :, None]
        vectors = (hidden * mask).sum(axis=1) / mask.sum(axis=1)
        pooled.append(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    drift = float(1.0 - (pooled[0] * pooled[1]).sum(axis=1).min())
    if drift > FUSED_TOLERANCE:
        log.warning("the fused graph moves vectors by %.2g; the export is kept unfused", drift)
        fused_path.unlink()
        return {}
    os.replace(fused_path, path)
    counts = optimized.get_fused_operator_statistics()
    return {name: int(count) for name, count in counts.items() if count}


def _quantize(fp32: Path, target: Path) -> None:
    """int8 weights, one scale per output channel: per tensor, news vectors drift to ~0.95 cosine
    from torch's; per channel they stay at ~0.995."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = fp32.with_name("model-prepared.onnx")
    quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
    quantize_dynamic(str(prepared), str(target), weight_type=QuantType.QInt8, per_channel=True)
    prepared.unlink()


def _keyword_wrapper(model: Any) -> Any:
    """The transformer called with keyword arguments: positional ones clash in transformers 5."""
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    return LastHiddenState()
