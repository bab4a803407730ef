#!/usr/bin/env bash
# Runs Bazel 7.7.1 (Debian sid's bazel-bootstrap, bzlmod) on this checkout, e.g.
#   tools/bazel7.sh test //...
#
# sid's Bazel needs glibc >= 2.38, newer than Debian 12's, so it runs in a sid root made once
# with debootstrap and then reused ($INOX_BAZEL7_CACHE/sid, default /var/cache/inox-bazel7).
# The checkout, the host's CPython 3.12, its CA certificates, pip's configuration and Bazel's
# output tree are bind-mounted at their own paths, so that paths (test logs, `bazel info`)
# agree inside and out. Apart from installing debootstrap with apt when it is missing, nothing
# of the host outside that folder is changed; mounts and server go on exit.
set -euo pipefail

cache=${INOX_BAZEL7_CACHE:-/var/cache/inox-bazel7}
root=$cache/sid
out=$cache/output
checkout=$(cd "$(dirname "$0")/.." && pwd -P)
# git: benchmarks/track.py (--against, the commit of a run) and its test; valgrind: counting_test.
debs=(bazel-bootstrap bazel-rules-python bazel-rules-shell bazel-rules-license gcc git libc6-dev valgrind)

die() {
  echo "bazel7: $*" >&2
  exit 1
}

[[ $(id -u) == 0 ]] || die "must run as root: it makes and enters a chroot."
[[ -e /etc/debian_version ]] && command -v apt-get >/dev/null ||
  die "needs Debian: the root is made with debootstrap from the host's Debian archive."

# The archive that the host's apt sources name for the host's own release.
mirror() {
  local codename
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  { cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | awk -v c="$codename" 'BEGIN { RS = "" } {
      uri = ""; ours = 0
      n = split($0, lines, "\n")
      for (i = 1; i <= n; i++) {
        m = split(lines[i], w, " ")
        if (w[1] == "URIs:") uri = w[2]
        if (w[1] == "Suites:") for (j = 2; j <= m; j++) if (w[j] == c) ours = 1
      }
      if (ours && uri) print uri
    }'
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
    sed 's/\[[^]]*\]//' | awk -v c="$codename" '$1 == "deb" && $3 == c { print $2 }'
}

# The CPython that tools/python.bzl would pick: $INOX_PYTHON, python3.12 on PATH, pyenv's newest.
find_python() {
  local version candidate
  version=$(sed -n 's/^PYTHON_VERSION = "\(.*\)"$/\1/p' "$checkout/tools/python_version.bzl")
  for candidate in ${INOX_PYTHON:-} "python$version" \
    $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$version".* 2>/dev/null | sort -rV | sed "s|\$|/bin/python$version|"); do
    "$candidate" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$version'" 2>/dev/null &&
      "$candidate" -c 'import sys; print(sys.executable)' && return
    [[ -z ${INOX_PYTHON:-} ]] || die "INOX_PYTHON=$INOX_PYTHON is not a CPython $version."
  done
  die "no CPython $version found (see README.md, 'What it needs')."
}

# Existing local paths that pip's configuration names: its files and the folders they name.
# A local index .../simple links to files beside it, so its parent folder is taken.
pip_paths() {
  {
    "$1" -m pip config debug 2>/dev/null | sed -n 's/^ *\(\/[^,]*\), exists: True$/\1/p'
    { "$1" -m pip config list 2>/dev/null; env | grep '^PIP_'; } | sed 's/^[^=]*=//' | tr -d "'" |
      tr ' ' '\n' | sed -n 's|^\(file://\)\{0,1\}\(/.*\)|\2|p' | sed 's|/simple/*$||'
  } | while read -r p; do [[ -e $p ]] && echo "$p"; done | sort -u
}

make_root() {
  local partial=$root.partial
  ! grep -q " $partial" /proc/mounts || die "something is mounted under $partial; unmount it first."
  rm -rf "$partial"
  command -v debootstrap >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
  }
  local archive
  archive=$(mirror | awk 'NR == 1')
  [[ -n $archive ]] || die "found no Debian archive in /etc/apt/sources.list*."
  echo "bazel7: making a Debian sid root in $root (once)" >&2
  debootstrap --variant=minbase sid "$partial" "$archive" >&2
  # sid's Release file may be past its Valid-Until date on a mirror.
  echo 'Acquire::Check-Valid-Until "false";' >"$partial/etc/apt/apt.conf.d/99no-valid-until"
  mv "$partial" "$root"
}

mounted=()
# bind SRC [ro]: mounts SRC at its own path inside the root.
bind() {
  local dst=$root$1
  if [[ -d $1 ]]; then mkdir -p "$dst"; else mkdir -p "$(dirname "$dst")" && touch "$dst"; fi
  mount --bind ${2:+-o ro} "$1" "$dst"
  mounted+=("$dst")
}

in_root() {
  chroot "$root" /usr/bin/env -i -C "$workdir" "${envs[@]}" "$@"
}

cleanup() {
  local status=$?
  if [[ ${#mounted[@]} -gt 0 ]]; then
    in_root "${bazel[@]}" shutdown 2>/dev/null || true
  fi
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" || { echo "bazel7: lazily unmounting ${mounted[i]}" >&2 && umount -R -l "${mounted[i]}"; }
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One run at a time: each one's cleanup unmounts the paths that every run shares.
mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9

[[ -e $root ]] || make_root

python=$(find_python)
prefix=$("$python" -c 'import sys; print(sys.base_prefix)')
[[ $prefix != /usr ]] || die "$python lives in /usr, which the root has its own of; use a CPython with a prefix of its own (e.g. pyenv's) through INOX_PYTHON."

# Run Bazel where we are if that is inside the checkout, so that relative labels work.
workdir=$checkout
[[ $PWD/ == "$checkout"/* ]] && workdir=$PWD
bazel=(bazel --output_user_root="$out" --bazelrc="$checkout/tools/bazel7.bazelrc")
envs=(HOME=/root USER=root LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin INOX_PYTHON="$python")
while IFS= read -r -d '' kv; do
  [[ $kv == PIP_* || $kv == http_proxy=* || $kv == https_proxy=* || $kv == no_proxy=* ]] && envs+=("$kv")
done < <(env -0)

mount -t proc proc "$root/proc" && mounted+=("$root/proc")
for fs in /dev /sys; do
  mount --rbind "$fs" "$root$fs" && mount --make-rslave "$root$fs" && mounted+=("$root$fs")
done

missing=()
for deb in "${debs[@]}"; do
  chroot "$root" dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "ok installed" || missing+=("$deb")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "bazel7: installing ${missing[*]} in $root" >&2
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c 'dpkg --configure -a && apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"' sh "${missing[@]}" >&2
fi

mkdir -p "$out"
bind "$out"
bind "$checkout"
bind "$prefix" ro
bind /etc/ssl/certs ro
while read -r p; do
  [[ $p == /etc/ssl/certs/* ]] || bind "$p" ro
done < <(pip_paths "$python")

in_root "${bazel[@]}" "$@"
