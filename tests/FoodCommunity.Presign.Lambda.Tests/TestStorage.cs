using Amazon.S3;
using DotNet.Testcontainers.Builders;
using FoodCommunity.Presign.Lambda.Uploads;
using Microsoft.Extensions.Configuration;
using Testcontainers.LocalStack;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>The S3 endpoint of this test run, and whether it enforces POST policies as AWS does.</summary>
public sealed record TestS3Endpoint(StorageSettings Settings, bool EnforcesPostPolicy)
{
    public const string NotEnforcedReason =
        "The S3 endpoint of this run (s3rver) checks neither signatures nor POST policies, so S3's own rejection " +
        "cannot be observed; run against LocalStack (Docker) or AWS with Storage__EnforcesPostPolicy=true.";

    public IAmazonS3 CreateClient() => Settings.CreateClient();
}

/// <summary>
/// Resolved once per test run: from the variables scripts/services.sh prints (CI and the native dev path), else a
/// LocalStack container when Docker is available, else a failure that says how to start the services.
/// </summary>
public static class TestStorage
{
    private static readonly Lazy<Task<TestS3Endpoint>> Endpoint = new(ResolveAsync);

    public static Task<TestS3Endpoint> GetAsync() => Endpoint.Value;

    /// <summary>The same keys the function reads, so tests configure it exactly as the hosts do.</summary>
    public static IConfiguration Configuration(StorageSettings settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:BucketName"] = settings.BucketName,
            ["Storage:ServiceUrl"] = settings.ServiceUrl?.ToString(),
            ["Storage:ForcePathStyle"] = settings.ForcePathStyle ? "true" : "false",
            ["Storage:Region"] = settings.Region,
        }).Build();

    private static async Task<TestS3Endpoint> ResolveAsync()
    {
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        if (!string.IsNullOrWhiteSpace(environment["Storage:ServiceUrl"]))
        {
            return new TestS3Endpoint(
                StorageSettings.FromConfiguration(environment),
                string.Equals(environment["Storage:EnforcesPostPolicy"], "true", StringComparison.OrdinalIgnoreCase));
        }

        return await StartLocalStackAsync();
    }

    private static async Task<TestS3Endpoint> StartLocalStackAsync()
    {
        LocalStackContainer localStack;
        try
        {
            // Testcontainers looks for a Docker engine in Build().
            localStack = new LocalStackBuilder("localstack/localstack:4.14.0").Build();
        }
        catch (DockerUnavailableException e)
        {
            throw new InvalidOperationException(
                "These tests need a real S3 endpoint and none was given. Start one natively with " +
                "`eval \"$(bash scripts/services.sh up)\"` (it sets Storage__ServiceUrl, Storage__BucketName and AWS_*), " +
                "or start a Docker engine for Testcontainers.",
                e);
        }

        await localStack.StartAsync();
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test");
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        var settings = new StorageSettings("foodcommunity-uploads", new Uri(localStack.GetConnectionString()), ForcePathStyle: true, Region: null);
        using var s3 = settings.CreateClient();
        await s3.PutBucketAsync(settings.BucketName);
        // LocalStack checks POST policies the way S3 does; Ryuk removes the container when the run ends.
        return new TestS3Endpoint(settings, EnforcesPostPolicy: true);
    }
}
