#!/usr/bin/env bash
# One command for a developer: brings up MariaDB (a primary and a replica replicating from
# it, which the API reads feeds and profiles from, as on AWS), Redis and s3rver natively (installing
# what is missing), applies the migrations (on the primary; they replicate), builds the web client, starts the image function's
# local host (it processes every upload in the bucket, as S3 events drive the function on AWS) and
# the presign local host on http://127.0.0.1:${FC_PRESIGN_PORT:-5081} (POST /uploads), and runs the
# API in Development on http://127.0.0.1:${FC_API_PORT:-5080} (serving the web client at /) until
# Ctrl+C. With --demo it first adds demo users, posts (with processed images), comments and likes.
# The services keep running afterwards; `bash scripts/services.sh down` stops them. The two local
# hosts stop with the API.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

# Captured first: inside eval "$(...)" a failing `up` would go unnoticed.
service_env="$(bash scripts/services.sh up)"
eval "$service_env"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
api_url="http://127.0.0.1:${FC_API_PORT:-5080}"
presign_url="http://127.0.0.1:${FC_PRESIGN_PORT:-5081}"
# The tokens' issuer is the API as the presign host reaches it (for the JWKS).
export Auth__Issuer="$api_url"

# The web client, served by the API; its config.json points uploads at the presign host.
bash scripts/web-build.sh
printf '{ "apiBaseUrl": "", "uploadsUrl": "%s/uploads" }\n' "$presign_url" >web/dist/config.json

dotnet build src/FoodCommunity.Api --configuration Debug --nologo --verbosity quiet
dotnet build src/FoodCommunity.Images.Lambda --configuration Debug --nologo --verbosity quiet
dotnet build src/FoodCommunity.Presign.Lambda --configuration Debug --nologo --verbosity quiet
dotnet run --project src/FoodCommunity.Api --no-build -- migrate

# s3rver sends no event notifications, so the function's local host polls uploads/ instead.
dotnet run --project src/FoodCommunity.Images.Lambda --no-build &
images_pid=$!
trap 'kill "$images_pid" 2>/dev/null || true' EXIT

if [[ ${1:-} == --demo ]]; then
  dotnet run --project src/FoodCommunity.Api --no-build -- seed-demo
fi

# The page's origin (either spelling of loopback) may call the presign host from the browser.
Cors__AllowedOrigins="$api_url,${api_url/127.0.0.1/localhost}" \
  dotnet src/FoodCommunity.Presign.Lambda/bin/Debug/net10.0/FoodCommunity.Presign.Lambda.dll --urls "$presign_url" &
presign_pid=$!
trap 'kill "$images_pid" "$presign_pid" 2>/dev/null || true' EXIT

echo "Web client: $api_url/  (API: $api_url/api/v1, OpenAPI: $api_url/openapi/v1.json, reference: $api_url/scalar, health: $api_url/health/ready; uploads: $presign_url/uploads; mail: http://127.0.0.1:${FC_MAIL_WEB_PORT:-11080})" >&2
dotnet run --project src/FoodCommunity.Api --no-build --no-launch-profile -- --urls "$api_url"
