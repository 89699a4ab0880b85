using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Testcontainers.LocalStack;
using Testcontainers.MySql;
using Testcontainers.Redis;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// Where the real MySQL/MariaDB, Redis and S3 endpoint of this test run are; MySqlReplicaServer is a replica
/// replicating from MySqlServer (scripts/services.sh starts one), null when the run has none.
/// </summary>
public sealed record ServiceEndpoints(
    string MySqlServer,
    string ServerVersion,
    string Redis,
    string S3ServiceUrl,
    string? MySqlReplicaServer = null);

/// <summary>
/// Resolved once per test run: from the environment variables that scripts/services.sh prints (CI and the
/// native dev path), else from Testcontainers when Docker is available, else a failure that says what to do.
/// Never an in-memory stand-in: the code under test exists for MySQL's and Redis's behaviour.
/// </summary>
public static class TestServices
{
    private static readonly Lazy<Task<ServiceEndpoints>> Endpoints = new(ResolveAsync);

    public static Task<ServiceEndpoints> GetAsync() => Endpoints.Value;

    /// <summary>
    /// FC_REDIS_CLUSTER_TESTS=1: the API's Redis is the cluster of FC_REDIS_CLUSTER_CONNECTION (scripts/services.sh
    /// cluster-up), not the single node, so the same tests prove the code runs on Redis Cluster.
    /// </summary>
    public static bool RedisClusterRequested => Environment.GetEnvironmentVariable("FC_REDIS_CLUSTER_TESTS") == "1";

    private static async Task<ServiceEndpoints> ResolveAsync()
    {
        var mysql = Environment.GetEnvironmentVariable("ConnectionStrings__MySql");
        var redis = RedisClusterRequested
            ? Environment.GetEnvironmentVariable("FC_REDIS_CLUSTER_CONNECTION") is { Length: > 0 } cluster
                ? cluster
                : throw new InvalidOperationException(
                    "FC_REDIS_CLUSTER_TESTS=1 runs the tests against a Redis Cluster, and FC_REDIS_CLUSTER_CONNECTION names none: " +
                    "start one with `eval \"$(bash scripts/services.sh cluster-up)\"`.")
            : Environment.GetEnvironmentVariable("ConnectionStrings__Redis");
        var s3 = Environment.GetEnvironmentVariable("Storage__ServiceUrl");
        if (!string.IsNullOrWhiteSpace(mysql) && !string.IsNullOrWhiteSpace(redis) && !string.IsNullOrWhiteSpace(s3))
        {
            return new ServiceEndpoints(
                mysql,
                Environment.GetEnvironmentVariable("Database__ServerVersion") ?? "8.4.0-mysql",
                redis,
                s3,
                Environment.GetEnvironmentVariable("ConnectionStrings__MySqlReplica") is { Length: > 0 } replica ? replica : null);
        }

        return await StartContainersAsync();
    }

    private static async Task<ServiceEndpoints> StartContainersAsync()
    {
        MySqlContainer mysql;
        RedisContainer redis;
        LocalStackContainer localStack;
        try
        {
            // Testcontainers looks for a Docker engine in Build().
            mysql = new MySqlBuilder("mysql:8.4").WithUsername("root").WithPassword("foodcommunity").Build();
            redis = new RedisBuilder("redis:7").WithCommand("--appendonly", "yes").Build();
            localStack = new LocalStackBuilder("localstack/localstack:4.14.0").Build();
        }
        catch (DockerUnavailableException e)
        {
            throw new InvalidOperationException(
                "The integration tests need real MySQL, Redis and S3 endpoints, and none were given. " +
                "Start them natively with `eval \"$(bash scripts/services.sh up)\"` (it sets ConnectionStrings__MySql, " +
                "ConnectionStrings__Redis, Storage__ServiceUrl and AWS_*), or start a Docker engine for Testcontainers.", e);
        }

        await Task.WhenAll(mysql.StartAsync(), redis.StartAsync(), localStack.StartAsync());
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test");
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        // Ryuk removes the containers when the test process exits.
        return new ServiceEndpoints(mysql.GetConnectionString(), "8.4.0-mysql", redis.GetConnectionString(), localStack.GetConnectionString());
    }
}
