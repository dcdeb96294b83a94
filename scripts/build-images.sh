#!/usr/bin/env bash
# Builds the node agents' container images: each agent is published with NativeAOT, then built FROM scratch
# (deploy/images/<agent>.Containerfile) with nothing but its binary, the shared libraries ldd lists for it, and
# the ones .NET opens with dlopen (libssl/libcrypto for mesh-accel's HTTPS to the API server; no ICU: the agents
# set InvariantGlobalization). Tags ebpf-net/<agent>:<version> (the repository's Version property) and writes an
# OCI archive per image: artifacts/images/<agent>-<version>.oci.tar. Prints each image's size.
#
# Usage: scripts/build-images.sh [agent ...]      (default: tcptop sockredir mesh-accel)
#   NO_PUBLISH=1   reuse artifacts/publish/<agent> from an earlier run instead of publishing again
# Needs podman (or buildah) from Debian (scripts/install-deps.sh) and the .NET 10 SDK; run as root.
# Podman runs with the settings this VM needs (docs/deploy.md, "Images"): vfs storage, cgroupfs, runc.
set -euo pipefail
cd "$(dirname "$0")/.."

AGENTS=("$@")
((${#AGENTS[@]} > 0)) || AGENTS=(tcptop sockredir mesh-accel)

# The project of each agent, and the libraries it opens with dlopen (which ldd cannot see).
declare -A PROJECT=([tcptop]=examples/tcptop [sockredir]=examples/sockredir [mesh-accel]=examples/mesh-accel)
declare -A DLOPENED=([tcptop]="" [sockredir]="" [mesh-accel]="libssl.so.3 libcrypto.so.3")

PUBLISH_ROOT=artifacts/publish
IMAGES=artifacts/images
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

die() { echo "build-images: $*" >&2; exit 1; }

for agent in "${AGENTS[@]}"; do
  [[ -n ${PROJECT[$agent]:-} ]] || die "unknown agent '$agent' (known: ${!PROJECT[*]})"
done
if command -v podman >/dev/null; then
  # Global settings measured on this VM: no overlay driver, no systemd, crun refuses the hybrid cgroup layout.
  ENGINE=(podman --storage-driver vfs --cgroup-manager cgroupfs)
  build() { "${ENGINE[@]}" build --runtime runc --network none -f "$1" -t "$2" "$3" >/dev/null; }
  save() { rm -f "$2"; "${ENGINE[@]}" save --quiet --format oci-archive -o "$2" "$1"; }
  image_size() { "${ENGINE[@]}" image inspect --format '{{.Size}}' "$1"; }
elif command -v buildah >/dev/null; then
  ENGINE=(buildah --storage-driver vfs)
  build() { "${ENGINE[@]}" build --runtime runc --network none -f "$1" -t "$2" "$3" >/dev/null; }
  save() { rm -f "$2"; "${ENGINE[@]}" push "$1" "oci-archive:$2:$1" >/dev/null; }
  # buildah reports no image size: the archive's is close (the layer is stored uncompressed).
  image_size() { stat -c %s "$2"; }
else
  die "neither podman nor buildah is installed; run scripts/install-deps.sh (as root) to install them"
fi

VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
[[ -n $VERSION ]] || die "no <Version> in Directory.Build.props"

# Copies a file to the same path under the image root, following symlinks (the loader, the .so.N names).
stage_file() { local root=$1 path=$2; mkdir -p "$root$(dirname "$path")"; cp -L "$path" "$root$path"; }
# The absolute paths of the shared libraries (and the program interpreter) a binary or library needs.
needed_libraries() { ldd "$1" | grep -o '/[^ ]*' | sort -u; }
# Where the dynamic loader finds a library by its soname (ldconfig's cache).
library_path() { ldconfig -p | awk -v n="$1" '$1 == n { print $NF; exit }'; }

mkdir -p "$IMAGES"
for agent in "${AGENTS[@]}"; do
  out=$PUBLISH_ROOT/$agent
  if [[ ${NO_PUBLISH:-} != 1 ]]; then
    echo "build-images: publishing $agent (a few minutes) ..."
    rm -rf "$out"
    nice dotnet publish "${PROJECT[$agent]}" -c Release -r linux-x64 -o "$out" -nologo -v quiet \
      || die "publishing $agent failed (see the errors above)"
  fi
  binary=$out/$agent
  [[ -x $binary ]] || die "$binary is missing: publish $agent first (run without NO_PUBLISH=1)"

  context=$IMAGES/context/$agent
  rm -rf "$context"
  root=$context/rootfs
  mkdir -p "$root/usr/local/bin"
  cp "$binary" "$root/usr/local/bin/$agent"
  libraries=$(needed_libraries "$binary")
  # A NativeAOT binary stands alone; a self-contained single file (mesh-accel) may keep native libraries beside it.
  # The debugger's (DAC, DBI) are left out: nothing in the image debugs.
  for native in "$out"/*.so; do
    [[ -e $native ]] || continue
    case $(basename "$native") in libmscordaccore.so | libmscordbi.so) continue ;; esac
    cp "$native" "$root/usr/local/bin/"
    libraries+=$'\n'$(needed_libraries "$native")
  done
  for soname in ${DLOPENED[$agent]}; do
    path=$(library_path "$soname")
    [[ -n $path ]] || die "$agent needs $soname at run time, which this machine lacks (Debian: apt-get install libssl3)"
    libraries+=$'\n'$path$'\n'$(needed_libraries "$path")
  done
  for lib in $(sort -u <<<"$libraries"); do stage_file "$root" "$lib"; done
  cp "deploy/images/$agent.Containerfile" "$context/Containerfile"

  tag=ebpf-net/$agent:$VERSION
  archive=$IMAGES/$agent-$VERSION.oci.tar
  build "$context/Containerfile" "$tag" "$context" || die "building the image $tag failed"
  save "localhost/$tag" "$archive" || die "writing $archive failed"
  size=$(image_size "localhost/$tag" "$archive")
  echo "build-images: $tag: $(numfmt --to=iec --suffix=B "$size") ($size bytes; files: $(cd "$root" && find . -type f | sed 's:^\.::' | tr '\n' ' '))"
  echo "build-images: $tag -> $archive"
done
