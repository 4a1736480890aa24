#!/usr/bin/env bash
# db.sh — make a PostgreSQL 15 with pgvector available and print its URL.
#
# Usage: scripts/db.sh            (progress on stderr; the URL is stdout's last line)
#        URL=$(scripts/db.sh)
#
# 1. If CONTEXTAPI_DATABASE_URL or DATABASE_URL is set (that precedence), check that it
#    answers and that `CREATE EXTENSION IF NOT EXISTS vector` works there, print it, done.
# 2. Otherwise, on Debian 12 (as root, or with sudo):
#    - install postgresql-15, postgresql-client-15, postgresql-server-dev-15 and build tools
#      when missing;
#    - build pgvector from Debian's *source* package (suite trixie; bookworm has no binary
#      pgvector) unless /usr/share/postgresql/15/extension/vector.control exists. Only a
#      deb-src entry is added, in a file of its own, with the URI and Signed-By keyring of
#      the machine's existing Debian entry; no binary package ever comes from trixie. The
#      file is removed again once the source is fetched (set CONTEXTAPI_KEEP_TRIXIE_SRC=1 to
#      keep it), so later `apt-get update`s do not fetch trixie's Sources index;
#    - create (or reuse) a cluster "15/contextapi" on 127.0.0.1:$CONTEXTAPI_PG_PORT (default
#      55432), tuned as a throwaway test cluster (fsync off, etc.), with role and database
#      "contextapi" (password "contextapi") and the vector extension in it and in template1.
#
# Environment knobs:
#   CONTEXTAPI_PG_PORT            port of the local cluster (default 55432)
#   CONTEXTAPI_PG_SHARED_BUFFERS  shared_buffers (default 512MB)
#   CONTEXTAPI_PG_MAINT_WORK_MEM  maintenance_work_mem (default 1GB; an HNSW build over
#                                 1M x 384 wants ~2.5GB: SET it in that session)
#   CONTEXTAPI_PGVECTOR_OPTFLAGS  OPTFLAGS for the pgvector build (default: Debian's, whose
#                                 patch drops -march=native; pgvector dispatches on the CPU at
#                                 run time for its distance functions anyway)
#   CONTEXTAPI_KEEP_TRIXIE_SRC=1  keep the deb-src entry after fetching the source
set -euo pipefail

PGVER=15
CLUSTER=contextapi
PORT="${CONTEXTAPI_PG_PORT:-55432}"
DB_NAME=contextapi
DB_USER=contextapi
DB_PASS=contextapi
SHARED_BUFFERS="${CONTEXTAPI_PG_SHARED_BUFFERS:-512MB}"
MAINT_WORK_MEM="${CONTEXTAPI_PG_MAINT_WORK_MEM:-1GB}"
PG_BIN="/usr/lib/postgresql/${PGVER}/bin"
PG_CONFIG="${PG_BIN}/pg_config"
VECTOR_CONTROL="/usr/share/postgresql/${PGVER}/extension/vector.control"
SRC_LIST="/etc/apt/sources.list.d/contextapi-trixie-src.sources"
BUILD_DIR="/var/cache/contextapi/pgvector"
CONF_DIR="/etc/postgresql/${PGVER}/${CLUSTER}"

export DEBIAN_FRONTEND=noninteractive

log() { printf 'db.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi
as_root() { ${SUDO:+$SUDO} "$@"; }
as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

APT_UPDATED=0
apt_update_once() {
	if [ "$APT_UPDATED" -eq 0 ]; then
		log "apt-get update"
		as_root apt-get update -qq >&2
		APT_UPDATED=1
	fi
}

ensure_packages() {
	local missing=() p
	for p in "$@"; do installed "$p" || missing+=("$p"); done
	[ "${#missing[@]}" -eq 0 ] && return 0
	# Always refresh before installing: stale lists can name versions the mirror dropped.
	apt_update_once
	log "installing ${missing[*]}"
	as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# ---------------------------------------------------------------------------
# Mode 1: an externally provided database
# ---------------------------------------------------------------------------
URL="${CONTEXTAPI_DATABASE_URL:-${DATABASE_URL:-}}"
if [ -n "$URL" ]; then
	command -v psql >/dev/null 2>&1 || ensure_packages "postgresql-client-${PGVER}"
	log "using the database from the environment"
	psql "$URL" -v ON_ERROR_STOP=1 -qAtc 'select 1' >/dev/null ||
		die "the configured database does not answer"
	psql "$URL" -v ON_ERROR_STOP=1 -qAtc 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null ||
		die "CREATE EXTENSION vector failed on the configured database (is pgvector installed there?)"
	printf '%s\n' "$URL"
	exit 0
fi

[ -r /etc/os-release ] || die "/etc/os-release missing: not a Debian machine?"
# shellcheck disable=SC1091
CODENAME="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
[ -n "$CODENAME" ] || die "cannot tell the Debian codename from /etc/os-release"
if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then die "run as root (or install sudo)"; fi

ensure_packages "postgresql-${PGVER}" "postgresql-client-${PGVER}"

# ---------------------------------------------------------------------------
# pgvector, built from Debian's source package
# ---------------------------------------------------------------------------

# debian_entry prints "URI<TAB>SIGNED-BY" of the first enabled binary ("deb") entry for
# suite $CODENAME, component main, in the machine's APT sources (deb822 or one-line).
debian_entry() {
	local f found
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		[ "$f" = "$SRC_LIST" ] && continue
		case "$f" in
		*.sources)
			found="$(awk -v suite="$CODENAME" '
				function has(list, w,   n, a, i) { n = split(list, a, /[ \t]+/); for (i = 1; i <= n; i++) if (a[i] == w) return 1; return 0 }
				BEGIN { RS = ""; FS = "\n" }
				{
					types = uris = suites = comps = signed = ""; enabled = "yes"; key = ""
					for (i = 1; i <= NF; i++) {
						line = $i
						if (line ~ /^#/) continue
						if (line ~ /^[A-Za-z][A-Za-z-]*:/) {
							key = tolower(substr(line, 1, index(line, ":") - 1))
							val = substr(line, index(line, ":") + 1)
							gsub(/^[ \t]+|[ \t]+$/, "", val)
							if (key == "types") types = val
							else if (key == "uris") uris = val
							else if (key == "suites") suites = val
							else if (key == "components") comps = val
							else if (key == "signed-by") signed = val
							else if (key == "enabled") enabled = tolower(val)
						}
					}
					if (enabled == "no" || !has(types, "deb") || !has(suites, suite) || !has(comps, "main")) next
					split(uris, u, /[ \t]+/)
					# an inline (multi-line) key cannot be copied onto one line: leave it out
					if (signed !~ /^\//) signed = ""
					print u[1] "\t" signed
					exit
				}' "$f")"
			;;
		*)
			found="$(awk -v suite="$CODENAME" '
				{ sub(/#.*/, "") }
				$1 != "deb" { next }
				{
					signed = ""; i = 2
					if ($2 ~ /^\[/) {
						opts = ""
						for (; i <= NF; i++) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } }
						gsub(/[\[\]]/, " ", opts)
						n = split(opts, o, /[ \t]+/)
						for (j = 1; j <= n; j++) if (tolower(o[j]) ~ /^signed-by=/) signed = substr(o[j], 11)
					}
					uri = $i; s = $(i + 1); main = 0
					for (k = i + 2; k <= NF; k++) if ($k == "main") main = 1
					if (s == suite && main) { print uri "\t" signed; exit }
				}' "$f")"
			;;
		esac
		if [ -n "$found" ]; then
			printf '%s\n' "$found"
			return 0
		fi
	done
}

build_pgvector() {
	if [ -f "$VECTOR_CONTROL" ]; then
		log "pgvector already installed ($(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$VECTOR_CONTROL"))"
		return 0
	fi
	ensure_packages "postgresql-server-dev-${PGVER}" build-essential dpkg-dev

	local entry uri keyring
	entry="$(debian_entry)"
	[ -n "$entry" ] || die "no Debian '$CODENAME main' entry in /etc/apt/sources.list{,.d}: cannot derive a mirror"
	uri="${entry%%$'\t'*}"
	keyring="${entry#*$'\t'}"
	if [ -z "$keyring" ] && [ -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
		keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	fi
	log "adding deb-src trixie main from $uri (Signed-By: ${keyring:-apt default}) in $SRC_LIST"
	{
		printf '# Added by contextapi scripts/db.sh: SOURCE packages only (to build pgvector).\n'
		printf '# Never add a "deb" (binary) trixie entry on this bookworm machine.\n'
		printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\n' "$uri"
		if [ -n "$keyring" ]; then printf 'Signed-By: %s\n' "$keyring"; fi
	} | as_root tee "$SRC_LIST" >/dev/null
	if [ "${CONTEXTAPI_KEEP_TRIXIE_SRC:-0}" != 1 ]; then
		trap 'as_root rm -f "$SRC_LIST"' EXIT
	fi

	# Refresh only this one source: quick, and leaves the other lists alone.
	log "apt-get update (trixie deb-src only)"
	as_root apt-get update -qq \
		-o Dir::Etc::sourcelist="$SRC_LIST" -o Dir::Etc::sourceparts=- \
		-o APT::Get::List-Cleanup=0 >&2

	as_root mkdir -p "$BUILD_DIR"
	as_root rm -rf "$BUILD_DIR"/pgvector-*
	log "fetching the pgvector source package (trixie) into $BUILD_DIR"
	(cd "$BUILD_DIR" && as_root apt-get source -qq pgvector/trixie >&2)
	local src
	src="$(find "$BUILD_DIR" -maxdepth 1 -type d -name 'pgvector-*' | sort | tail -n 1)"
	[ -n "$src" ] || die "apt-get source pgvector produced no source tree"
	log "building $(basename "$src") against $PG_CONFIG"
	local optflags=()
	if [ -n "${CONTEXTAPI_PGVECTOR_OPTFLAGS+x}" ]; then optflags=("OPTFLAGS=${CONTEXTAPI_PGVECTOR_OPTFLAGS}"); fi
	as_root make -s -C "$src" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" "${optflags[@]}" >&2
	as_root make -s -C "$src" install PG_CONFIG="$PG_CONFIG" "${optflags[@]}" >&2
	[ -f "$VECTOR_CONTROL" ] || die "pgvector install did not produce $VECTOR_CONTROL"
	if [ "${CONTEXTAPI_KEEP_TRIXIE_SRC:-0}" != 1 ]; then
		as_root rm -f "$SRC_LIST"
		trap - EXIT
	fi
}

build_pgvector

# ---------------------------------------------------------------------------
# The cluster
# ---------------------------------------------------------------------------
cluster_line() { pg_lsclusters -h 2>/dev/null | awk -v v="$PGVER" -v c="$CLUSTER" '$1 == v && $2 == c'; }

if [ -z "$(cluster_line)" ]; then
	log "creating cluster $PGVER/$CLUSTER on port $PORT"
	as_root pg_createcluster "$PGVER" "$CLUSTER" --port "$PORT" --start-conf auto \
		--locale C.UTF-8 -- --auth-local=peer --auth-host=scram-sha-256 >&2
else
	existing_port="$(cluster_line | awk '{print $3}')"
	if [ "$existing_port" != "$PORT" ]; then
		log "cluster $PGVER/$CLUSTER exists on port $existing_port: using that port"
		PORT="$existing_port"
	fi
fi

# Settings for a throwaway test cluster. Re-written on every run; a change restarts it.
desired_conf="# Written by contextapi scripts/db.sh. A THROWAWAY TEST CLUSTER: durability is off.
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = '${SHARED_BUFFERS}'
maintenance_work_mem = '${MAINT_WORK_MEM}'
# pgvector < 0.8.2 can overflow a buffer in parallel HNSW builds: build single-threaded.
max_parallel_maintenance_workers = 0
max_wal_size = '4GB'
checkpoint_timeout = '15min'
max_connections = 200
# The standby of scripts/replica.sh streams through a slot: bound the WAL kept for it, so
# a standby left stopped cannot fill the disk (past the bound, replica.sh rebuilds it).
max_slot_wal_keep_size = '8GB'
"
desired_hba="# Written by contextapi scripts/db.sh.
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 peer
local   all       all                      trust
host    all       all       127.0.0.1/32   scram-sha-256
host    all       all       ::1/128        scram-sha-256
host    replication all     127.0.0.1/32   scram-sha-256
"
restart=0
if [ "$(as_root cat "$CONF_DIR/conf.d/90-contextapi.conf" 2>/dev/null || true)" != "${desired_conf%$'\n'}" ]; then
	printf '%s' "$desired_conf" | as_root tee "$CONF_DIR/conf.d/90-contextapi.conf" >/dev/null
	restart=1
fi
if [ "$(as_root cat "$CONF_DIR/pg_hba.conf" 2>/dev/null || true)" != "${desired_hba%$'\n'}" ]; then
	printf '%s' "$desired_hba" | as_root tee "$CONF_DIR/pg_hba.conf" >/dev/null
	restart=1
fi

status="$(cluster_line | awk '{print $4}')"
if [ "$status" = online ]; then
	if [ "$restart" -eq 1 ]; then
		log "configuration changed: restarting $PGVER/$CLUSTER"
		as_root pg_ctlcluster "$PGVER" "$CLUSTER" restart >&2
	else
		log "cluster $PGVER/$CLUSTER already running on port $PORT"
	fi
else
	log "starting cluster $PGVER/$CLUSTER"
	as_root pg_ctlcluster "$PGVER" "$CLUSTER" start >&2
fi

# Wait until it accepts connections (start returns once it is up, but be safe).
for _ in $(seq 1 50); do
	if as_postgres psql -p "$PORT" -d postgres -qAtc 'select 1' >/dev/null 2>&1; then break; fi
	sleep 0.2
done

psql_pg() { as_postgres env PGOPTIONS='-c client_min_messages=warning' psql -p "$PORT" -v ON_ERROR_STOP=1 -qAt "$@" >&2; }

psql_pg -d postgres <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_USER}') THEN
        CREATE ROLE ${DB_USER} LOGIN SUPERUSER PASSWORD '${DB_PASS}';
    ELSE
        ALTER ROLE ${DB_USER} LOGIN SUPERUSER PASSWORD '${DB_PASS}';
    END IF;
END
\$\$;
SELECT 'CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${DB_NAME}')
\gexec
SQL
psql_pg -d template1 -c 'CREATE EXTENSION IF NOT EXISTS vector'
psql_pg -d "$DB_NAME" -c 'CREATE EXTENSION IF NOT EXISTS vector'

URL="postgres://${DB_USER}:${DB_PASS}@127.0.0.1:${PORT}/${DB_NAME}?sslmode=disable"
psql "$URL" -qAtc 'select 1' >/dev/null || die "cannot connect to $URL"
log "ready: pgvector $(psql "$URL" -qAtc "select extversion from pg_extension where extname = 'vector'")"
printf '%s\n' "$URL"
