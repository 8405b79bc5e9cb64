"""Export a local sentence-transformers model to ONNX, offline, once per data folder.

The export runs from the model's own weights with PyTorch's TorchScript exporter (needs the
`onnx` package) and then quantises a copy to int8 for passages (needs `onnxruntime`). Nothing
is downloaded. The result is written to a temporary folder and renamed into place, so a
crashed or concurrent export never leaves a half-written model behind.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

EXPORT_FORMAT = 1  # bump when the files written here change shape
_MANIFEST = "export.json"
# TorchScript exporter opset; 17 has LayerNormalization as a single fused op.
_OPSET = 17
# The int8 copy is used only if it agrees with fp32 at least this well on the calibration
# passages (mean cosine), the same bar the plain model is held to in the tests.
MIN_INT8_AGREEMENT = 0.99
# The FFN output projection of the first two layers stays fp32: its input (GELU output) has
# outliers that int8 activations clip. On the 160 dev listings with all-MiniLM-L6-v2,
# int8 everywhere agreed with fp32 at cosine 0.988 mean (0.971 min); keeping these two
# matmuls fp32 gives 0.994 mean (0.988 min) for 2 of 36 matmuls; all six layers 0.996.
_KEEP_FP32 = re.compile(r"layer\.[01]/output/dense/MatMul$")

# Passages to check the int8 copy against fp32: English and Korean, short and long, like
# listing descriptions (50-250 words), since quantisation error grows with length.
CALIBRATION_PASSAGES = (
    "Webtoon series about a delivery rider in Gwangju who can see the ghosts of the city.",
    "A folk song archive of field recordings from island villages, with lyrics and scores.",
    "Low-poly 3D assets of traditional Korean houses, rigged and textured for game engines, "
    "with roof tiles, wooden gates, courtyards and stone walls in four seasons. " * 6,
    "Photographs of tea plantations at dawn, mist over the terraces, pickers at work, "
    "drying rooms and the old kilns, shot over three years in Boseong county. " * 5,
    "판소리 공연 실황 영상과 무대 사진, 소리꾼 인터뷰를 묶은 아카이브입니다. " * 8,
    "남도의 섬마을을 배경으로 한 판타지 웹툰. 바다를 지키는 용과 소녀의 우정 이야기로, "
    "캐릭터 설정집과 배경 원화를 함께 제공합니다. " * 5,
    "An immersive media-art piece: projection mapping of bamboo forests on a 360-degree wall, "
    "with a generative soundtrack that reacts to the audience. " * 4,
    "Character IP: a clumsy stone guardian and his two brothers, for emoticons and goods.",
)


@dataclass(frozen=True)
class OnnxExport:
    folder: Path
    fp32_path: Path
    int8_path: Path | None  # None when the int8 copy did not agree well enough
    dimension: int
    int8_agreement: float | None


def ensure_exported(model_folder: Path, cache_dir: Path) -> OnnxExport:
    """The ONNX export of `model_folder` under `cache_dir`, exporting it first if needed."""
    existing = _read(cache_dir)
    if existing is not None:
        return existing
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix=f".{cache_dir.name}.", dir=cache_dir.parent))
    try:
        _export_into(model_folder, work_dir)
        try:
            os.rename(work_dir, cache_dir)
        except OSError:  # another process finished first: use its export
            shutil.rmtree(work_dir, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise
    exported = _read(cache_dir)
    if exported is None:
        raise RuntimeError(f"ONNX export into {cache_dir} did not produce {_MANIFEST}")
    return exported


def _read(cache_dir: Path) -> OnnxExport | None:
    manifest_path = cache_dir / _MANIFEST
    if not manifest_path.is_file():
        return None
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != EXPORT_FORMAT:
        return None
    int8_name = manifest.get("int8")
    return OnnxExport(
        folder=cache_dir,
        fp32_path=cache_dir / manifest["fp32"],
        int8_path=cache_dir / int8_name if int8_name else None,
        dimension=int(manifest["dimension"]),
        int8_agreement=manifest.get("int8_agreement"),
    )


def _export_into(model_folder: Path, work_dir: Path) -> None:
    import onnx  # noqa: F401  (the TorchScript exporter needs it; fail before the slow part)

    fp32_path = work_dir / "model.onnx"
    int8_path = work_dir / "model.int8.onnx"
    dimension = _export_fp32(model_folder, fp32_path)
    _quantise_int8(fp32_path, int8_path)
    agreement = _agreement(model_folder, fp32_path, int8_path, dimension)
    keep_int8 = agreement >= MIN_INT8_AGREEMENT
    if not keep_int8:
        logger.warning(
            "int8 export of %s agrees with fp32 at cosine %.4f < %.2f; passages stay fp32",
            model_folder, agreement, MIN_INT8_AGREEMENT,
        )  # fmt: skip
        int8_path.unlink()
    manifest = {
        "format": EXPORT_FORMAT,
        "source": str(model_folder),
        "fp32": fp32_path.name,
        "int8": int8_path.name if keep_int8 else None,
        "int8_agreement": round(agreement, 5),
        "dimension": dimension,
    }
    (work_dir / _MANIFEST).write_text(json.dumps(manifest, indent=2))


def _export_fp32(model_folder: Path, target: Path) -> int:
    import torch
    from transformers import AutoModel

    from search.dense.backends import transformer_folder

    model = AutoModel.from_pretrained(str(transformer_folder(model_folder)), local_files_only=True)
    model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # The tracer warns about every Python branch on shapes in the model code; the branches it
    # freezes do not depend on batch or sequence length for these encoders (checked by the
    # agreement test: cosine 1.0000 against sentence-transformers).
    # The sample batch must contain padding: traced with an all-ones mask, the model code may
    # take its "no masking needed" shortcut and the export would then ignore padding.
    sample_ids = torch.ones((2, 8), dtype=torch.long)
    sample_mask = torch.tensor([[1] * 8, [1] * 5 + [0] * 3], dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        # Deprecated, but the dynamo exporter would add onnxscript as a dependency: with
        # torch 2.13 here, dynamo=True stops at "No module named 'onnxscript'".
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            LastHiddenState(model),
            (sample_ids, sample_mask),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=_OPSET,
            dynamo=False,  # the dynamo exporter needs onnxscript; this one only onnx
            do_constant_folding=True,
        )
    return int(model.config.hidden_size)


def _quantise_int8(fp32_path: Path, int8_path: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    matmuls = [
        node.name for node in onnx.load(str(fp32_path)).graph.node if node.op_type == "MatMul"
    ]
    quantize_dynamic(
        str(fp32_path),
        str(int8_path),
        weight_type=QuantType.QInt8,
        per_channel=True,  # per-tensor scales: cosine 0.867 mean on the dev listings
        nodes_to_exclude=[name for name in matmuls if _KEEP_FP32.search(name)],
        # Only weight matmuls: quantising attention's activation x activation products
        # costs accuracy for little speed.
        extra_options={"MatMulConstBOnly": True},
    )


def _agreement(model_folder: Path, fp32_path: Path, int8_path: Path, dimension: int) -> float:
    """Mean cosine between fp32 and int8 vectors of the calibration passages."""
    from search.dense.backends import OnnxBackend

    both = OnnxBackend.from_files(
        model_folder,
        query_model=fp32_path,
        passage_model=int8_path,
        dimension=dimension,
        passage_variant="agreement-check",
    )
    fp32 = both.embed_queries(CALIBRATION_PASSAGES)
    int8 = both.embed_passages(CALIBRATION_PASSAGES)
    return float(np.mean(np.sum(fp32 * int8, axis=1)))
