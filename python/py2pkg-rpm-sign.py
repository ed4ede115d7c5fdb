"""rpmsign's __gpg_sign_cmd for py2pkg's key-file signer (see src/sign/rpm-helper-server.ts).

    python3 -I -S py2pkg-rpm-sign.py --socket PATH --output SIGFILE [-- INPUT|-]

Reads the data (stdin for "-"), streams it to the py2pkg process that holds the key over the
unix socket, half-closes, and writes the one binary v4 signature packet it gets back to
SIGFILE. The answer is one status byte (0: the packet follows; 1: a one-line message follows).
It holds no key and takes no secret. Python rather than node: it starts in a third of the
time, once per rpm signed. Exit status 0, 1 (no signature), 2 (usage).
"""
import os
import socket
import sys

USAGE = "usage: py2pkg-rpm-sign.py --socket PATH --output SIGFILE [-- INPUT|-]"


def usage(msg: str) -> None:
    sys.stderr.write(f"py2pkg-rpm-sign: {msg}\n{USAGE}\n")
    sys.exit(2)


def parse_args(argv: list) -> tuple:
    sock = output = None
    inp = "-"
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--socket" and i + 1 < len(argv):
            sock = argv[i + 1]
            i += 2
        elif a in ("--output", "-sbo", "-o") and i + 1 < len(argv):
            output = argv[i + 1]
            i += 2
        elif a == "--":
            rest = argv[i + 1 :]
            if len(rest) > 1:
                usage("more than one input")
            inp = rest[0] if rest else "-"
            break
        else:
            usage(f"unknown argument {a}")
    if not sock:
        usage("--socket is required")
    if not output:
        usage("--output is required")
    return sock, output, inp


def main(argv: list) -> int:
    sock_path, output, inp = parse_args(argv)
    src = sys.stdin.buffer if inp == "-" else open(inp, "rb")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(sock_path)
            while True:
                chunk = src.read(1 << 16)
                if not chunk:
                    break
                s.sendall(chunk)
            s.shutdown(socket.SHUT_WR)
            parts = []
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                parts.append(chunk)
    finally:
        if src is not sys.stdin.buffer:
            src.close()
    answer = b"".join(parts)
    if len(answer) < 10 or answer[0] != 0:
        why = answer[1:].decode("utf-8", "replace") if len(answer) > 1 else "no signature came back"
        sys.stderr.write(f"py2pkg-rpm-sign: {why}\n")
        return 1
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(answer[1:])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except OSError as e:
        sys.stderr.write(f"py2pkg-rpm-sign: {e.strerror or e}\n")
        sys.exit(1)
