#!/usr/bin/env bash
# The Redis-touching test classes again, against a three-primary Redis Cluster (scripts/services.sh cluster-up):
# a script, transaction or multi-key command whose keys span two hash slots fails only there. A short list,
# chosen to stay under three minutes on a small machine: the topology tests, likes, refresh sessions,
# idempotency keys, the popular snapshot and the caches (tests of a Redis or MySQL outage are left out: they
# point the API at no Redis, or spend their time on MySQL).
#
# Usage: scripts/test-redis-cluster.sh RESULTS_DIR [--no-build]
# Writes RESULTS_DIR/redis-cluster.trx (scripts/test.sh folds it into its summary) and prints one line
# "Redis Cluster: N passed, N failed, N skipped in Ns". Exit status: the tests'; 1 if the cluster cannot start.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

results_dir=${1:?usage: scripts/test-redis-cluster.sh RESULTS_DIR [--no-build]}
shift
started=$SECONDS

classes=(
  Infrastructure.RedisTopologyTests
  Likes.LikeTests
  Auth.RefreshRetryTests
  Posts.IdempotencyTests
  Feeds.PopularSnapshotTests
  Feeds.CacheTests
)
filter=""
for class in "${classes[@]}"; do
  filter+="${filter:+|}FullyQualifiedName~FoodCommunity.Api.Tests.$class."
done
filter="($filter)&FullyQualifiedName!~WithRedisDown&FullyQualifiedName!~WithMySqlDown"

if ! cluster_env="$(bash scripts/services.sh cluster-up)"; then
  echo "Redis Cluster: could not be started (scripts/services.sh cluster-up failed); its tests did not run" >&2
  exit 1
fi
eval "$cluster_env"

status=0
FC_REDIS_CLUSTER_TESTS=1 dotnet test tests/FoodCommunity.Api.Tests \
  --configuration Release \
  --logger "trx;LogFileName=redis-cluster.trx" \
  --logger "console;verbosity=minimal" \
  --results-directory "$results_dir" \
  --filter "$filter" \
  "$@" || status=$?

passed=0 failed=0 skipped=0
if [[ -f $results_dir/redis-cluster.trx ]]; then
  counters=$(grep -o '<Counters [^>]*>' "$results_dir/redis-cluster.trx" | head -n 1)
  count() { local v; v=$(grep -o " $1=\"[0-9]*\"" <<<"$counters" | grep -o '[0-9]*'); echo "${v:-0}"; }
  passed=$(count passed)
  failed=$(($(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  skipped=$(($(count total) - $(count executed)))
fi
echo "Redis Cluster: $passed passed, $failed failed, $skipped skipped in $((SECONDS - started))s"
exit "$status"
