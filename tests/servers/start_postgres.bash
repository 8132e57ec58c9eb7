# Source in shell tests: `start_postgres` starts a throwaway PostgreSQL
# cluster (initdb in a temporary directory, a free port on 127.0.0.1, trust
# authentication for the user `sluice`), exports PG_PORT and PG_URL
# (postgresql://sluice@127.0.0.1:PORT/postgres), and removes it all when the
# shell exits. Run as root, the server runs as the `postgres` user (or
# `nobody`), since PostgreSQL refuses to run as root.
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "start_postgres: no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)" >&2
    return 1
  fi
  PG_DIR=$(mktemp -d /tmp/sluice-pg.XXXXXX)
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$PG_DIR"
    as=(runuser -u "$user" --)
  fi
  PG_AS=("${as[@]}")
  PG_BIN=$bin
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U sluice --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 || {
    cat "$PG_DIR/initdb.log" >&2
    return 1
  }
  local try
  for try in 1 2 3 4 5; do
    PG_PORT=$((20000 + RANDOM % 30000))
    if "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1; then
      export PG_PORT PG_URL="postgresql://sluice@127.0.0.1:$PG_PORT/postgres"
      # Chains onto the EXIT trap already set (`trap -p` prints: trap -- 'COMMAND' EXIT).
      local previous words
      previous=$(trap -p EXIT)
      _pg_previous_trap=""
      if [ -n "$previous" ]; then
        eval "words=($previous)"
        _pg_previous_trap=${words[2]}
      fi
      trap '_pg_rc=$?; stop_postgres; (exit "$_pg_rc"); eval "$_pg_previous_trap"' EXIT
      return 0
    fi
  done
  cat "$PG_DIR/server.log" >&2
  return 1
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
  PG_DIR=
}
