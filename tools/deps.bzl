"""inox_share_dependencies(): the repositories that conformance_test needs, for a WORKSPACE
(Bazel 4) that pulls this repository in as `inox_monorepo` (see downstream/bazel_workspace/WORKSPACE):

    load("@inox_monorepo//tools:deps.bzl", "inox_share_dependencies")

    inox_share_dependencies()

    load("@pypi_locks//:repos.bzl", "pypi_repos")  # generated above, so loaded in a second step

    pypi_repos()

It declares what this repository's WORKSPACE does, with the same rules and locks: @python (and
its toolchain), @pypi_locks and the hubs of tools/locks.bzl, @pypi_cuda, and the offline stand-ins
for Debian's Bazel 4.2.3. A repository that the calling WORKSPACE declared before is kept.
With Bazel 7+ (MODULE.bazel), `bazel_dep` on inox_monorepo gives all of them instead.
"""

load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")
load(":locks.bzl", "BASE_HUB", "CUDA_LOCK", "LOCKS")
load(":pypi.bzl", "pypi_bundle", "pypi_locks")
load(":python.bzl", "python_interpreter")

def _shim_impl(rctx):
    # A folder of this repository, wherever the calling workspace has it.
    folder = rctx.path(Label("//tools:BUILD.bazel")).dirname.get_child("bazel_shims").get_child(rctx.attr.shim)
    for child in folder.readdir():
        rctx.symlink(child, child.basename)

_shim = repository_rule(
    implementation = _shim_impl,
    attrs = {"shim": attr.string(mandatory = True, doc = "Folder name under tools/bazel_shims.")},
)

def inox_share_dependencies():
    """Declares the repositories above; then load and call pypi_repos() of @pypi_locks."""

    # Bazel 4.2.3 would download these four: Debian's packages and our shims stand in for them.
    maybe(native.local_repository, name = "platforms", path = "/usr/share/bazel/tools/platforms")
    maybe(native.local_repository, name = "rules_java", path = "/usr/share/bazel/rules/java")
    maybe(_shim, name = "rules_cc", shim = "rules_cc")
    maybe(_shim, name = "remote_coverage_tools", shim = "remote_coverage_tools")

    python_interpreter(name = "python")
    native.register_toolchains("@python//:toolchain")

    pypi_locks(
        name = "pypi_locks",
        base = BASE_HUB,
        locks = {Label(lock): hub for lock, hub in LOCKS.items()},
    )
    pypi_bundle(
        name = "pypi_cuda",
        lock = Label(CUDA_LOCK),
        target = "cuda",
    )
