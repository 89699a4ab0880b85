using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Health;

// A check that throws is reported by the health check service as failed and logged with the exception;
// /health/ready shows only that it failed (HealthSetup), never the exception's text.

/// <summary>
/// A small pool of its own, so the check neither waits behind a busy API pool nor opens a connection per
/// probe; MySqlConnector resets a pooled connection when it is taken, so a dead server still fails the check.
/// </summary>
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
            MinimumPoolSize = 0,
            MaximumPoolSize = 2,
            ConnectionTimeout = 3,
        }.ConnectionString);
}

/// <summary>
/// The replica as <see cref="ReplicaMonitor"/> last measured it (every second): answering, and lagging no more
/// than Database:ReplicaMaxLagSeconds. Failing means reads go to the primary, not that the instance cannot serve.
/// </summary>
internal sealed class ReplicaHealthCheck(ReplicaMonitor monitor, IOptions<ConnectionStringsOptions> connectionStrings, IOptions<DatabaseOptions> database)
    : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(connectionStrings.Value.MySqlReplica))
        {
            // Optional; without one, reads go to the primary.
            return Task.FromResult(HealthCheckResult.Healthy("not configured"));
        }

        var lag = monitor.LagSeconds;
        var description = lag is { } seconds
            ? string.Create(CultureInfo.InvariantCulture, $"lag {seconds:0.0} s (limit {database.Value.ReplicaMaxLagSeconds} s)")
            : "unreachable";
        return Task.FromResult(monitor.Available
            ? HealthCheckResult.Healthy(description)
            : new HealthCheckResult(context.Registration.FailureStatus, description + "; reads go to the primary"));
    }
}

internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var latency = await redis.GetDatabase().PingAsync();
        return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms");
    }
}

/// <summary>
/// HEAD on the bucket: proves the endpoint answers, the credentials work and the bucket exists, for the price of
/// the cheapest S3 request (a LIST costs ten times as much and reads the bucket's index).
/// </summary>
internal sealed class S3HealthCheck(IAmazonS3 s3, IOptions<StorageOptions> storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = storage.Value.BucketName }, cancellationToken);
        return HealthCheckResult.Healthy();
    }
}
