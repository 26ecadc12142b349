#!/usr/bin/env bash
# The end-to-end batch benchmark (docs/performance.md, "End to end") with the CPU each part of the platform
# spent in the measured window, per 1,000 accepted requests. Orders/s swings with whatever else the machine
# runs; CPU per request much less, so two builds can be compared on a busy machine too.
#
#   bench/e2e-cpu.sh [CHECKOUT] [LABEL]     CHECKOUT: a built tree (default: this one), Release build:
#       dotnet build -c Release Coinage.AppHost && dotnet build -c Release bench/Coinage.LoadGenerator
#   TRADERS=50 DURATION=60 bench/e2e-cpu.sh ../other-checkout before
#   AUTH=apikey bench/e2e-cpu.sh . keys     signs every request with a per-trader API key instead of a bearer token.
#   ENV_EXTRA="DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0" … lets `perf` name JIT-compiled frames.
set -euo pipefail
dir=$(cd "${1:-$(dirname "$0")/..}" && pwd); label=${2:-run}
data=$(mktemp -d /tmp/coinage-e2e-cpu-XXXX); chmod 755 "$data"
log=$data.apphost.log; out=$data.load.log
cd "$dir"
# shellcheck disable=SC2086 # ENV_EXTRA is a list of NAME=value words
env --default-signal=INT ${ENV_EXTRA:-} dotnet exec Coinage.AppHost/bin/Release/net10.0/Coinage.AppHost.dll \
  --Coinage:FreePorts=true --Coinage:DataDirectory="$data" --Coinage:Benchmark=true --Coinage:MarketMaker:Enabled=false > "$log" 2>&1 &
apphost=$!
stop() { kill -TERM $apphost 2>/dev/null || true; wait $apphost 2>/dev/null || true; rm -rf "$data"; }
trap stop EXIT
until grep -q "Coinage is running" "$log"; do
  kill -0 $apphost 2>/dev/null || { echo "$label: the AppHost exited"; tail -5 "$log"; exit 1; }
  sleep 0.2
done
api=$(grep -oE 'API reference: http://[a-z0-9.]+:[0-9]+' "$log" | head -1 | sed 's/API reference: //')
inbox=$(grep -oE 'Inbox: http://[a-z0-9.]+:[0-9]+' "$log" | head -1 | sed 's/Inbox: //')
pgport=$(grep -E '^\s+postgres ' "$log" | grep -oE ':[0-9]+' | head -1 | tr -d :)
password=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['postgres-password'])" "$data/secrets.json")

# "part pid ticks" for this run's services (their environment names this run's PostgreSQL port) and PostgreSQL's
# processes (the postmaster's command line names this run's data directory; its backends are its children).
ticks() {
  for p in $(ls /proc | grep -E '^[0-9]+$'); do
    cmd=$(tr '\0' ' ' 2>/dev/null < /proc/$p/cmdline) || continue
    part=
    case "$cmd" in
      *Coinage.ApiService*|*Coinage.Worker*|*Coinage.Web*)
        if tr '\0' '\n' 2>/dev/null < /proc/$p/environ | grep -q "Port=$pgport"; then
          case "$cmd" in *Coinage.ApiService*) part=api;; *Coinage.Worker*) part=worker;; *) part=web;; esac
        fi;;
      *postgres*"$data"*)
        part=postgres
        for child in $(cat /proc/$p/task/*/children 2>/dev/null); do
          echo "postgres $child $(awk '{print $14+$15}' /proc/$child/stat 2>/dev/null || echo 0)"
        done;;
    esac
    if [ -n "$part" ]; then echo "$part $p $(awk '{print $14+$15}' /proc/$p/stat 2>/dev/null || echo 0)"; fi
  done
}

dotnet run -c Release --no-build --project bench/Coinage.LoadGenerator -- --url "$api" --maildev "$inbox" \
  --db "Host=127.0.0.1;Port=$pgport;Username=postgres;Password=$password;Database=coinagedb" \
  --duration "${DURATION:-60}" --warmup 10 --concurrency 64 --traders "${TRADERS:-200}" --batch 20 --auth "${AUTH:-session}" > "$out" 2>&1 &
load=$!
until grep -q "^running:" "$out"; do kill -0 $load 2>/dev/null || break; sleep 0.2; done
sleep 10 # the warm-up
ticks > "$data.ticks0"
until grep -q "^== Coinage" "$out"; do kill -0 $load 2>/dev/null || break; sleep 0.1; done
ticks > "$data.ticks1"
wait $load || { echo "$label: the load generator failed"; tail -20 "$out"; exit 1; }
grep -E "^== |load average|orders accepted|cancels accepted|place ack|backlog" "$out"
python3 - "$data.ticks0" "$data.ticks1" "$out" "$label" <<'PY'
import os, re, sys
hz = os.sysconf("SC_CLK_TCK")
def read(path):
    return {(p[0], p[1]): int(p[2]) for p in (l.split() for l in open(path)) if len(p) == 3}
before, after = read(sys.argv[1]), read(sys.argv[2])
text = open(sys.argv[3]).read()
requests = sum(int(re.search(rf"{kind} accepted \(\d+\):\s+(\d+)", text).group(1)) for kind in ("orders", "cancels"))
spent = {}
for key, value in after.items():
    spent[key[0]] = spent.get(key[0], 0) + value - before.get(key, 0)
print(f"{sys.argv[4]}: CPU ms per 1,000 accepted orders and cancels: "
      + ", ".join(f"{part} {1e6 * t / hz / requests:.0f}" for part, t in sorted(spent.items()))
      + f" (CPU s in the window: " + ", ".join(f"{part} {t / hz:.1f}" for part, t in sorted(spent.items())) + ")")
PY
rm -f "$data.ticks0" "$data.ticks1" "$log" "$out"
