using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// The served OpenAPI document, linted by Redocly CLI with its recommended rules (tools/redocly, pinned by its
/// package-lock.json; scripts/test.sh installs it): what client generators and API portals will complain about.
/// </summary>
public sealed class OpenApiLintTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ServedDocument_LintsClean_WithRedoclyRecommendedRules()
    {
        var tool = Path.Combine(RepositoryRoot(), "tools", "redocly");
        var cli = Path.Combine(tool, "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"Redocly CLI is not installed: run `npm ci` in {tool} (scripts/test.sh does).");
        using var client = api.CreateClient();
        using var response = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Next to the test binaries, and kept: a failure's output points into it.
        var document = Path.Combine(AppContext.BaseDirectory, "openapi-v1.json");
        await File.WriteAllTextAsync(document, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);

        var (exitCode, stdout, stderr) = await RunAsync("node", tool, cli, "lint", document, "--config", Path.Combine(tool, "redocly.yaml"), "--format", "json");

        using var report = ParseReport(stdout, stderr);
        var totals = report.RootElement.GetProperty("totals");
        var problems = string.Join('\n', report.RootElement.GetProperty("problems").EnumerateArray().Select(p =>
            $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()} at "
            + string.Join(", ", p.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("pointer").GetString()))));
        // Warnings count too: clean is what anyone who lints the document should see.
        Assert.True(totals.GetProperty("errors").GetInt32() == 0 && totals.GetProperty("warnings").GetInt32() == 0 && exitCode == 0,
            $"{document}:\n{problems}");
    }

    private static JsonDocument ParseReport(string stdout, string stderr)
    {
        try
        {
            return JsonDocument.Parse(stdout);
        }
        catch (JsonException)
        {
            Assert.Fail($"Redocly CLI did not report JSON:\n{stdout}\n{stderr}");
            throw;
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Offline and quiet: no usage reports, no update check.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FoodCommunity.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No FoodCommunity.sln above {AppContext.BaseDirectory}.");
    }
}
