#!/bin/bash
# First boot of an API instance (Amazon Linux 2023, arm64); FleetStack fills in the values in double at-signs.
set -euo pipefail
# libicu: the API normalises user text (NFC/NFKC), which .NET does through ICU.
dnf install -y -q amazon-cloudwatch-agent jq logrotate libicu
id foodcommunity >/dev/null 2>&1 || useradd --system --home-dir /opt/foodcommunity --shell /sbin/nologin foodcommunity
install -d -m 755 /opt/foodcommunity/bin /opt/foodcommunity/releases
install -d -m 750 -o foodcommunity -g foodcommunity /var/log/foodcommunity

# install-release [VERSION]: the release SSM names (or VERSION) from the release bucket into releases/, `current` pointing at it.
cat >/opt/foodcommunity/bin/install-release <<'SCRIPT'
#!/bin/bash
set -euo pipefail
version=${1:-$(aws ssm get-parameter --region @@REGION@@ --name @@RELEASE_PARAMETER@@ --query Parameter.Value --output text)}
dir=/opt/foodcommunity/releases/$version
if [[ ! -x $dir/FoodCommunity.Api ]]; then
  work=$(mktemp -d)
  aws s3 cp --only-show-errors --region @@REGION@@ "s3://@@RELEASE_BUCKET@@/api/$version/foodcommunity-api-linux-arm64.tar.gz" "$work/api.tgz"
  mkdir -p "$work/unpacked"
  tar -xzf "$work/api.tgz" -C "$work/unpacked"
  rm -rf "$dir" && mv "$work/unpacked" "$dir" && rm -rf "$work"
fi
ln -sfn "$dir" /opt/foodcommunity/current
echo "$version"
SCRIPT

# run-api [ARGS]: exports the Production settings (SSM Parameter Store, Secrets Manager) and execs the API, so
# systemd's SIGTERM reaches the API itself. `run-api migrate` is the one-shot migration (docs/deploy.md).
cat >/opt/foodcommunity/bin/run-api <<'SCRIPT'
#!/bin/bash
set -euo pipefail
region=@@REGION@@
secret() { aws secretsmanager get-secret-value --region "$region" --secret-id "$1" --query SecretString --output text; }
settings=$(aws ssm get-parameter --region "$region" --name @@SETTINGS_PARAMETER@@ --query Parameter.Value --output text)
while IFS= read -r line; do
  if [[ -n $line ]]; then export "$line"; fi
done <<<"$settings"
db=$(secret '@@DB_SECRET@@')
db_user=$(jq -r .username <<<"$db")
db_password=$(jq -r .password <<<"$db")
export ConnectionStrings__MySql="Server=@@DB_HOST@@;Port=3306;Database=@@DB_NAME@@;User ID=$db_user;Password=\"$db_password\";SslMode=Required"
export ConnectionStrings__MySqlReplica="Server=@@DB_REPLICA_HOST@@;Port=3306;Database=@@DB_NAME@@;User ID=$db_user;Password=\"$db_password\";SslMode=Required"
export ConnectionStrings__Redis="@@REDIS_HOST@@:6379,ssl=true,abortConnect=false,password=$(secret '@@REDIS_SECRET@@')"
keys=$(secret '@@SIGNING_SECRET@@')
export Auth__SigningKeyPem="$(jq -r .current <<<"$keys")"
previous=$(jq -r '.previous // ""' <<<"$keys")
if [[ -n $previous ]]; then export Auth__PreviousSigningKeyPem="$previous"; fi
# SES SMTP credentials (docs/deploy.md). Until the operator stores them the username is empty (the password is
# generated filler): the API starts without them, and SES refuses its mail, which the API logs.
smtp=$(secret '@@MAIL_SECRET@@')
smtp_user=$(jq -r '.username // ""' <<<"$smtp")
smtp_password=$(jq -r '.password // ""' <<<"$smtp")
if [[ -n $smtp_user && -n $smtp_password ]]; then export Mail__Username="$smtp_user" Mail__Password="$smtp_password"; fi
cd /opt/foodcommunity/current
exec ./FoodCommunity.Api "$@"
SCRIPT

# Spot interruption or scale-in: the ASG holds the instance in Terminating:Wait (lifecycle hook) after the ALB
# deregistered it. Stop the API (it drains accepted requests and releases its like-flush leases), then continue.
cat >/opt/foodcommunity/bin/drain-on-terminate <<'SCRIPT'
#!/bin/bash
set -uo pipefail
imds() {
  local token
  token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) &&
    curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/$1"
}
until [[ $(imds meta-data/autoscaling/target-lifecycle-state) == Terminated ]]; do sleep 5; done
systemctl stop foodcommunity-api
aws autoscaling complete-lifecycle-action --region @@REGION@@ --auto-scaling-group-name @@ASG_NAME@@ \
  --lifecycle-hook-name @@HOOK_NAME@@ --instance-id "$(imds meta-data/instance-id)" --lifecycle-action-result CONTINUE
SCRIPT
chmod 755 /opt/foodcommunity/bin/*

cat >/etc/systemd/system/foodcommunity-api.service <<'UNIT'
[Unit]
Description=FoodCommunity API
Wants=network-online.target
After=network-online.target

[Service]
User=foodcommunity
ExecStart=/opt/foodcommunity/bin/run-api
Restart=always
RestartSec=2
KillSignal=SIGTERM
# The API drains for Http:ShutdownTimeoutSeconds; systemd must not kill it before.
TimeoutStopSec=@@STOP_SECONDS@@
LimitNOFILE=65536
StandardOutput=append:/var/log/foodcommunity/api.log
StandardError=append:/var/log/foodcommunity/api.log

[Install]
WantedBy=multi-user.target
UNIT

cat >/etc/systemd/system/foodcommunity-drain.service <<'UNIT'
[Unit]
Description=Drain the FoodCommunity API when the Auto Scaling group terminates this instance
After=foodcommunity-api.service

[Service]
ExecStart=/opt/foodcommunity/bin/drain-on-terminate
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT

cat >/etc/logrotate.d/foodcommunity <<'ROTATE'
/var/log/foodcommunity/api.log {
  daily
  rotate 2
  compress
  missingok
  copytruncate
}
ROTATE

cat >/opt/foodcommunity/prometheus.yaml <<'PROM'
global:
  scrape_interval: 30s
  scrape_timeout: 10s
scrape_configs:
  - job_name: foodcommunity-api
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:@@API_PORT@@"]
PROM

/opt/foodcommunity/bin/install-release
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:@@AGENT_CONFIG_PARAMETER@@
systemctl daemon-reload
systemctl enable --now foodcommunity-api foodcommunity-drain
