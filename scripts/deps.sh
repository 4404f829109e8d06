#!/bin/sh
# deps.sh GROUP... — install the Debian packages a make target needs,
# calling apt-get only when something is missing.
# Groups: build test demo bench conformance.
set -eu

build="make gcc libc6-dev pkg-config libmount-dev libcgroup-dev libmnl-dev
libcurl4-openssl-dev libarchive-dev libjansson-dev libssl-dev libcap-dev
libnftables-dev libseccomp-dev"
test="bats bats-support bats-assert busybox-static iproute2 util-linux
cgroup-tools docker-registry skopeo umoci python3 python3-jwt nftables
iputils-ping shellcheck cppcheck dash procps man-db kmod apache2-utils attr zstd
python3-cryptography openssl clang libclang-rt-14-dev podman conmon containerd runc
bash mount mawk bsdutils"
# The last line is for tests/migrate.bats, which runs the bash bocker: bash,
# mount/umount, awk and ps (procps) beside ip, cg* (cgroup-tools), unshare
# and nsenter (util-linux); script(1) gives its ps a terminal. podman and
# runc read, pull and run what imgpull pushes and the store holds. Its pull
# (uuidgen, jq, download-frozen-image-v2) needs the internet, and is not run.
# podman, conmon and containerd: tests/engines.bats drives ocirun with them.
demo="busybox-static iproute2 util-linux"
bench="hyperfine bubblewrap crun runc podman conmon cgroup-tools iproute2 util-linux busybox-static docker-registry skopeo umoci"
conformance="golang-go podman conmon containerd umoci"

want=""
for group in "$@"; do
	case $group in
	build) want="$want $build" ;;
	test) want="$want $test" ;;
	demo) want="$want $demo" ;;
	bench) want="$want $bench" ;;
	conformance) want="$want $conformance" ;;
	*) echo "deps.sh: unknown group '$group' (build test demo bench conformance)" >&2; exit 2 ;;
	esac
done

missing=""
for pkg in $want; do
	case " $missing " in *" $pkg "*) continue ;; esac
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing="$missing $pkg"
done

[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is wanted
apt-get install -y -qq --no-install-recommends $missing >/dev/null
