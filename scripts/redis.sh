#!/usr/bin/env bash
# redis.sh — make a Redis for the tests available and print its URL.
#
# Usage: scripts/redis.sh     (progress on stderr; the URL is stdout's last line)
#        REDIS=$(scripts/redis.sh | tail -n 1)
#
# On Debian 12 (as root, or with sudo):
#   - install Debian's redis-server package (bookworm's) when missing;
#   - run an instance of our own on 127.0.0.1:$CONTEXTAPI_REDIS_PORT (default 56379), whose
#     config, pid file and log live in $CONTEXTAPI_REDIS_DIR. Debian's own service
#     (/etc/redis, port 6379) is never touched;
#   - daemonised, as the redis user, loopback only, protected mode, no persistence
#     (save "" and appendonly no), its memory bounded by Redis itself: maxmemory 256mb
#     with maxmemory-policy allkeys-lru.
# Idempotent: a running instance whose config is unchanged is only checked; a changed
# config, or one that does not answer, restarts it.
#
# Environment knobs:
#   CONTEXTAPI_REDIS_PORT  port on 127.0.0.1 (default 56379; not 6379, Debian's)
#   CONTEXTAPI_REDIS_DIR   the instance's directory (default /var/lib/contextapi/redis)
set -euo pipefail

PORT="${CONTEXTAPI_REDIS_PORT:-56379}"
DIR="${CONTEXTAPI_REDIS_DIR:-/var/lib/contextapi/redis}"
CONF="$DIR/redis.conf"
PIDFILE="$DIR/redis.pid"
LOGFILE="$DIR/redis.log"
BIN=/usr/bin/redis-server
CLI=/usr/bin/redis-cli
LOCK=/run/lock/contextapi-redis.lock

export DEBIAN_FRONTEND=noninteractive

log() { printf 'redis.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$#" -eq 0 ] || die "usage: scripts/redis.sh"
case "$PORT" in '' | *[!0-9]*) die "CONTEXTAPI_REDIS_PORT '$PORT' is not a number" ;; esac
[ "$PORT" != 6379 ] || die "port 6379 belongs to Debian's own redis-server service: pick another CONTEXTAPI_REDIS_PORT"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else die "run as root (or install sudo)"; fi
fi
as_root() { ${SUDO:+$SUDO} "$@"; }

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if ! installed redis-server; then
	# Always refresh before installing: stale lists can name versions the mirror dropped.
	log "apt-get update"
	as_root apt-get update -qq >&2
	log "installing redis-server"
	as_root apt-get install -y -qq --no-install-recommends redis-server >&2
fi
{ [ -x "$BIN" ] && [ -x "$CLI" ]; } || die "$BIN or $CLI missing after installing redis-server"
id redis >/dev/null 2>&1 || die "no redis user (the redis-server package creates it)"

# One run at a time: two test runs starting together must not both (re)start it.
if [ -w "$LOCK" ] || { [ ! -e "$LOCK" ] && [ -w "$(dirname "$LOCK")" ]; }; then
	exec 9>>"$LOCK"
	flock -w 60 9 || die "another scripts/redis.sh holds $LOCK"
fi

# ---------------------------------------------------------------------------
# The instance's config
# ---------------------------------------------------------------------------
as_root install -d -m 0750 -o redis -g redis "$DIR"

desired_conf="# Written by contextapi scripts/redis.sh. A TEST CACHE; re-written on every run.
bind 127.0.0.1
protected-mode yes
port ${PORT}
daemonize yes
supervised no
pidfile ${PIDFILE}
logfile ${LOGFILE}
loglevel notice
dir ${DIR}
databases 16
# A cache: nothing is ever written to disk.
save \"\"
appendonly no
# Redis bounds its own memory, evicting the least recently used keys of any kind.
maxmemory 256mb
maxmemory-policy allkeys-lru
"

config_changed=0
if [ "$(as_root cat "$CONF" 2>/dev/null || true)" != "${desired_conf%$'\n'}" ]; then
	tmp="$(mktemp)"
	printf '%s' "$desired_conf" >"$tmp"
	as_root install -m 0640 -o redis -g redis "$tmp" "$CONF"
	rm -f "$tmp"
	config_changed=1
fi

# ---------------------------------------------------------------------------
# The process
# ---------------------------------------------------------------------------

# shellcheck source=scripts/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

running_pid() { daemon_pid "$PIDFILE" redis-server; }

answers() { [ "$("$CLI" -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ]; }

stop() { stop_daemon "$PIDFILE" redis-server "$1"; }

start() {
	as_root rm -f "$PIDFILE"
	rotate_log "$LOGFILE"
	log "starting Redis $("$BIN" --version | awk '{ sub(/^v=/, "", $3); print $3 }') on 127.0.0.1:$PORT ($DIR)"
	# 9>&-: the daemon must not inherit (and keep) the lock.
	as_root runuser -u redis -- "$BIN" "$CONF" >&2 9>&- ||
		die "redis-server did not start; $LOGFILE ends with:"$'\n'"$(as_root tail -n 20 "$LOGFILE" 2>/dev/null || true)"
}

if pid="$(running_pid)"; then
	if [ "$config_changed" -eq 1 ]; then
		log "configuration changed: restarting"
		stop "$pid"
		start
	elif answers; then
		log "redis-server already running on 127.0.0.1:$PORT (pid $pid)"
	else
		log "redis-server (pid $pid) does not answer: restarting"
		stop "$pid"
		start
	fi
else
	start
fi

for _ in $(seq 1 50); do
	if answers; then break; fi
	sleep 0.2
done
answers || die "redis-server on 127.0.0.1:$PORT does not answer PING; $LOGFILE ends with:"$'\n'"$(as_root tail -n 20 "$LOGFILE" 2>/dev/null || true)"
# Ask it what it really runs with, in case the port holds some other Redis.
policy="$("$CLI" -h 127.0.0.1 -p "$PORT" config get maxmemory-policy | tail -n 1)"
[ "$policy" = allkeys-lru ] || die "the Redis on port $PORT runs maxmemory-policy '${policy:-?}', not allkeys-lru: is it ours?"
log "ready: maxmemory 256mb, maxmemory-policy $policy, no persistence"
printf 'redis://127.0.0.1:%s/0\n' "$PORT"
