#!/usr/bin/env bash
# Start PostgreSQL 15, Redis and an S3-compatible server (SeaweedFS) on 127.0.0.1 for the scale-out test run.
# Source it: it exports IMGHOST_TEST_* variables and stops everything on EXIT.
set -euo pipefail
SVC_DIR=$(mktemp -d /tmp/imghost-svc.XXXXXX); chmod 755 "$SVC_DIR"   # the postgres user must traverse it
# Every fixed port sits below the ephemeral range (32768+), where the tests' free ports come from.
PG_PORT=${PG_PORT:-25432} REDIS_PORT=${REDIS_PORT:-26379} S3_PORT=${S3_PORT:-18333}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

services_down() {
  set +e
  [ -f "$SVC_DIR/pg/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$SVC_DIR/pg/data" -m fast -w stop >/dev/null
  for f in redis.pid weed.pid; do
    [ -f "$SVC_DIR/$f" ] || continue
    p=$(cat "$SVC_DIR/$f"); kill "$p" 2>/dev/null
    for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p"
  done
  for port in 29333 29340 28888 28333 29646; do rm -f /tmp/seaweedfs-*-grpc-$port.sock; done
  rm -rf "$SVC_DIR"
}
trap services_down EXIT

# PostgreSQL: initdb refuses to run as root, so the server runs as the 'postgres' system user.
id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
install -d -o postgres -g postgres -m 700 "$SVC_DIR/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$SVC_DIR/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$SVC_DIR/pg/data" -l "$SVC_DIR/pg/server.log" -w -t 30 \
  -o "-p $PG_PORT -k $SVC_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null
runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres imghost_test
export IMGHOST_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/imghost_test"

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --dir "$SVC_DIR" --pidfile "$SVC_DIR/redis.pid" --logfile "$SVC_DIR/redis.log"
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
export IMGHOST_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

export IMGHOST_TEST_S3_ACCESS_KEY=imghostci IMGHOST_TEST_S3_SECRET_KEY=imghostcisecret
cat >"$SVC_DIR/s3.json" <<JSON
{"identities":[{"name":"ci","credentials":[{"accessKey":"$IMGHOST_TEST_S3_ACCESS_KEY","secretKey":"$IMGHOST_TEST_S3_SECRET_KEY"}],
  "actions":["Admin","Read","Write","List","Tagging"]}]}
JSON
mkdir -p "$SVC_DIR/weed"
weed -logdir="$SVC_DIR/weed" mini -dir="$SVC_DIR/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
  -master.port=19333 -master.port.grpc=29333 -volume.port=19340 -volume.port.grpc=29340 \
  -filer.port=18888 -filer.port.grpc=28888 -s3.port="$S3_PORT" -s3.port.grpc=28333 \
  -admin.port=19646 -admin.port.grpc=29646 -admin.ui=false -webdav=false \
  -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false \
  -s3.localSocket="$SVC_DIR/weed/s3.sock" -filer.localSocket="$SVC_DIR/weed/filer.sock" \
  -s3.config="$SVC_DIR/s3.json" >"$SVC_DIR/weed.log" 2>&1 &
echo $! >"$SVC_DIR/weed.pid"
code=000
for _ in $(seq 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/" || true)
  [ "$code" = 403 ] && break; sleep 0.1
done
[ "$code" = 403 ] || { echo "S3 server did not start"; tail -50 "$SVC_DIR/weed.log"; exit 1; }
export IMGHOST_TEST_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT"
export IMGHOST_TEST_STORAGE_URL="s3://imghost-test/media"
set +u
