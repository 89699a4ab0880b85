#!/usr/bin/env bash
# One command for a developer: brings up MariaDB, Redis and s3rver natively (installing
# what is missing), applies the migrations, starts the image function's local host (it
# processes every upload in the bucket, as S3 events drive the function on AWS), and runs the
# API in Development on http://127.0.0.1:${FC_API_PORT:-5080} until Ctrl+C. With --demo it
# first adds demo users, posts (with processed images), comments and likes. The services keep
# running afterwards; `bash scripts/services.sh down` stops them. The image host stops with the API.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

# Captured first: inside eval "$(...)" a failing `up` would go unnoticed.
service_env="$(bash scripts/services.sh up)"
eval "$service_env"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
api_url="http://127.0.0.1:${FC_API_PORT:-5080}"

dotnet build src/FoodCommunity.Api --configuration Debug --nologo --verbosity quiet
dotnet build src/FoodCommunity.Images.Lambda --configuration Debug --nologo --verbosity quiet
dotnet run --project src/FoodCommunity.Api --no-build -- migrate

# s3rver sends no event notifications, so the function's local host polls uploads/ instead.
dotnet run --project src/FoodCommunity.Images.Lambda --no-build &
images_pid=$!
trap 'kill "$images_pid" 2>/dev/null || true' EXIT

if [[ ${1:-} == --demo ]]; then
  dotnet run --project src/FoodCommunity.Api --no-build -- seed-demo
fi

echo "API on $api_url (OpenAPI: $api_url/openapi/v1.json, reference: $api_url/scalar, health: $api_url/health/ready)" >&2
dotnet run --project src/FoodCommunity.Api --no-build --no-launch-profile -- --urls "$api_url"
