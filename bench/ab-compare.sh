#!/bin/sh
# Interleaved A/B of two benchmark jars (e.g. a build of main and one of a branch) on the same machine:
# ROUNDS rounds, each running the same JMH selection on A, then on B, so drift of the machine falls on both.
# Results: one JMH JSON per jar and round in OUT (A-1.json, B-1.json, ...).
#
#   bench/ab-compare.sh OLD.jar NEW.jar [ROUNDS [OUT]]
#
# Selection: MatmulBenchmark at M = 1, 8, 128, 1024 (N = 50257, K = 768) for F32, BF16 and Q8_0 on 1 and
# 2 threads, and GptBenchmark's decode and prefill for the three formats; 1 fork, 5 warm-up and 5
# measured iterations of 1 s per case and round (about 40 minutes a round for both jars).
set -eu
A=$1
B=$2
ROUNDS=${3:-3}
OUT=${4:-ab-results}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
mkdir -p "$OUT"
for round in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    if [ "$side" = A ]; then jar=$A; else jar=$B; fi
    "$JAVA" --add-modules jdk.incubator.vector -jar "$jar" \
      'bench\.MatmulBenchmark\.|bench\.GptBenchmark\.' \
      -p shape=1x50257x768,8x50257x768,128x50257x768,1024x50257x768 \
      -p format=F32,BF16,Q8_0 \
      -f 1 -wi 5 -i 5 \
      -rf json -rff "$OUT/$side-$round.json"
  done
done
echo "results in $OUT: compare each case's score in A-*.json with B-*.json"
