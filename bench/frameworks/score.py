"""Score nodeward on the Fastify, Koa, Hapi and Next.js development set (the NestJS set's scorer, on this folder).

    python bench/frameworks/score.py                 # scans each app under bench/frameworks/apps with .venv's nodeward
    python bench/frameworks/score.py --nodeward PATH  # another nodeward executable
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    spec = importlib.util.spec_from_file_location("nestjs_score", HERE.parent / "nestjs" / "score.py")
    assert spec is not None and spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    scorer.main(HERE, (__doc__ or "").splitlines()[0])
