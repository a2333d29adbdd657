#!/usr/bin/env bash
# Build the pipeline runner image offline: a minimal Debian bookworm made with
# debootstrap, plus the toolchain the fixture apps need (python3, make, git),
# imported into Docker as local/faultline-runner:bookworm. No image registry is
# needed. The root filesystem tarball is cached, so a second run only re-imports
# it (or does nothing when the image is already there).
#
#   scripts/build-runner-image.sh            # build if missing
#   scripts/build-runner-image.sh --force    # rebuild from nothing
#
# Environment: FAULTLINE_RUNNER_IMAGE (image name), FAULTLINE_CACHE (cache folder,
# default /var/cache/faultline), DEBIAN_MIRROR (default: the machine's apt mirror).
set -euo pipefail

image="${FAULTLINE_RUNNER_IMAGE:-local/faultline-runner:bookworm}"
cache="${FAULTLINE_CACHE:-/var/cache/faultline}"
tarball="$cache/runner-bookworm-rootfs.tar"
packages="python3,make,git,ca-certificates,coreutils,procps"
force=0
[ "${1:-}" = "--force" ] && force=1

say() { printf 'build-runner-image: %s\n' "$*"; }

if [ "$force" = 0 ] && docker image inspect "$image" >/dev/null 2>&1; then
  say "$image is present"
  exit 0
fi

mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  # The first `URIs:` ending in /debian (deb822), else a `deb` line; comments are ignored.
  mirror=$( (grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -oE 'https?://[^ ]+/debian/?$';
             grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | grep -oE 'https?://[^ ]+/debian/?') | head -n1 || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

mkdir -p "$cache"
if [ "$force" = 1 ] || [ ! -s "$tarball" ]; then
  command -v debootstrap >/dev/null || { say "debootstrap is missing (apt-get install debootstrap)"; exit 3; }
  rootfs=$(mktemp -d /tmp/faultline-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  say "debootstrap bookworm from $mirror (about 30 s)"
  debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" >/tmp/faultline-debootstrap.log 2>&1 \
    || { tail -n 20 /tmp/faultline-debootstrap.log; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/*
  tar -C "$rootfs" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
fi
say "importing $tarball as $image"
docker import --change 'CMD ["bash"]' --change 'WORKDIR /workspace' "$tarball" "$image" >/dev/null
docker image inspect "$image" --format 'build-runner-image: {{.RepoTags}} {{.Size}} bytes' 
