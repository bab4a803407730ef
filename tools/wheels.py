"""Lock-file and wheel-metadata helpers shared by the lock tool and the wheel repository rules."""

import email.parser
import re

try:
    from packaging.requirements import Requirement
except ImportError:
    # The repository rules and the lock tool run this with the base interpreter: pip vendors it.
    from pip._vendor.packaging.requirements import Requirement  # pyright: ignore[reportMissingImports]

_LOCK_LINE = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[(?P<extras>[^\]]*)\])?==(?P<version>\S+)"
    r"(?P<hashes>( --hash=sha256:[0-9a-f]{64})+)$"
)


def normalize(name):
    """The PEP 503 name: lower case, runs of `-_.` turned into one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def label_name(name):
    """The name used in hub labels (`@pypi//<label_name>`), as rules_python spells it."""
    return normalize(name).replace("-", "_")


def parse_lock_line(line):
    """Returns (name, extras, version) of one `name[extras]==version --hash=sha256:...` line."""
    m = _LOCK_LINE.match(line.strip())
    if not m:
        raise ValueError(f"not a hash-locked line: {line!r}")
    extras = sorted(normalize(e) for e in (m["extras"] or "").split(",") if e.strip())
    return normalize(m["name"]), extras, m["version"]


def requirement_lines(text):
    """The lines of a requirements or lock file, without comments and blank lines."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def parse_metadata(text):
    """Returns (normalized name, Requires-Dist entries) of a wheel's METADATA file."""
    msg = email.parser.HeaderParser().parsestr(text)
    return normalize(msg["Name"]), msg.get_all("Requires-Dist") or []


def active_requirements(name, extras, requirements):
    """The requirements of package `name` installed with `extras`, on this interpreter.

    Extras-only entries count only for the requested extras; markers are evaluated for the
    running Python and platform. A package asking for more of its own extras (etils[epath]
    pulls in etils[epy]) is followed, and the package itself is left out.
    """
    reqs = [Requirement(r) for r in requirements]
    wanted = set(normalize(e) for e in extras)
    while True:
        active = [
            r for r in reqs if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in [""] + sorted(wanted))
        ]
        more = set(normalize(e) for r in active if normalize(r.name) == normalize(name) for e in r.extras)
        if more <= wanted:
            return [r for r in active if normalize(r.name) != normalize(name)]
        wanted |= more
