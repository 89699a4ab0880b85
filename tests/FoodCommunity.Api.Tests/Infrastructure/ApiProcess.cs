using System.Diagnostics;
using System.Net;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>The real API assembly as a separate process (Kestrel, signals, exit code), as a deployment runs it.</summary>
internal static class ApiProcess
{
    /// <summary>
    /// Starts `dotnet FoodCommunity.Api.dll [args]` in Production against the fixture's services, bucket and
    /// Redis prefix; <paramref name="environment"/> adds or overrides variables. Output is redirected: drain it.
    /// </summary>
    public static Process Start(ApiFactory api, IReadOnlyDictionary<string, string> environment, string[]? args = null)
    {
        var apiAssembly = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(apiAssembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(apiAssembly);
        foreach (var arg in args ?? [])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Production refuses to start without them; the test is the proxy, on loopback.
        start.Environment["Http__TrustedProxyNetworks__0"] = "127.0.0.0/8";
        start.Environment["ConnectionStrings__Redis"] = api.Endpoints.Redis;
        // No replica unless the test passes one (services.sh exports the local replica).
        start.Environment["ConnectionStrings__MySqlReplica"] = "";
        start.Environment["Database__ServerVersion"] = api.Endpoints.ServerVersion;
        start.Environment["Storage__BucketName"] = api.Isolation.BucketName;
        start.Environment["Storage__ServiceUrl"] = api.Endpoints.S3ServiceUrl;
        start.Environment["Storage__PublicBaseUrl"] = api.Endpoints.S3ServiceUrl;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["Redis__KeyPrefix"] = start.Environment.TryGetValue("Redis__KeyPrefix", out var prefix) && prefix is not null ? prefix : api.Isolation.RedisKeyPrefix;
        return Process.Start(start)!;
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitUntilLiveAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var live = await http.GetAsync("/health/live", TestContext.Current.CancellationToken);
                if (live.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, "the API did not start listening within a minute");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
