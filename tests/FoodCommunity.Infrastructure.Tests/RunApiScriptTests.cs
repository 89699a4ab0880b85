using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>
/// The instance's run-api (Fleet/user-data.sh) run with bash against a stand-in `aws` CLI: what the API's
/// process gets from SSM Parameter Store and Secrets Manager, including values that need quoting.
/// </summary>
public sealed partial class RunApiScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-run-api-").FullName;

    [Fact]
    public async Task RunApi_ExportsSettingsAndSecrets_ThenExecsTheApiWithItsArguments()
    {
        var (exitCode, output, errors) = await RunAsync("""{"username":"AKIAEXAMPLE","password":"BSmtp+pass/word="}""", "migrate");

        Assert.True(exitCode == 0, errors);
        Assert.Contains("args=migrate", output, StringComparison.Ordinal);
        Assert.Contains("ASPNETCORE_ENVIRONMENT=Production", output, StringComparison.Ordinal);
        Assert.Contains("Http__TrustedProxyNetworks__0=10.20.0.0/24", output, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__MySql=Server=primary.db;Port=3306;Database=foodcommunity;User ID=fcadmin;Password=\"p;a=ss w0rd\";SslMode=Required", output, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__MySqlReplica=Server=replica.db;", output, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Redis=primary.cache:6379,ssl=true,abortConnect=false,password=token123", output, StringComparison.Ordinal);
        // The PEM keeps its line breaks; an empty previous key is not exported at all.
        Assert.Contains("Auth__SigningKeyPem=-----BEGIN PRIVATE KEY-----\nAAA\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Auth__PreviousSigningKeyPem", output, StringComparison.Ordinal);
        Assert.Contains("Mail__Username=AKIAEXAMPLE\n", output, StringComparison.Ordinal);
        Assert.Contains("Mail__Password=BSmtp+pass/word=\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunApi_BeforeTheOperatorStoredSmtpCredentials_StartsTheApiWithoutThem()
    {
        // The secret as CDK creates it: no username yet, a generated filler password.
        var (exitCode, output, errors) = await RunAsync("""{"username":"","password":"GeneratedFiller123"}""");

        Assert.True(exitCode == 0, errors);
        Assert.Contains("args=\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Mail__Username", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Mail__Password", output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output, string Errors)> RunAsync(string mailSecret, params string[] args)
    {
        Assert.SkipUnless(File.Exists("/usr/bin/jq") && File.Exists("/bin/bash"), "needs bash and jq, as Amazon Linux 2023 has them");
        var template = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fleet", "user-data.sh"), TestContext.Current.CancellationToken);
        var script = RunApi().Match(template).Groups["body"].Value
            .Replace("@@REGION@@", "ap-northeast-2", StringComparison.Ordinal)
            .Replace("@@SETTINGS_PARAMETER@@", "/fc/settings", StringComparison.Ordinal)
            .Replace("@@DB_SECRET@@", "db-secret", StringComparison.Ordinal)
            .Replace("@@REDIS_SECRET@@", "redis-secret", StringComparison.Ordinal)
            .Replace("@@SIGNING_SECRET@@", "signing-secret", StringComparison.Ordinal)
            .Replace("@@MAIL_SECRET@@", "mail-secret", StringComparison.Ordinal)
            .Replace("@@DB_HOST@@", "primary.db", StringComparison.Ordinal)
            .Replace("@@DB_REPLICA_HOST@@", "replica.db", StringComparison.Ordinal)
            .Replace("@@DB_NAME@@", "foodcommunity", StringComparison.Ordinal)
            .Replace("@@REDIS_HOST@@", "primary.cache", StringComparison.Ordinal)
            .Replace("/opt/foodcommunity/current", Path.Combine(_dir, "current"), StringComparison.Ordinal);
        Assert.DoesNotContain("@@", script, StringComparison.Ordinal);
        Write("run-api", script);
        Write("bin/aws", $$"""
            #!/bin/bash
            case "$*" in
              *"ssm get-parameter"*"--name /fc/settings"*) printf 'ASPNETCORE_ENVIRONMENT=Production\nHttp__TrustedProxyNetworks__0=10.20.0.0/24\n' ;;
              *"--secret-id db-secret"*) echo '{"username":"fcadmin","password":"p;a=ss w0rd"}' ;;
              *"--secret-id redis-secret"*) echo 'token123' ;;
              *"--secret-id signing-secret"*) echo '{"current":"-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----","previous":""}' ;;
              *"--secret-id mail-secret"*) echo '{{mailSecret}}' ;;
              *) echo "unexpected: aws $*" >&2; exit 1 ;;
            esac
            """);
        Write("current/FoodCommunity.Api", """
            #!/bin/bash
            echo "args=$*"
            for name in ASPNETCORE_ENVIRONMENT Http__TrustedProxyNetworks__0 ConnectionStrings__MySql ConnectionStrings__MySqlReplica \
                        ConnectionStrings__Redis Auth__SigningKeyPem Auth__PreviousSigningKeyPem Mail__Username Mail__Password; do
              if [[ -v $name ]]; then printf '%s=%s\n' "$name" "${!name}"; fi
            done
            """);

        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(_dir, "run-api"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PATH"] = $"{Path.Combine(_dir, "bin")}:{Environment.GetEnvironmentVariable("PATH")}";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, output, errors);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_dir, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [GeneratedRegex(@"cat >/opt/foodcommunity/bin/run-api <<'SCRIPT'\n(?<body>.*?)\nSCRIPT\n", RegexOptions.Singleline)]
    private static partial Regex RunApi();
}
