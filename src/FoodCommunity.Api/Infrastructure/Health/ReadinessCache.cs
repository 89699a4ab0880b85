using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FoodCommunity.Api.Infrastructure.Health;

/// <summary>
/// One readiness evaluation serves every probe for a couple of seconds: the ALB of each instance, the ASG and an
/// operator's curl all asking at once cost one round of checks, and a flood of requests to /health/ready cannot
/// turn into a flood of MySQL, Redis and S3 calls. Concurrent askers share the evaluation in flight.
/// </summary>
internal sealed class ReadinessCache(HealthCheckService health, TimeProvider time, IHostApplicationLifetime lifetime)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private Task<HealthReport>? _current;
    private long _evaluatedAt;

    /// <summary>The checks of the dependencies an instance cannot serve without.</summary>
    public const string Tag = "ready";

    public Task<HealthReport> GetAsync()
    {
        lock (_lock)
        {
            if (_current is null || (_current.IsCompleted && time.GetElapsedTime(_evaluatedAt) > MaxAge))
            {
                _current = EvaluateAsync();
            }

            return _current;
        }
    }

    private async Task<HealthReport> EvaluateAsync()
    {
        try
        {
            // Not the asking request's token: others share this evaluation. Each check has its own timeout.
            return await health.CheckHealthAsync(check => check.Tags.Contains(Tag), lifetime.ApplicationStopping);
        }
        finally
        {
            lock (_lock)
            {
                _evaluatedAt = time.GetTimestamp();
            }
        }
    }
}
