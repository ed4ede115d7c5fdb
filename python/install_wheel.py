"""Install one wheel into a staging root laid out like the target distro.

Used by build_wheel.py (and runnable alone inside py2pkg's build sandbox as
    python3 -I install_wheel.py WHEEL DESTDIR SITE_DIR SCRIPTS_DIR PYTHON_VERSION).
It uses the `installer` library (python3-installer), the same code as
`python3 -m installer`, with an explicit scheme instead of the host's sysconfig one
(Debian's default scheme would put files under /usr/local). No bytecode is written:
the package's postinst byte-compiles on the target with py3compile. No INSTALLER or
direct_url.json is written.
"""
import json
import sys

from installer import install
from installer.destinations import SchemeDictionaryDestination
from installer.sources import WheelFile


def install_into(wheel: str, destdir: str, site_dir: str, scripts_dir: str, pyver: str) -> dict:
    with WheelFile.open(wheel) as source:
        name = source.distribution
        scheme = {
            "purelib": site_dir,
            "platlib": site_dir,
            "headers": f"/usr/include/python{pyver}/{name}",
            "scripts": scripts_dir,
            "data": "/usr",
        }
        destination = SchemeDictionaryDestination(
            scheme,
            interpreter="/usr/bin/python3",
            script_kind="posix",
            bytecode_optimization_levels=[],
            destdir=destdir,
        )
        wheel_text = source.read_dist_info("WHEEL")
        try:
            entry_points = source.read_dist_info("entry_points.txt")
        except Exception:  # no entry points
            entry_points = ""
        install(source, destination, additional_metadata={})
        return {
            "distribution": name,
            "version": source.version,
            "wheel": wheel_text,
            "entry_points": entry_points,
        }


if __name__ == "__main__":
    json.dump(install_into(*sys.argv[1:6]), sys.stdout)
