#!/bin/bash
# Static shards with Slurm: a job array whose tasks each run
# `sluice sync sync.yaml --shard i/N` (docs/distributed.md).
#
#   sbatch slurm-array.sh sync.yaml
#
# Slurm gives each task SLURM_ARRAY_TASK_ID from the range --array names;
# Sluice's shards count from 1. With --array=1-N the id is the shard; with
# --array=0-(N-1) it is one more. The arithmetic below (id - min + 1 of
# SLURM_ARRAY_TASK_COUNT) works for both, for any contiguous range without
# a step. A failed task is re-run by itself with `sbatch --array=K
# slurm-array.sh sync.yaml`: re-running a shard is idempotent.
#
# Untested here: the project's CI has no Slurm cluster. The script is
# checked with `bash -n` only (tests/cli/example_tests.sh).
#
#SBATCH --job-name=sluice-sync
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=1G
#SBATCH --time=02:00:00
#SBATCH --output=sluice-sync-%A_%a.log
set -euo pipefail

config=${1:?usage: sbatch slurm-array.sh sync.yaml}
: "${SLURM_ARRAY_TASK_ID:?run this with sbatch --array}"

shards=${SLURM_ARRAY_TASK_COUNT}
shard=$((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1))

# A workspace of its own per task, on node-local disk: shards share nothing
# but the destination.
workspace=${TMPDIR:-/tmp}/sluice-${SLURM_ARRAY_JOB_ID}-${SLURM_ARRAY_TASK_ID}.db
trap 'rm -f "$workspace"' EXIT

echo "shard $shard/$shards on $(hostname)"
sluice sync "$config" -w "$workspace" --shard "$shard/$shards"
