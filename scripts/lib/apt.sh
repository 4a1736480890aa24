# apt.sh — sourced: install_missing CMD PKG... installs Debian packages (as root, or with
# sudo) when CMD is not on the PATH. Idempotent: a present command is only checked.
# Needs a log and a die function from the sourcing script.

install_missing() {
	local cmd="$1"
	shift
	command -v "$cmd" >/dev/null 2>&1 && return 0
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else die "$cmd is missing: run as root (or install sudo) to install $*"; fi
	fi
	command -v apt-get >/dev/null 2>&1 || die "$cmd is missing and this is no Debian: install $*"
	# Always refresh before installing: stale lists can name versions the mirror dropped.
	log "apt-get update"
	${sudo:+$sudo} apt-get update -qq >&2
	log "installing $*"
	DEBIAN_FRONTEND=noninteractive ${sudo:+$sudo} apt-get install -y -qq --no-install-recommends "$@" >&2
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd missing after installing $*"
}
