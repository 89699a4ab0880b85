#!/usr/bin/env bash
# Synthesizes every stack of the CDK app (deploy/FoodCommunity.Infrastructure) to artifacts/cdk.out/,
# with no AWS account, no network and no CDK CLI: the app itself writes the cloud assembly to
# CDK_OUTDIR (jsii runs the CDK on Node). Context goes through as -c key=value, like the CLI's:
#
#   scripts/synth.sh [-c key=value ...]      e.g. -c apiDomain=api.example.com -c certificateArn=arn:...
#
# The Lambda functions' code is the packaged zips when they exist (artifacts/presign/linux-arm64/ and
# artifacts/images/linux-arm64/, from scripts/package-presign.sh and scripts/package-images.sh, or the
# presignZip and imagesZip context values); a missing one becomes a placeholder that fails every start,
# and synthesis prints a warning for it.
#
# Fails on an error annotation; prints each template's path and resource count.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly OUT="$REPO_ROOT/artifacts/cdk.out"
readonly PROJECT="$REPO_ROOT/deploy/FoodCommunity.Infrastructure"

log() { printf '[synth] %s\n' "$*" >&2; }

context='{}'
while (($#)); do
  case "$1" in
    -c | --context)
      [[ $# -ge 2 && $2 == *=* ]] || { log "error: -c needs key=value"; exit 2; }
      context=$(node -e 'const c = JSON.parse(process.argv[1]); const [k, ...v] = process.argv[2].split("="); c[k] = v.join("="); console.log(JSON.stringify(c));' "$context" "$2")
      shift 2 ;;
    -h | --help) sed -n '2,13p' "$0" >&2; exit 0 ;;
    *) log "error: unknown argument '$1'"; exit 2 ;;
  esac
done

# cdk.json's context first (what the CLI would use), then the command line's.
context=$(node -e 'const fs = require("fs"); const base = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).context || {}; console.log(JSON.stringify({ ...base, ...JSON.parse(process.argv[2]) }));' "$REPO_ROOT/deploy/cdk.json" "$context")

rm -rf "$OUT"
mkdir -p "$OUT"
log "building the CDK app"
dotnet build "$PROJECT" -c Release -nologo -v quiet >&2

log "synthesizing to ${OUT#"$REPO_ROOT"/}"
start=$(date +%s.%N)
# CDK_CONTEXT_JSON is how the CLI hands context to an app; no account is needed for these stacks.
(cd "$REPO_ROOT" && CDK_OUTDIR="$OUT" CDK_CONTEXT_JSON="$context" \
  dotnet run --project "$PROJECT" -c Release --no-build >&2)
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

node - "$OUT" <<'JS'
const fs = require("fs");
const path = require("path");
const out = process.argv[2];
const manifest = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8"));
let errors = 0;
for (const [name, artifact] of Object.entries(manifest.artifacts)) {
  for (const [where, entries] of Object.entries(artifact.metadata || {})) {
    for (const e of entries) {
      if (e.type === "aws:cdk:error") { errors++; console.error(`[synth] error ${where}: ${e.data}`); }
      if (e.type === "aws:cdk:warning") console.error(`[synth] warning ${where}: ${e.data}`);
    }
  }
  if (artifact.type !== "aws:cloudformation:stack") continue;
  const template = JSON.parse(fs.readFileSync(path.join(out, artifact.properties.templateFile), "utf8"));
  console.log(`${path.join(out, artifact.properties.templateFile)} ${Object.keys(template.Resources).length} resources`);
}
process.exit(errors ? 1 : 0);
JS
log "synthesized in ${elapsed} s"
