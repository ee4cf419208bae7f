"""Write a demo project: the built-in forms filled with generated data (see demo.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from .forms import builtin_forms
from .storage import Project
from .storage.identity import new_uuid

CHUNK = 5_000


def make_demo(path: Path, *, households: int = 300, seed: int = 20261124, replace: bool = False,
              progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Build the project beside `path` and move it into place when complete: never half a project."""
    from .demo import generate

    path = Path(path)
    if path.exists() and not replace:
        raise FileExistsError(path)
    part = path.with_name(path.name + ".part")
    for p in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
        p.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    done = 0
    try:
        with Project.create(part, officer="demo") as project:
            for form in builtin_forms().values():
                project.add_form(form)
            batch = new_uuid()
            buffers: dict[str, list[dict]] = {form_id: [] for form_id in project.forms()}

            def flush(form_id: str) -> None:
                nonlocal done
                n, _ = project.bulk_insert(form_id, buffers[form_id], source="demo", batch=batch)
                counts[form_id] = counts.get(form_id, 0) + n
                done += n
                buffers[form_id].clear()
                if progress:
                    progress(done)

            with project.transaction():
                for form_id, record in generate(households=households, seed=seed):
                    buffers[form_id].append(record)
                    if len(buffers[form_id]) >= CHUNK:
                        flush(form_id)
                for form_id in buffers:
                    if buffers[form_id]:
                        flush(form_id)
    except BaseException:  # cancelled or failed: leave nothing half-made behind
        for p in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
            p.unlink(missing_ok=True)
        raise
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    os.replace(part, path)
    return counts
