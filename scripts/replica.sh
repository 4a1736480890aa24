#!/usr/bin/env bash
# replica.sh — make a streaming standby of the local test PostgreSQL and print its URL.
#
# Usage: scripts/replica.sh URL    (progress on stderr; the URL is stdout's last line)
#        REPLICA=$(scripts/replica.sh "$(scripts/db.sh | tail -n 1)" | tail -n 1)
#
# URL is postgres://user:password@127.0.0.1:port/database[?...] of a Debian cluster on this
# machine (what scripts/db.sh prints); its user must be a superuser (db.sh's is), so that
# it may replicate and the tests may call pg_wal_replay_pause() on the standby. The
# printed URL is the same with the standby's port.
#
# On Debian 12 (as root, or with sudo), with the primary's packages (scripts/db.sh):
#   - a Debian cluster 15/contextapi_replica on 127.0.0.1:$CONTEXTAPI_REPLICA_PORT (default
#     55434), its data a pg_basebackup -R of the primary, streaming through a physical
#     replication slot "contextapi_replica" on the primary (the primary keeps WAL for it:
#     remove the slot with the standby, see docs/operations.md);
#   - a running standby that streams is only checked; one that is down is started; one that
#     does not stream (or whose system identifier is not the primary's any more: the
#     primary was re-created) is dropped and built again.
#   - Replication from 127.0.0.1 is allowed by scripts/db.sh's pg_hba.conf, and the WAL the
#     slot keeps is bounded there (max_slot_wal_keep_size), so a standby left stopped cannot
#     fill the disk: past the bound it is rebuilt on the next run.
#
# Environment knobs:
#   CONTEXTAPI_REPLICA_PORT  port of the standby on 127.0.0.1 (default 55434)
set -euo pipefail

PGVER=15
CLUSTER=contextapi_replica
SLOT=contextapi_replica
PORT="${CONTEXTAPI_REPLICA_PORT:-55434}"
PG_BIN="/usr/lib/postgresql/${PGVER}/bin"
CONF_DIR="/etc/postgresql/${PGVER}/${CLUSTER}"
LOCK=/run/lock/contextapi-replica.lock

log() { printf 'replica.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$#" -eq 1 ] || die "usage: scripts/replica.sh postgres://user:password@127.0.0.1:port/database"
URL="$1"

# shellcheck source=scripts/lib/pg_url.sh
. "$(dirname "$0")/lib/pg_url.sh"

# ---------------------------------------------------------------------------
# The primary's URL
# ---------------------------------------------------------------------------
parse_pg_url "$URL" "the standby's primary_conninfo"
case "$PG_HOST" in 127.0.0.1 | localhost) ;; *) die "the primary must be a local cluster on 127.0.0.1, not '$PG_HOST'" ;; esac
case "$PORT" in '' | *[!0-9]*) die "CONTEXTAPI_REPLICA_PORT '$PORT' is not a number" ;; esac
[ "$PORT" != "$PG_PORT" ] || die "port $PORT is the primary's own: pick another CONTEXTAPI_REPLICA_PORT"

REPLICA_URL="postgres://${raw_userinfo}@127.0.0.1:${PORT}/${raw_db}${query:+?$query}"

# The primary: a Debian cluster of version $PGVER on that port.
PRIMARY="$(pg_lsclusters -h 2>/dev/null | awk -v v="$PGVER" -v p="$PG_PORT" '$1 == v && $3 == p { print $2 }')"
[ -n "$PRIMARY" ] || die "no Debian cluster $PGVER/* on port $PG_PORT (scripts/db.sh creates one)"
[ "$PRIMARY" != "$CLUSTER" ] || die "the URL points at the standby itself"

p() { env -u PGOPTIONS psql -X "$URL" -v ON_ERROR_STOP=1 -qAt "$@"; }
r() { env -u PGOPTIONS psql -X "$REPLICA_URL" -v ON_ERROR_STOP=1 -qAt "$@"; }

[ "$(p -c 'select rolsuper from pg_roles where rolname = current_user')" = t ] ||
	die "$DB_USER is not a superuser on the primary: it must replicate and pause replay"
PRIMARY_SYSID="$(p -c 'select system_identifier from pg_control_system()')"
MAX_CONNECTIONS="$(p -c 'show max_connections')"

# One run at a time: two test runs starting together must not both build it. The
# standby's postmaster must not inherit (and keep) the lock: 9>&- where it starts.
if [ -w "$LOCK" ] || { [ ! -e "$LOCK" ] && [ -w "$(dirname "$LOCK")" ]; }; then
	exec 9>>"$LOCK"
	flock -w 300 9 || die "another scripts/replica.sh holds $LOCK"
fi

# ---------------------------------------------------------------------------
# Replication access on the primary (scripts/db.sh's pg_hba.conf grants it)
# ---------------------------------------------------------------------------
can_replicate() {
	PGPASSWORD="$DB_PASS" env -u PGOPTIONS psql -X \
		"host=127.0.0.1 port=$PG_PORT user=$DB_USER dbname=replication replication=true sslmode=disable" \
		-qAtc 'IDENTIFY_SYSTEM' >/dev/null 2>&1
}

require_replication() {
	can_replicate || die "the primary refuses replication connections from 127.0.0.1: run scripts/db.sh, whose pg_hba.conf allows them"
}

# ---------------------------------------------------------------------------
# The standby
# ---------------------------------------------------------------------------
cluster_line() { pg_lsclusters -h 2>/dev/null | awk -v v="$PGVER" -v c="$CLUSTER" '$1 == v && $2 == c'; }
status() { cluster_line | awk '{ print $4 }'; }
datadir() { cluster_line | awk '{ print $6 }'; }

streaming() {
	[ "$(p -c "select r.state from pg_replication_slots s join pg_stat_replication r on r.pid = s.active_pid
	           where s.slot_name = '$SLOT'" 2>/dev/null)" = streaming ] &&
		[ "$(r -c 'select pg_is_in_recovery()' 2>/dev/null)" = t ]
}

wait_streaming() {
	for _ in $(seq 1 "$1"); do
		streaming && return 0
		sleep 0.5
	done
	return 1
}

standby_sysid() {
	as_postgres "$PG_BIN/pg_controldata" -D "$(datadir)" 2>/dev/null |
		awk -F': *' '/^Database system identifier/ { print $2 }'
}

desired_conf="# Written by contextapi scripts/replica.sh. A THROWAWAY TEST STANDBY of $PGVER/$PRIMARY.
listen_addresses = '127.0.0.1'
hot_standby = on
fsync = off
synchronous_commit = off
shared_buffers = '128MB'
# A hot standby needs at least the primary's max_connections.
max_connections = ${MAX_CONNECTIONS}
"

write_conf() {
	local f="$CONF_DIR/conf.d/90-contextapi-replica.conf"
	[ "$(as_root cat "$f" 2>/dev/null || true)" != "${desired_conf%$'\n'}" ] || return 1
	printf '%s' "$desired_conf" | as_root tee "$f" >/dev/null
	as_root chown postgres:postgres "$f"
	return 0
}

build() {
	local dir
	if [ -n "$(cluster_line)" ]; then
		log "dropping the standby $PGVER/$CLUSTER"
		as_root pg_dropcluster --stop "$PGVER" "$CLUSTER" >&2
	fi
	p -c "select pg_drop_replication_slot('$SLOT') from pg_replication_slots where slot_name = '$SLOT'" >/dev/null
	require_replication
	log "creating cluster $PGVER/$CLUSTER on port $PORT"
	as_root pg_createcluster "$PGVER" "$CLUSTER" --port "$PORT" --start-conf auto \
		--locale C.UTF-8 -- --auth-local=peer --auth-host=scram-sha-256 >&2
	write_conf || true
	dir="$(datadir)"
	[ -n "$dir" ] || die "pg_createcluster made no data directory"
	as_root find "$dir" -mindepth 1 -delete
	log "pg_basebackup of $PGVER/$PRIMARY ($(p -c 'select pg_size_pretty(sum(pg_database_size(oid))) from pg_database')) into $dir"
	as_postgres env PGPASSWORD="$DB_PASS" "$PG_BIN/pg_basebackup" \
		-d "host=127.0.0.1 port=$PG_PORT user=$DB_USER sslmode=disable" \
		-D "$dir" -R -C -S "$SLOT" -X stream -c fast >&2
	log "starting the standby $PGVER/$CLUSTER"
	as_root pg_ctlcluster "$PGVER" "$CLUSTER" start >&2 9>&-
}

rebuild=""
if [ -z "$(cluster_line)" ]; then
	rebuild="there is no standby yet"
elif [ "$(standby_sysid)" != "$PRIMARY_SYSID" ]; then
	rebuild="its system identifier is not the primary's (was the primary re-created?)"
elif [ -z "$(p -c "select 1 from pg_replication_slots where slot_name = '$SLOT'")" ]; then
	rebuild="the primary has no slot $SLOT"
fi

if [ -z "$rebuild" ]; then
	if write_conf; then
		log "configuration changed: restarting the standby"
		as_root pg_ctlcluster "$PGVER" "$CLUSTER" restart >&2 9>&-
	elif [ "$(status)" != online ] && [ "$(status)" != online,recovery ]; then
		log "starting the standby $PGVER/$CLUSTER"
		as_root pg_ctlcluster "$PGVER" "$CLUSTER" start >&2 9>&- || rebuild="it does not start"
	fi
fi
if [ -z "$rebuild" ] && ! streaming; then
	# A (re)started standby reconnects within wal_retrieve_retry_interval (5 s).
	require_replication
	wait_streaming 30 || rebuild="it does not stream from the primary"
fi
if [ -n "$rebuild" ]; then
	log "building the standby: $rebuild"
	build
	wait_streaming 60 || die "the new standby does not stream; see /var/log/postgresql/postgresql-$PGVER-$CLUSTER.log"
fi

[ "$(r -c 'select pg_is_in_recovery()')" = t ] || die "the standby on port $PORT is not in recovery"
log "ready: $PGVER/$CLUSTER on 127.0.0.1:$PORT streams from $PGVER/$PRIMARY (slot $SLOT)"
printf '%s\n' "$REPLICA_URL"
