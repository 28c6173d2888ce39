"""One dynimg render in a fresh process; prints the in-process job time as JSON."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from dynimg.bootstrap import build_media_engine
from dynimg.services.rendering import render_file
from dynimg.settings import load_settings

if __name__ == "__main__":
    source, output, config = sys.argv[1], sys.argv[2], sys.argv[3]
    engine = build_media_engine(load_settings({}))
    started = time.perf_counter()
    result = render_file(engine, Path(source), Path(output), template_config=config)
    print(json.dumps({"job": time.perf_counter() - started, "frames": result.frames}))
