# shellcheck shell=bash
# Sourced by scripts that take a postgres:// URL of a local server (pgbouncer.sh,
# replica.sh). The caller defines die() first.

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else die "run as root (or install sudo)"; fi
fi
as_root() { ${SUDO:+$SUDO} "$@"; }
as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

# urldecode decodes %XX escapes only, as libpq does ('+' stays a plus).
urldecode() {
	local s="$1" out="" c
	while [ -n "$s" ]; do
		case "$s" in
		%[0-9A-Fa-f][0-9A-Fa-f]*)
			printf -v c '%b' "\\x${s:1:2}"
			out+="$c"
			s="${s:3}"
			;;
		*)
			out+="${s:0:1}"
			s="${s:1}"
			;;
		esac
	done
	printf '%s' "$out"
}

# parse_pg_url URL WHY sets query, raw_db (libpq's default, the user's name, when the URL
# has none), raw_userinfo, raw_user, DB_USER, DB_PASS, PG_HOST and PG_PORT; WHY says what
# needs the password, for the message when it is missing.
# shellcheck disable=SC2034 # the variables it sets are the caller's
parse_pg_url() {
	local url="$1" why="$2" rest hostport
	case "$url" in
	postgres://* | postgresql://*) ;;
	*) die "not a postgres:// URL (a key=value DSN is not supported): give the URL scripts/db.sh prints" ;;
	esac
	rest="${url#*://}"
	rest="${rest%%#*}"
	query=""
	case "$rest" in *\?*) query="${rest#*\?}" rest="${rest%%\?*}" ;; esac
	raw_db=""
	case "$rest" in */*) raw_db="${rest#*/}" rest="${rest%%/*}" ;; esac
	case "$rest" in *@*) ;; *) die "the URL has no user and password (postgres://user:password@host:port/db)" ;; esac
	raw_userinfo="${rest%@*}"
	hostport="${rest##*@}"
	case "$raw_userinfo" in *:*) ;; *) die "the URL has no password: $why needs one" ;; esac
	raw_user="${raw_userinfo%%:*}"
	DB_USER="$(urldecode "$raw_user")"
	DB_PASS="$(urldecode "${raw_userinfo#*:}")"
	[ -n "$DB_USER" ] || die "the URL has an empty user name"
	[ -n "$DB_PASS" ] || die "the URL has an empty password: $why needs one"
	case "$hostport" in *,*) die "a URL with several hosts is not supported" ;; esac
	case "$hostport" in
	\[*\]:*) PG_HOST="${hostport%%\]*}" PG_HOST="${PG_HOST#\[}" PG_PORT="${hostport##*\]:}" ;;
	\[*\]) PG_HOST="${hostport#\[}" PG_HOST="${PG_HOST%\]}" PG_PORT=5432 ;;
	*:*) PG_HOST="${hostport%%:*}" PG_PORT="${hostport#*:}" ;;
	*) PG_HOST="$hostport" PG_PORT=5432 ;;
	esac
	[ -n "$PG_HOST" ] || die "the URL has no host (a unix socket is not supported): use e.g. 127.0.0.1"
	case "$PG_PORT" in '' | *[!0-9]*) die "the URL's port '$PG_PORT' is not a number" ;; esac
	[ -n "$raw_db" ] || raw_db="$raw_user"
}
