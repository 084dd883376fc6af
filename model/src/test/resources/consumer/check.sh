#!/usr/bin/env bash
# The consumer check: a separate project builds against the freshly installed vecgpt artifacts, runs the
# README's library example on the module path and on the class path, and fails to compile code that
# reaches for an implementation class. Needs `mvn install` of vecgpt first and JAVA_HOME at a JDK 25.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$HERE"/. "$WORK"
cd "$WORK"
JAVA="$JAVA_HOME/bin/java"

mvn -B -q package
"$JAVA" -cp "target/classes:target/lib/*" consumer.MakeCheckpoint "$WORK/model.safetensors"

echo "consumer check: module path"
on_module_path=$("$JAVA" --add-modules jdk.incubator.vector -p "target/classes:target/lib" \
    -m consumer/consumer.Example "$WORK/model.safetensors" 2> module.err) || { cat module.err; exit 1; }
echo "consumer check: class path"
on_class_path=$("$JAVA" --add-modules jdk.incubator.vector -cp "target/classes:target/lib/*" \
    consumer.Example "$WORK/model.safetensors" 2> class.err) || { cat class.err; exit 1; }
grep -q "vecgpt kernels: simd" module.err || { echo "no simd kernel line on the module path:"; cat module.err; exit 1; }
grep -q "vecgpt kernels: simd" class.err || { echo "no simd kernel line on the class path:"; cat class.err; exit 1; }
[ -n "$on_module_path" ] || { echo "the example printed nothing"; exit 1; }
[ "$on_module_path" = "$on_class_path" ] || { echo "module path and class path differ:"; echo "$on_module_path"; echo "$on_class_path"; exit 1; }
echo "consumer check: the example streamed: Every effort moves you$on_module_path"

if "$JAVA_HOME/bin/javac" -d reach-in/out -p "target/classes:target/lib" --add-modules jdk.incubator.vector \
     --module-source-path "consumer=src/main/java:reach-in" -m consumer > reach.err 2>&1; then
    echo "consumer check: code reaching for dev.vecgpt.ops.simd.SimdKernels compiled; it must not"; exit 1
fi
grep -q "dev.vecgpt.ops.simd" reach.err || { cat reach.err; exit 1; }
echo "consumer check: passed (reaching for SimdKernels fails: $(grep -m1 'error' reach.err | sed 's/.*error: //'))"
