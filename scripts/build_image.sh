#!/usr/bin/env bash
# Build the container image (Containerfile) without Docker Hub and without a container runtime, then
# smoke-test it: `secret-mcp demo` as the image's non-root user, in a chroot of the mounted image.
#
#   scripts/build_image.sh [--cache-dir DIR] [--base IMAGE] [--tag NAME] [--rm] [--smoke-only]
#
#   --cache-dir DIR  where the debootstrapped base is kept between runs (default: $SECRET_MCP_IMAGE_CACHE
#                    or /var/tmp/secret-mcp-image); an empty directory means a build from nothing
#   --base IMAGE     build FROM this image (e.g. python:3.11-slim) instead of a debootstrapped bookworm
#   --tag NAME       the image's name (default: localhost/secret-mcp:latest)
#   --rm             remove the built image after the smoke test (CI); the cached base stays
#   --smoke-only     only smoke-test the image already built as --tag
#
# Needs root, buildah, podman (for `podman import`) and debootstrap. The Debian mirror is the one this
# machine's apt uses (override with DEBIAN_MIRROR); pip inside the build fetches the dependencies from PyPI.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${SECRET_MCP_IMAGE_CACHE:-/var/tmp/secret-mcp-image}"
BASE="" TAG="localhost/secret-mcp:latest" REMOVE=0 SMOKE_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cache-dir) CACHE="$2"; shift 2 ;;
    --base) BASE="$2"; shift 2 ;;
    --tag) TAG="$2"; shift 2 ;;
    --rm) REMOVE=1; shift ;;
    --smoke-only) SMOKE_ONLY=1; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "build_image.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "build_image.sh: run as root (debootstrap, mount and chroot need it)" >&2; exit 2; }
export PATH="$PATH:/usr/sbin:/sbin"

SUITE=bookworm  # its python3 is 3.11, the version the project targets
DEBS=python3,python3-venv,python3-pip,ca-certificates
detect_mirror() {
  # The first plain Debian archive URL in apt's sources (one-line or deb822 format), else deb.debian.org.
  local url
  url=$(grep -rhoE 'https?://[^ ]+/debian/?([[:space:]]|$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
        | head -n 1 | tr -d '[:space:]') || true
  echo "${url%/}" | grep . || echo http://deb.debian.org/debian
}
MIRROR="${DEBIAN_MIRROR:-$(detect_mirror)}"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { printf '[build_image] %s\n' "$*"; }

CTR="" MNT="" ROOTFS=""
cleanup() {
  # Undo whatever got done, innermost first; runs on success, failure and interrupt alike.
  if [ -n "$MNT" ]; then
    for sub in dev proc; do
      mountpoint -q "$MNT/$sub" 2>/dev/null && umount "$MNT/$sub"
    done
  fi
  [ -n "$CTR" ] && { buildah umount "$CTR" >/dev/null 2>&1 || true; buildah rm "$CTR" >/dev/null 2>&1 || true; }
  if [ -n "$ROOTFS" ]; then
    # An interrupted debootstrap may leave /proc, /sys or device binds mounted in the tree: unmount them,
    # and never let rm cross into another file system.
    awk -v r="$ROOTFS/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n 1 umount -l || true
    rm -rf --one-file-system "$ROOTFS"
  fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

T0=$(now)
mkdir -p "$CACHE"

T_BASE="-" T_BUILD="-" SIZE=$(buildah images --format '{{.Size}}' "$TAG" 2>/dev/null | head -n 1) || true
if [ "$SMOKE_ONLY" = 0 ]; then
# 1. The base: a given image, or a minimal bookworm with Python made by debootstrap, cached by its recipe.
if [ -z "$BASE" ]; then
  KEY=$(printf '%s %s %s' "$SUITE" "$DEBS" "$MIRROR" | sha256sum | cut -c1-12)
  BASE="localhost/secret-mcp-base:$SUITE-$KEY"
  TARBALL="$CACHE/base-$SUITE-$KEY.tar"
  exec 9>"$CACHE/.lock" && flock 9  # two runs on one machine make the base once
  if buildah inspect --type image "$BASE" >/dev/null 2>&1; then
    say "base: $BASE (cached in container storage)"
  else
    if [ ! -s "$TARBALL" ]; then
      say "base: debootstrap $SUITE (minbase + $DEBS) from $MIRROR"
      ROOTFS=$(mktemp -d "$CACHE/rootfs.XXXXXX")
      # Two stages, so that dpkg can skip its fsyncs in between (a half-made tree is thrown away anyway):
      # about a third less time here. The second stage mounts and unmounts /proc and /sys itself.
      { debootstrap --foreign --variant=minbase --include="$DEBS" "$SUITE" "$ROOTFS" "$MIRROR" \
          && echo force-unsafe-io >"$ROOTFS/etc/dpkg/dpkg.cfg.d/build-unsafe-io" \
          && chroot "$ROOTFS" /debootstrap/debootstrap --second-stage \
          && rm "$ROOTFS/etc/dpkg/dpkg.cfg.d/build-unsafe-io"; } >"$CACHE/debootstrap.log" 2>&1 \
        || { tail -n 20 "$CACHE/debootstrap.log" >&2; exit 1; }
      # Left out: downloaded .debs, package lists, logs, manuals and translations (copyright files stay),
      # and this machine's name and resolver, which debootstrap copies in (a runtime provides its own).
      rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/*.log \
             "$ROOTFS"/var/cache/debconf/*-old "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
             "$ROOTFS"/usr/share/locale/* "$ROOTFS"/etc/hostname
      find "$ROOTFS"/usr/share/doc -mindepth 2 ! -name copyright ! -type d -delete
      : >"$ROOTFS"/etc/resolv.conf
      tar --numeric-owner -C "$ROOTFS" -cf "$TARBALL.part" . && mv "$TARBALL.part" "$TARBALL"
      rm -rf --one-file-system "$ROOTFS" && ROOTFS=""
    else
      say "base: $TARBALL (cached tarball)"
    fi
    # An imported tarball has no environment: give it the PATH every Debian image has.
    podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' "$TARBALL" "$BASE" >/dev/null
  fi
  flock -u 9
fi
T_BASE=$(since "$T0")

# 2. The image, built with chroot isolation (no container runtime, no cgroups needed).
T1=$(now)
say "build: $TAG from $BASE"
OLD_ID=$(buildah images --quiet --no-trunc "$TAG" 2>/dev/null | head -n 1) || true
# pip in the build trusts what this machine trusts (e.g. a TLS-inspecting proxy's CA): the host's CA bundle
# is mounted over the image's own for the RUN steps only, so it stays out of every layer (and, as the path
# exists in any Debian image with ca-certificates, no empty mount point is left behind either).
CA="${BUILD_CA_BUNDLE:-${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}}"
IMAGE_CA=/etc/ssl/certs/ca-certificates.crt
CA_ARGS=()
[ -f "$CA" ] && CA_ARGS=(-v "$(readlink -f "$CA"):$IMAGE_CA:ro" --build-arg "PIP_CERT=$IMAGE_CA")
buildah bud --isolation chroot --pull=false "${CA_ARGS[@]}" --build-arg "BASE=$BASE" -f "$ROOT/Containerfile" \
  -t "$TAG" "$ROOT" \
  >"$CACHE/build.log" 2>&1 || { tail -n 40 "$CACHE/build.log" >&2; exit 1; }
T_BUILD=$(since "$T1")
# The image this tag named before is left nameless by the build: remove it unless something still uses it.
NEW_ID=$(buildah images --quiet --no-trunc "$TAG" | head -n 1)
if [ -n "$OLD_ID" ] && [ "$OLD_ID" != "$NEW_ID" ]; then buildah rmi "$OLD_ID" >/dev/null 2>&1 || true; fi
SIZE=$(buildah images --format '{{.Size}}' "$TAG" | head -n 1)
fi

# 3. Smoke test: the entrypoint with `demo`, as the image's user and with its environment, in a chroot.
T2=$(now)
CTR=$(buildah from --pull=false "$TAG")
MNT=$(buildah mount "$CTR")
mount -t proc proc "$MNT/proc"
mount --bind /dev "$MNT/dev"  # /dev/null, /dev/urandom; no recursive mounts to undo
USER_NAME="" ENTRY=() ENVS=()
eval "$(buildah inspect --type image "$TAG" | python3 -c '
import json, shlex, sys
config = json.load(sys.stdin)["OCIv1"]["config"]
words = lambda key: " ".join(shlex.quote(w) for w in config.get(key) or [])
print("USER_NAME=" + shlex.quote((config.get("User") or "root").split(":")[0]))
print("ENTRY=(" + words("Entrypoint") + ")")
print("ENVS=(" + words("Env") + ")")')"
[ "${#ENTRY[@]}" -gt 0 ] || { echo "no entrypoint in the image's config" >&2; exit 1; }
case "$USER_NAME" in root|0|"") echo "the image runs as root" >&2; exit 1 ;; esac
HOME_DIR=$(awk -F: -v u="$USER_NAME" '$1 == u { print $6 }' "$MNT/etc/passwd")
in_image() { chroot "$MNT" runuser -u "$USER_NAME" -- env -i "HOME=$HOME_DIR" "${ENVS[@]}" "$@"; }
[ "$(in_image id -u)" != 0 ] || { echo "runuser gave uid 0" >&2; exit 1; }
say "smoke test: chroot, runuser -u $USER_NAME -- ${ENTRY[*]} demo"
DEMO_LOG="$CACHE/demo.log"
T3=$(now)
if ! in_image "${ENTRY[@]}" demo >"$DEMO_LOG" 2>&1; then
  cat "$DEMO_LOG" >&2; echo "smoke test failed: secret-mcp demo in the image" >&2; exit 1
fi
T_DEMO_ONLY=$(since "$T3")
T_DEMO=$(since "$T2")
tail -n 3 "$DEMO_LOG"
cleanup; CTR="" MNT=""
if [ "$REMOVE" = 1 ]; then buildah rmi "$TAG" >/dev/null; fi

say "base $T_BASE, build $T_BUILD, smoke test $T_DEMO (demo $T_DEMO_ONLY), total $(since "$T0"); image $TAG: $SIZE"
