#!/usr/bin/env bash
# pgbouncer.sh — put a PgBouncer in transaction pooling mode in front of a PostgreSQL and
# print the URL of the same database through it.
#
# Usage: scripts/pgbouncer.sh URL     (progress on stderr; the URL is stdout's last line)
#        POOLED=$(scripts/pgbouncer.sh "$(scripts/db.sh | tail -n 1)" | tail -n 1)
#
# URL is postgres://user:password@host[:port][/database][?sslmode=...] (what scripts/db.sh
# prints); a key=value DSN is refused. The printed URL has the same user, password and
# database, host 127.0.0.1, the port below and sslmode=disable. Other query parameters of
# URL are not carried over.
#
# On Debian 12 (as root, or with sudo):
#   - install Debian's pgbouncer package (1.18) and a psql when missing;
#   - run an instance of our own, whose config, auth file, pid file, log and unix socket
#     live in $CONTEXTAPI_PGBOUNCER_DIR. Debian's default instance (/etc/pgbouncer, port
#     6432, possibly started by the package's service) is never touched;
#   - it runs as the postgres user (PgBouncer refuses root), daemonised, with
#     pool_mode = transaction, auth_type = scram-sha-256 and a wildcard [databases] entry,
#     so every database on the server (tests create and drop one each) is reachable by name.
# Idempotent: a running instance whose files are unchanged is only checked; a changed auth
# file is reloaded (SIGHUP), a changed config restarts it (SIGTERM, then start).
#
# Environment knobs:
#   CONTEXTAPI_PGBOUNCER_PORT  port on 127.0.0.1 (default 56432; not 6432, Debian's)
#   CONTEXTAPI_PGBOUNCER_DIR   the instance's directory (default /var/lib/contextapi/pgbouncer)
set -euo pipefail

PGVER=15
PORT="${CONTEXTAPI_PGBOUNCER_PORT:-56432}"
DIR="${CONTEXTAPI_PGBOUNCER_DIR:-/var/lib/contextapi/pgbouncer}"
INI="$DIR/pgbouncer.ini"
USERLIST="$DIR/userlist.txt"
PIDFILE="$DIR/pgbouncer.pid"
LOGFILE="$DIR/pgbouncer.log"
SOCKET_DIR="$DIR/socket"
BIN=/usr/sbin/pgbouncer
LOCK=/run/lock/contextapi-pgbouncer.lock

export DEBIAN_FRONTEND=noninteractive

log() { printf 'pgbouncer.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$#" -eq 1 ] || die "usage: scripts/pgbouncer.sh postgres://user:password@host:port/database"
URL="$1"

# shellcheck source=scripts/lib/pg_url.sh
. "$(dirname "$0")/lib/pg_url.sh"

# ---------------------------------------------------------------------------
# The upstream URL
# ---------------------------------------------------------------------------
parse_pg_url "$URL" "PgBouncer's auth file"

# The server's sslmode becomes PgBouncer's server_tls_sslmode (both default to prefer).
SERVER_SSLMODE=prefer
IFS='&' read -r -a params <<<"$query"
for p in "${params[@]}"; do
	case "$p" in sslmode=*) SERVER_SSLMODE="${p#sslmode=}" ;; esac
done
case "$SERVER_SSLMODE" in
disable | allow | prefer | require) ;;
*) die "sslmode=$SERVER_SSLMODE is not supported here (disable, allow, prefer or require)" ;;
esac

case "$PORT" in '' | *[!0-9]*) die "CONTEXTAPI_PGBOUNCER_PORT '$PORT' is not a number" ;; esac
[ "$PORT" != 6432 ] || die "port 6432 belongs to Debian's own pgbouncer service: pick another CONTEXTAPI_PGBOUNCER_PORT"
if [ "$PORT" = "$PG_PORT" ]; then
	case "$PG_HOST" in 127.0.0.1 | localhost) die "port $PORT is the server's own: pick another CONTEXTAPI_PGBOUNCER_PORT" ;; esac
fi

POOLED_URL="postgres://${raw_userinfo}@127.0.0.1:${PORT}/${raw_db}?sslmode=disable"

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

ensure_packages() {
	local missing=() p
	for p in "$@"; do installed "$p" || missing+=("$p"); done
	[ "${#missing[@]}" -eq 0 ] && return 0
	# Always refresh before installing: stale lists can name versions the mirror dropped.
	log "apt-get update"
	as_root apt-get update -qq >&2
	log "installing ${missing[*]}"
	as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

pkgs=(pgbouncer)
command -v psql >/dev/null 2>&1 || pkgs+=("postgresql-client-${PGVER}")
ensure_packages "${pkgs[@]}"
[ -x "$BIN" ] || die "$BIN missing after installing pgbouncer"
id postgres >/dev/null 2>&1 || die "no postgres user to run PgBouncer as (scripts/db.sh installs PostgreSQL)"

# The server itself must accept these credentials: PgBouncer would otherwise happily
# accept clients and keep serving them on server connections it opened before.
if ! err="$(env -u PGOPTIONS psql -X "$URL" -qAtc 'select 1' 2>&1 >/dev/null)"; then
	die "the server at ${PG_HOST}:${PG_PORT} refuses the URL: $err"
fi

# One run at a time: two test runs starting together must not both (re)start it.
if [ -w "$LOCK" ] || { [ ! -e "$LOCK" ] && [ -w "$(dirname "$LOCK")" ]; }; then
	exec 9>>"$LOCK"
	flock -w 60 9 || die "another scripts/pgbouncer.sh holds $LOCK"
fi

# ---------------------------------------------------------------------------
# The instance's files
# ---------------------------------------------------------------------------
as_root install -d -m 0750 -o postgres -g postgres "$DIR" "$SOCKET_DIR"

desired_ini="; Written by contextapi scripts/pgbouncer.sh. A TEST POOLER; re-written on every run.
[databases]
; Any database name is forwarded to the database of that name on the server: tests
; create and drop one each. Entries of unused names go away after autodb_idle_timeout.
* = host=${PG_HOST} port=${PG_PORT}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${PORT}
unix_socket_dir = ${SOCKET_DIR}
pidfile = ${PIDFILE}
logfile = ${LOGFILE}
auth_type = scram-sha-256
auth_file = ${USERLIST}
admin_users = ${DB_USER}
stats_users = ${DB_USER}
pool_mode = transaction
; EMPTY ON PURPOSE. PgBouncer rejects a startup parameter it neither tracks nor ignores
; (\"unsupported startup parameter\": statement_timeout, search_path, options, ...), as
; any PgBouncer in front of the service would. Tests connect through this one to prove
; the service sends none of them; listing any here would hide exactly that bug.
ignore_startup_parameters =
; Many small, short-lived databases on a server with max_connections = 200: each
; database gets at most 20 server connections, the user at most 100 in all, so direct
; connections of the tests keep room, and idle ones close after 10 s, so the pools of
; dropped test databases do not linger.
default_pool_size = 10
min_pool_size = 0
reserve_pool_size = 0
max_db_connections = 20
max_user_connections = 100
max_client_conn = 1000
server_idle_timeout = 10
server_lifetime = 300
autodb_idle_timeout = 60
server_tls_sslmode = ${SERVER_SSLMODE}
log_connections = 0
log_disconnections = 0
"
# PgBouncer's auth file quotes names and passwords in \"\", doubling any \" inside.
desired_userlist="\"${DB_USER//\"/\"\"}\" \"${DB_PASS//\"/\"\"}\""

# write_file PATH CONTENT writes CONTENT (0600, owned by postgres) unless it is already
# there; it returns 0 when it wrote.
write_file() {
	local path="$1" content="$2" tmp
	if [ "$(as_root cat "$path" 2>/dev/null || true)" = "$content" ]; then return 1; fi
	tmp="$(mktemp)"
	printf '%s\n' "$content" >"$tmp"
	as_root install -m 0600 -o postgres -g postgres "$tmp" "$path"
	rm -f "$tmp"
	return 0
}

ini_changed=0
userlist_changed=0
if write_file "$INI" "${desired_ini%$'\n'}"; then ini_changed=1; fi
if write_file "$USERLIST" "$desired_userlist"; then userlist_changed=1; fi

# ---------------------------------------------------------------------------
# The process
# ---------------------------------------------------------------------------

# shellcheck source=scripts/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

running_pid() { daemon_pid "$PIDFILE" pgbouncer; }

answers() { env -u PGOPTIONS psql -X "$POOLED_URL" -qAtc 'select 1' >/dev/null 2>&1; }

stop() { stop_daemon "$PIDFILE" pgbouncer "$1"; }

start() {
	# A stale pid file (say, after a reboot) would make PgBouncer refuse to start.
	as_root rm -f "$PIDFILE"
	rotate_log "$LOGFILE"
	log "starting PgBouncer $("$BIN" --version | head -n 1 | awk '{print $2}') on 127.0.0.1:$PORT (pool_mode transaction, $DIR)"
	# runuser's PAM session resets the soft file limit to 1024, about max_client_conn:
	# raise it to the hard limit. 9>&-: the daemon must not inherit (and keep) the lock.
	as_postgres sh -c 'ulimit -n "$(ulimit -H -n)" 2>/dev/null; exec "$0" -d -q "$1"' "$BIN" "$INI" >&2 9>&- ||
		die "PgBouncer did not start; $LOGFILE ends with:"$'\n'"$(as_root tail -n 20 "$LOGFILE" 2>/dev/null || true)"
}

if pid="$(running_pid)"; then
	if [ "$ini_changed" -eq 1 ]; then
		log "configuration changed: restarting"
		stop "$pid"
		start
	elif [ "$userlist_changed" -eq 1 ]; then
		log "auth file changed: reloading PgBouncer (pid $pid)"
		as_root kill -HUP "$pid"
	elif answers; then
		log "PgBouncer already running on 127.0.0.1:$PORT (pid $pid)"
	else
		log "PgBouncer (pid $pid) does not answer: restarting"
		stop "$pid"
		start
	fi
else
	start
fi

# Wait until it accepts connections and reaches the server.
for _ in $(seq 1 50); do
	if answers; then break; fi
	sleep 0.2
done
if ! err="$(env -u PGOPTIONS psql -X "$POOLED_URL" -qAtc 'select 1' 2>&1 >/dev/null)"; then
	die "cannot connect through PgBouncer: $err"$'\n'"$LOGFILE ends with:"$'\n'"$(as_root tail -n 20 "$LOGFILE" 2>/dev/null || true)"
fi
# Ask the admin console what it really runs with, in case a reload did not take.
mode="$(env -u PGOPTIONS psql -X "postgres://${raw_userinfo}@127.0.0.1:${PORT}/pgbouncer?sslmode=disable" \
	-qAtc 'SHOW CONFIG' 2>/dev/null | awk -F'|' '$1 == "pool_mode" { print $2 }')"
[ "$mode" = transaction ] || die "PgBouncer on port $PORT runs pool_mode '${mode:-?}', not transaction: is it ours?"
log "ready: pool_mode $mode, server ${PG_HOST}:${PG_PORT}"
printf '%s\n' "$POOLED_URL"
