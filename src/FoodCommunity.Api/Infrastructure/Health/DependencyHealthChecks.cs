using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Health;

// A check that throws is reported by the health check service as failed with the exception's message,
// which /health/ready shows next to the dependency's name.

/// <summary>Opens a fresh connection (not one from the pool) so a dead server is noticed, not a cached socket.</summary>
internal sealed class MySqlHealthCheck(string? connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connectionString is null)
        {
            // Only the replica is optional; without one, reads go to the primary.
            return HealthCheckResult.Healthy("not configured");
        }

        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new MySqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken);
        return HealthCheckResult.Healthy();
    }

    public static MySqlHealthCheck For(string? connectionString, DatabaseOptions database) =>
        string.IsNullOrWhiteSpace(connectionString) ? new(null) : new(new MySqlConnectionStringBuilder(DataSetup.NormalizeConnectionString(connectionString, database))
        {
            Pooling = false,
            ConnectionTimeout = 3,
        }.ConnectionString);
}

internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var latency = await redis.GetDatabase().PingAsync();
        return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms");
    }
}

/// <summary>Lists at most one key: proves the endpoint answers, the credentials work and the bucket exists.</summary>
internal sealed class S3HealthCheck(IAmazonS3 s3, IOptions<StorageOptions> storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = storage.Value.BucketName, MaxKeys = 1 }, cancellationToken);
        return HealthCheckResult.Healthy();
    }
}
