#!/bin/bash
# LocalStack READY hook (mounted into /etc/localstack/init/ready.d/ by docker-compose.yml):
# creates the uploads bucket and its CORS rules. Idempotent: LocalStack's free edition
# keeps no state across restarts, so this runs on every start.
set -euo pipefail

bucket="${FOODCOMMUNITY_BUCKET:-foodcommunity-uploads}"

# The access key picks the LocalStack account: it must match the one the API and the
# presign function use (compose passes AWS_* to this container too), or the bucket
# lands in another account.
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_REGION:-us-east-1}"

if awslocal s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
  echo "init-s3: bucket $bucket already exists"
else
  # us-east-1 takes no LocationConstraint.
  awslocal s3api create-bucket --bucket "$bucket" >/dev/null
  echo "init-s3: created bucket $bucket"
fi

# Browsers upload straight to the bucket with presigned POST forms, and read images
# from it: allow any dev origin. ETag and Location let the client read the POST result.
awslocal s3api put-bucket-cors --bucket "$bucket" --cors-configuration '{
  "CORSRules": [
    {
      "AllowedOrigins": ["*"],
      "AllowedMethods": ["GET", "HEAD", "POST", "PUT"],
      "AllowedHeaders": ["*"],
      "ExposeHeaders": ["ETag", "Location"],
      "MaxAgeSeconds": 3000
    }
  ]
}'
echo "init-s3: CORS set on $bucket"
