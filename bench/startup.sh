#!/usr/bin/env bash
# Start-up benchmark: milliseconds from `java -jar target/lifeguard.jar` to its first SQS
# ReceiveMessage, against moto_server, with WireMock in front of SQS recording when each
# request arrived. Runs N times (default 5) and prints each run and the median.
#   bench/startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
[ -f target/lifeguard.jar ] || mvn -q -B package -DskipTests
wiremock=$(find ~/.m2/repository/org/wiremock/wiremock-standalone -name 'wiremock-standalone-*.jar' | head -1)
[ -n "$wiremock" ] || { echo "WireMock not in ~/.m2: run mvn test-compile once" >&2; exit 1; }
command -v moto_server >/dev/null || { echo "moto_server missing: pip install \"moto[server]\"" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

moto_port=$(free_port); proxy_port=$(free_port)
env -u AWS_PROFILE moto_server -H 127.0.0.1 -p "$moto_port" > "$work/moto.log" 2>&1 & pids+=($!)
java -jar "$wiremock" --bind-address 127.0.0.1 --port "$proxy_port" --proxy-all "http://127.0.0.1:$moto_port" \
  --disable-banner > "$work/wiremock.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$moto_port/moto-api/"
wait_http "http://127.0.0.1:$proxy_port/__admin/requests"

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
aws --endpoint-url "http://127.0.0.1:$moto_port" sqs create-queue --queue-name bench-in > /dev/null
aws --endpoint-url "http://127.0.0.1:$moto_port" sqs create-queue --queue-name bench-dlq > /dev/null

results=()
for run in $(seq 1 "$runs"); do
  curl -s -X DELETE "http://127.0.0.1:$proxy_port/__admin/requests" > /dev/null
  start=$(python3 -c 'import time; print(int(time.time()*1000))')
  LIFEGUARD_QUEUE=bench-in LIFEGUARD_DEAD_LETTER_QUEUE=bench-dlq LIFEGUARD_TABLE=bench LIFEGUARD_TABLE_CREATE=true \
  LIFEGUARD_PROFILES=src/test/resources/profiles/none.yaml LIFEGUARD_POLL_WAIT_SECONDS=1 \
  AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port" AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$proxy_port" \
    java -jar target/lifeguard.jar > "$work/run-$run.log" 2>&1 &
  jar=$!
  first=""
  for _ in $(seq 1 600); do
    first=$(curl -s "http://127.0.0.1:$proxy_port/__admin/requests" | python3 -c '
import json, sys
times = [r["request"]["loggedDate"] for r in json.load(sys.stdin)["requests"]
         if r["request"]["headers"].get("X-Amz-Target", "").endswith("ReceiveMessage")]
print(min(times) if times else "")')
    [ -n "$first" ] && break
    sleep 0.05
  done
  kill "$jar"; wait "$jar" 2>/dev/null || true
  [ -n "$first" ] || { echo "run $run: no ReceiveMessage within 30 s; log: $work/run-$run.log" >&2; cat "$work/run-$run.log" >&2; exit 1; }
  results+=($((first - start)))
  echo "run $run: $((first - start)) ms to first ReceiveMessage"
done
printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " ms over " NR " runs"}'
