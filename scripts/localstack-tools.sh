#!/usr/bin/env bash
# Installs LocalStack, pinned in test/localstack/, into .venv-localstack,
# unless what is installed there was installed from the committed
# requirements and pins. The
# projen task localstack:tools runs it before the tests.
#
# LocalStack 2026.3.0 needs Python 3.12 or newer (its sources use PEP 695
# generics; Python 3.11, this machine's python3, cannot even parse them) and
# was checked on 3.13, which pyenv provides on this kind of machine. The
# pyenv shim refuses a version that is not selected, so the interpreter is
# called by its path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=.venv-localstack
requirements=test/localstack/requirements.txt
pins=test/localstack/constraints.txt

# what is installed is recorded as the files it was installed from, one after the other
if cat "$requirements" "$pins" test/localstack/jsonata-libs.pom.xml | cmp -s - "$venv/installed.txt" && [ -x "$venv/bin/python" ]; then
  exit 0
fi

python=""
pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for candidate in "$pyenv_root"/versions/3.13*/bin/python3.13 "$(command -v python3.13 || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
    python=$candidate
    break
  fi
done
if [ -z "$python" ]; then
  echo "localstack:tools: no Python 3.13 found (looked in $pyenv_root/versions/3.13*/bin and for python3.13 on PATH)." >&2
  echo "localstack:tools: LocalStack 2026.3.0 does not run on older Pythons; install 3.13 (e.g. 'pyenv install 3.13') and run again." >&2
  exit 1
fi

started=$SECONDS
echo "localstack:tools: installing LocalStack into $venv with $python ($("$python" --version))"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" -c "$pins"
# The Java libraries of LocalStack's JSONata evaluator, from Maven Central
# with Maven (test/localstack/jsonata-libs.pom.xml), into the folder
# LocalStack installs them in (see with-localstack.sh); without Maven,
# LocalStack fetches them from Maven Central itself at the first JSONata
# execution.
if command -v mvn >/dev/null; then
  read -r jsonata jackson < <("$venv/bin/python" -c 'from localstack.services.stepfunctions.packages import JSONATA_DEFAULT_VERSION as j, JACKSON_DEFAULT_VERSION as k; print(j, k)')
  mvn -q -B -Dstyle.color=never -f test/localstack/jsonata-libs.pom.xml dependency:copy-dependencies -DexcludeTransitive=true \
    -Djsonata.version="$jsonata" -Djackson.version="$jackson" -DoutputDirectory="$root/$venv/localstack-lib/jsonata/$jsonata"
fi
cat "$requirements" "$pins" test/localstack/jsonata-libs.pom.xml >"$venv/installed.txt"
echo "localstack:tools: installed in $((SECONDS - started)) s"
