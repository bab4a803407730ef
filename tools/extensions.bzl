"""MODULE.bazel's repositories: WORKSPACE's repository rules, called by a module extension."""

load(":locks.bzl", "BASE_HUB", "CUDA_LOCK", "LOCKS")
load(":pypi.bzl", "pypi_bundle", "pypi_hub", "pypi_lock_repos", "pypi_wheel")
load(":python.bzl", "python_interpreter")

_RULES = {"pypi_hub": pypi_hub, "pypi_wheel": pypi_wheel}

def _inox_deps_impl(mctx):
    python_interpreter(name = "python")
    locks = {Label(lock): hub for lock, hub in LOCKS.items()}
    for rule, attrs in pypi_lock_repos(locks, BASE_HUB, lambda lock: mctx.read(mctx.path(lock))):
        _RULES[rule](**attrs)
    pypi_bundle(name = "pypi_cuda", lock = Label(CUDA_LOCK), target = "cuda")

inox_deps = module_extension(
    implementation = _inox_deps_impl,
    doc = "@python, one hub per lock (tools/locks.bzl) with a repository per wheel, and @pypi_cuda.",
)
