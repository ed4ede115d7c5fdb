"""Report which build requirements are not installed (no project code runs here).

    python3 -I probe_build_deps.py BACKEND_MODULE REQUIREMENT...
Prints JSON: {"backend_ok": bool, "missing": [names], "installed": {name: version}}.
Only distribution names are checked; versions are reported for the error message.
"""
import importlib.metadata as md
import importlib.util
import json
import re
import sys


def main() -> None:
    backend = sys.argv[1]
    result = {"backend_ok": False, "missing": [], "installed": {}}
    top = backend.split(":")[0]
    try:
        result["backend_ok"] = importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        result["backend_ok"] = False
    for req in sys.argv[2:]:
        name = re.split(r"[\s\[<>=!~;(@]", req.strip(), maxsplit=1)[0]
        if not name:
            continue
        try:
            result["installed"][name] = md.version(name)
        except md.PackageNotFoundError:
            result["missing"].append(name)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
