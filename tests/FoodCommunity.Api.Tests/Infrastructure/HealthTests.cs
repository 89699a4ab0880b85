using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Reflection;
using Amazon.S3;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Tests.Infrastructure;

public sealed class HealthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Live_Answers200_WithoutTouchingDependencies()
    {
        using var client = api.CreateClient();

        using var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_WithEveryDependencyUp_Answers200_AndListsEachCheck()
    {
        // A bucket with objects in it, not only an empty one (s3rver once failed exactly there).
        for (var i = 0; i < 3; i++)
        {
            await TestImages.UploadAsync(api, Guid.CreateVersion7().ToString());
        }

        using var client = api.CreateClient();

        var (status, checks, _) = await ReadyAsync(client, expected: HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var name in new[] { "mysql", "redis", "s3" })
        {
            Assert.Equal("Healthy", checks[name]);
        }
    }

    public static TheoryData<string, string, string> DownDependencies => new()
    {
        // A closed loopback port is what a stopped service looks like to the API.
        { "mysql", "ConnectionStrings:MySql", "Server=127.0.0.1;Port=1;Database=foodcommunity;User ID=x;Password=x" },
        { "redis", "ConnectionStrings:Redis", "127.0.0.1:1,connectTimeout=500" },
        { "s3", "Storage:ServiceUrl", "http://127.0.0.1:1" },
    };

    [Theory]
    [MemberData(nameof(DownDependencies))]
    public async Task Ready_WithOneDependencyDown_Answers503_NamingIt(string check, string setting, string value)
    {
        await using var broken = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?> { [setting] = value });
        using var client = broken.CreateClient();

        using var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        var (status, checks, body) = await ReadyAsync(client, expected: HttpStatusCode.ServiceUnavailable,
            settled: c => c.Where(kv => kv.Key != check).All(kv => kv.Value == "Healthy"));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", checks[check]);
        Assert.All(checks.Where(c => c.Key != check), c => Assert.Equal("Healthy", c.Value));
        // The driver's message (host, port, what failed) is for the log, not for whoever probes the endpoint.
        Assert.Contains(body.RootElement.GetProperty("checks").GetProperty(check).GetProperty("description").GetString(), new[] { "unreachable", "timed out" });
        Assert.DoesNotContain("127.0.0.1", body.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_ProbedOverAndOver_ChecksAtMostEveryTwoSeconds_AndNeverListsTheBucket()
    {
        var s3Calls = new ConcurrentQueue<string>();
        await using var recorded = api.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            services.AddSingleton<IAmazonS3>(provider => RecordingS3.Wrap(
                StorageSetup.CreateClient(provider.GetRequiredService<IOptions<StorageOptions>>().Value), s3Calls))));
        using var client = recorded.CreateClient();
        await ReadyAsync(client, expected: HttpStatusCode.OK);
        s3Calls.Clear();

        var clock = Stopwatch.StartNew();
        // An ALB, an ASG and a curious client, all at once and again and again.
        for (var round = 0; round < 10; round++)
        {
            var probes = Enumerable.Range(0, 5).Select(async _ =>
            {
                using var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
                return ready.StatusCode;
            });
            Assert.All(await Task.WhenAll(probes), code => Assert.Equal(HttpStatusCode.OK, code));
        }

        var checkRounds = 1 + (int)(clock.Elapsed / TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(s3Calls, call => call.StartsWith("List", StringComparison.Ordinal));
        Assert.InRange(s3Calls.Count(call => call == nameof(IAmazonS3.HeadBucketAsync)), 0, checkRounds);
    }

    /// <summary>
    /// Asks until the answer is the expected one (or 15 s have passed): a healthy dependency's first
    /// check on a fresh host (SDK warm-up, connection set-up) can overrun the check timeout on a
    /// loaded test machine, as it can on a booting instance, which the ALB asks again.
    /// </summary>
    private static Task<(HttpStatusCode Status, Dictionary<string, string> Checks, JsonDocument Body)> ReadyAsync(
        HttpClient client, HttpStatusCode expected, Func<Dictionary<string, string>, bool>? settled = null) =>
        Eventually.AnswerAsync(async () =>
        {
            using var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
            var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            var checks = body.RootElement.GetProperty("checks").EnumerateObject()
                .ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!);
            return (ready.StatusCode, checks, body);
        }, answer => answer.StatusCode == expected && (settled?.Invoke(answer.Item2) ?? true), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(500));
}

/// <summary>The real S3 client, with the name of every call it is asked to make written down.</summary>
public class RecordingS3 : DispatchProxy
{
    private IAmazonS3 _inner = null!;
    private ConcurrentQueue<string> _calls = null!;

    public static IAmazonS3 Wrap(IAmazonS3 inner, ConcurrentQueue<string> calls)
    {
        var proxy = Create<IAmazonS3, RecordingS3>();
        var recording = (RecordingS3)(object)proxy;
        recording._inner = inner;
        recording._calls = calls;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        _calls.Enqueue(targetMethod!.Name);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
