"""Build one wheel and install it into a staging root, in one process (inside py2pkg's sandbox).

    python3 -I build_wheel.py SRC_DIR WHEEL_DIR DESTDIR SITE_DIR SCRIPTS_DIR PYTHON_VERSION SUMMARY_JSON

Step 1 is exactly what `python3 -m build --wheel --no-isolation --skip-dependency-check`
does: the `build` library's ProjectBuilder calls the PEP 517 hooks of the project's backend
in a subprocess (pyproject_hooks). py2pkg checks the direct build requirements itself
before this runs (see src/python/installed.ts). Step 2 is install_wheel.py's work (the
`installer` library with the target's scheme). One process instead of two saves a Python
start-up and a sandbox set-up per conversion. Writes a JSON summary to SUMMARY_JSON (the
backends print their logs on stdout and stderr, which py2pkg keeps for --debug).
"""
import json
import os
import sys

from build import ProjectBuilder, BuildBackendException

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from install_wheel import install_into  # noqa: E402


def main() -> int:
    src, wheel_dir, destdir, site_dir, scripts_dir, pyver, summary_path = sys.argv[1:8]
    builder = ProjectBuilder(src, python_executable=sys.executable)
    try:
        wheel = builder.build("wheel", wheel_dir)
    except BuildBackendException as e:
        print(f"ERROR Backend subprocess exited when trying to invoke build_wheel: {e}", file=sys.stderr)
        return 1
    summary = install_into(wheel, destdir, site_dir, scripts_dir, pyver)
    summary["wheel_file"] = os.path.basename(wheel)
    with open(summary_path, "w", encoding="utf-8") as f:
        json.dump(summary, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
