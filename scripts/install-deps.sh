#!/usr/bin/env bash
# Installs the Debian packages Ebpf.NET's build, tests and examples use, only those that are missing,
# and checks for the .NET 10 SDK (not a Debian package: it prints how to get it).
# Run as root on Debian 12 or later. Safe to run again: with everything present it changes nothing.
set -euo pipefail

# package : why the repository needs it
PACKAGES=(
  "clang:compiles the C kernel programs (*.bpf.c) to BPF objects"
  "llvm:llvm-strip/llvm-objdump to inspect BPF objects"
  "libbpf-dev:the bpf_helpers.h / bpf_endian.h headers the kernel programs include"
  "linux-libc-dev:kernel UAPI headers (linux/bpf.h, asm/types.h) for the kernel programs"
  "libc6-dev:C library headers for clang and for small C test helpers"
  "gcc:builds small C helpers some tests start"
  "bpftool:test oracle (object dumps) and the examples' temporary loading path"
  "iproute2:ip netns / ip link for the network namespaces and veth pairs tests create"
  "ethtool:turns veth checksum offload off in the XDP tests"
  "tcpdump:packet captures when diagnosing the network tests"
  "iperf3:throughput measurements in the socket redirector benchmark"
  "sockperf:latency percentiles in the socket redirector benchmark"
  "qperf:request/response latency in the socket redirector benchmark"
  "wrk:HTTP load in the XDP load balancer benchmark"
  "nginx:HTTP backends in the XDP load balancer lab"
  "libnginx-mod-stream:nginx's TCP proxy, the XDP balancer's baseline"
  "haproxy:the sidecar proxy of the mesh-accel lab (reads SO_ORIGINAL_DST)"
  "curl:the mesh-accel lab's HTTP client"
  "libcap2-bin:capsh/setcap for tests that drop capabilities"
  "util-linux:setpriv, mount and nsenter used by the fixtures; taskset pins the benchmark tools to CPUs"
  "procps:ps/sysctl used by the fixtures"
  "prometheus:the real Prometheus server the tcptop end-to-end test scrapes with (and promtool)"
  "tmux:a pseudo-terminal for the tcptop live-view test"
  "podman:builds the node agents' container images (scripts/build-images.sh) and runs them in the image tests"
  "buildah:podman's image builder; scripts/build-images.sh uses it directly where podman is absent"
  "runc:the OCI runtime the image tests use (the default crun refuses this VM's hybrid cgroup layout)"
  "iptables:drops every Nth segment in a namespace for the tcptop retransmit test; istio-iptables' rules, mesh-accel's baseline"
)

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: must run as root (it installs Debian packages, and the tests load BPF programs)." >&2
  echo "install-deps: run it again with: sudo $0" >&2
  exit 1
fi
if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
  echo "install-deps: this script supports Debian and its derivatives (dpkg and apt-get not found)." >&2
  echo "install-deps: install the equivalents of: ${PACKAGES[*]%%:*}" >&2
  exit 1
fi

missing=()
for entry in "${PACKAGES[@]}"; do
  pkg=${entry%%:*}
  # dpkg-query prints the status word triple ("install ok installed" when present); no pipe, so pipefail cannot misfire.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ $status != "install ok installed" ]]; then
    missing+=("$pkg")
    echo "install-deps: missing $pkg (${entry#*:})"
  fi
done

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
fi

# The .NET SDK: global.json asks for 10.0.100 or a later 10.0 feature band.
if ! command -v dotnet >/dev/null; then
  echo "install-deps: the .NET 10 SDK is not installed (no 'dotnet' on PATH)." >&2
  echo "install-deps: get it from https://dotnet.microsoft.com/download/dotnet/10.0, or with" >&2
  echo "install-deps:   curl -sSL https://dot.net/v1/dotnet-install.sh | bash -s -- --channel 10.0 --install-dir /usr/share/dotnet" >&2
  echo "install-deps:   ln -s /usr/share/dotnet/dotnet /usr/local/bin/dotnet" >&2
  exit 1
fi
sdks=$(dotnet --list-sdks 2>/dev/null || true)
if ! grep -q '^10\.' <<<"$sdks"; then
  echo "install-deps: 'dotnet' is present but has no 10.x SDK (found: $(cut -d' ' -f1 <<<"$sdks" | tr '\n' ' '))." >&2
  echo "install-deps: install the .NET 10 SDK: https://dotnet.microsoft.com/download/dotnet/10.0" >&2
  exit 1
fi
echo "install-deps: .NET SDK $(grep '^10\.' <<<"$sdks" | tail -1 | cut -d' ' -f1) present"
