#!/usr/bin/python3
"""Write <profile>-archive.tsv: the version a target archive offers for each package py2pkg may
depend on (every python3-* binary package, every target of cpython3_fallback, python3 itself).

Reads the apt lists of the machine it runs on through python3-apt, keeping only the Debian
suites named on the command line, and takes the highest version across them (what apt-get
installs on a machine with those suites enabled).

    /usr/bin/python3 src/deps/data/generate-archive.py debian12 bookworm bookworm-updates \
        bookworm-security > src/deps/data/debian12-archive.tsv

Run `apt-get update` first; the header records the Release dates the data comes from.
"""
import os
import re
import sys

import apt_pkg


def main() -> None:
    profile, suites = sys.argv[1], set(sys.argv[2:])
    here = os.path.dirname(os.path.abspath(__file__))
    wanted = {'python3', 'python3-minimal'}
    with open(os.path.join(here, 'cpython3_fallback'), encoding='utf-8') as fp:
        for line in fp:
            parts = line.split(None, 1)
            if len(parts) == 2:
                wanted.add(re.split(r'[\s(]', parts[1].strip(), maxsplit=1)[0])
    apt_pkg.init()
    cache = apt_pkg.Cache(None)
    best: dict[str, str] = {}
    dates: dict[str, str] = {}
    for pkg in cache.packages:
        name = pkg.name
        if not (name.startswith('python3-') or name in wanted):
            continue
        for ver in pkg.version_list:
            if ver.arch not in ('all', apt_pkg.config.find('APT::Architecture')):
                continue
            ok = any(pfile.origin in ('Debian', 'Debian-Security') and pfile.component == 'main' and pfile.codename in suites
                     for pfile, _ in ver.file_list)
            if ok and (name not in best or apt_pkg.version_compare(ver.ver_str, best[name]) > 0):
                best[name] = ver.ver_str
    # virtual packages (Provides:) that no real package of that name shadows
    virtual: dict[str, tuple[str, str]] = {}
    for pkg in cache.packages:
        name = pkg.name.split(':')[0]
        if name in best or pkg.version_list or not (name.startswith('python3-') or name in wanted):
            continue
        for _, provided_version, pver in pkg.provides_list:
            provider = pver.parent_pkg.name
            if best.get(provider) == pver.ver_str:
                prev = virtual.get(name)
                if prev is None or (provided_version or '') > prev[0]:
                    virtual[name] = (provided_version or '', provider)
    for listfile in sorted(os.listdir('/var/lib/apt/lists')):
        if listfile.endswith('_InRelease') and 'debian' in listfile:
            with open(os.path.join('/var/lib/apt/lists', listfile), encoding='utf-8', errors='replace') as fp:
                text = fp.read()
            codename = re.search(r'^Suite: (.+)$', text, re.M)
            date = re.search(r'^Date: (.+)$', text, re.M)
            if codename and date:
                dates[listfile] = date.group(1)
    print(f'# {profile} archive: suites {" ".join(sorted(suites))}, main, {apt_pkg.config.find("APT::Architecture")} + all')
    for listfile, date in sorted(dates.items()):
        print(f'# {listfile}: {date}')
    print('# package\tversion\tprovider: a real package has its highest version and no provider; a virtual')
    print('# one (Provides:) has the provided version (empty when unversioned) and the providing package')
    for name in sorted(set(best) | set(virtual)):
        if name in best:
            print(f'{name}\t{best[name]}\t')
        else:
            print(f'{name}\t{virtual[name][0]}\t{virtual[name][1]}')


if __name__ == '__main__':
    main()
