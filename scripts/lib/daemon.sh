# shellcheck shell=bash
# Sourced by the scripts that run a daemon of their own from a pid file (pgbouncer.sh,
# redis.sh). The caller defines die(), log() and as_root() first (lib/pg_url.sh has
# as_root).

# daemon_pid PIDFILE COMM prints the pid in PIDFILE when that process is a live COMM.
daemon_pid() {
	local pid
	pid="$(as_root cat "$1" 2>/dev/null || true)"
	case "$pid" in '' | *[!0-9]*) return 1 ;; esac
	[ "$(as_root cat "/proc/$pid/comm" 2>/dev/null || true)" = "$2" ] || return 1
	# A killed daemon stays a zombie until init reaps it (some containers' never do).
	[ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)" != Z ] || return 1
	printf '%s\n' "$pid"
}

# stop_daemon PIDFILE COMM PID sends PID a TERM and waits up to 10 s for it to end.
stop_daemon() {
	log "stopping $2 (pid $3)"
	as_root kill -TERM "$3"
	for _ in $(seq 1 50); do
		daemon_pid "$1" "$2" >/dev/null || return 0
		sleep 0.2
	done
	die "$2 (pid $3) did not stop"
}

# rotate_log LOGFILE keeps one old log once it passes 10 MB.
rotate_log() {
	if [ -n "$(as_root find "$1" -size +10M 2>/dev/null || true)" ]; then
		as_root mv -f "$1" "$1.1"
	fi
}
