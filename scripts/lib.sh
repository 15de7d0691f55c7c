# SPDX-License-Identifier: GPL-2.0
# Common definitions for the scripts: sourced, not run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VFP_CACHE:-$REPO/.cache}
SUPPORTED_KVERS=(6.1 6.12)

# The Debian meta package that tracks each supported series.
kver_meta()
{
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	*) return 1 ;;
	esac
}

# "6.1.0-56-amd64" -> "6.1"; "6.12.117+deb12-amd64" -> "6.12"
kver_series() { echo "$1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'; }

# Map a series (6.1, 6.12) or a full ABI name to the ABI name. A cached
# kernel wins over the archive, so the harness works offline once set up.
resolve_kver()
{
	local k=$1 meta abi
	case "$k" in
	*-amd64)
		echo "$k"
		return 0
		;;
	esac
	meta=$(kver_meta "$k") || return 1
	if [ -L "$CACHE/kernel/$k" ] && [ -z "${VFP_REFRESH:-}" ]; then
		readlink "$CACHE/kernel/$k"
		return 0
	fi
	abi=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/.*Depends: linux-image-\(.*-amd64\)$/\1/p' | head -1)
	[ -n "$abi" ] || return 1
	echo "$abi"
}

# Directory of a set-up kernel: vmlinux, root/ (modules, headers).
kernel_dir()
{
	local d=$CACHE/kernel/$1
	[ -f "$d/.done" ] || { echo "no kernel '$1' in $CACHE: run scripts/setup $1" >&2; return 1; }
	(cd "$d" && pwd -P)
}
