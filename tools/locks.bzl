"""The one place where lock files meet hubs, read by WORKSPACE and tools/extensions.bzl alike."""

# The hub whose packages the other hubs fall back to.
BASE_HUB = "pypi"

# Lock file -> hub. The inox releases are alternate implementations of our own //inox, so each
# sits in its own hub.
LOCKS = {
    "//requirements:lock.txt": "pypi",
    "//requirements:inox_0_8_0.txt": "pypi_inox_0_8_0",
    "//requirements:inox_0_7_1.txt": "pypi_inox_0_7_1",
    "//requirements:inox_0_5_0.txt": "pypi_inox_0_5_0",
}

# Installed into one site-packages as @pypi_cuda//:cuda; fetched only under --config=cuda.
CUDA_LOCK = "//requirements:lock_cuda.txt"
