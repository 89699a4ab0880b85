using System.Text.Json;
using FoodCommunity.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Health;

internal static class HealthSetup
{
    private const string ReadyTag = ReadinessCache.Tag;
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static WebApplicationBuilder AddFoodCommunityHealthChecks(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration("mysql", services => MySqlHealthCheck.For(
                services.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.MySql,
                services.GetRequiredService<IOptions<DatabaseOptions>>().Value), HealthStatus.Unhealthy, [ReadyTag], CheckTimeout))
            // Degraded, not unhealthy: without the replica (down, or lagging beyond the limit), reads go
            // to the primary (ReplicaMonitor), so an instance stays in service; every instance failing
            // readiness would be an outage.
            .AddCheck<ReplicaHealthCheck>("mysql-replica", HealthStatus.Degraded, [ReadyTag], CheckTimeout)
            .AddCheck<RedisHealthCheck>("redis", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout)
            .AddCheck<S3HealthCheck>("s3", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);
        builder.Services.AddSingleton<ReadinessCache>();
        builder.Services.TryAddSingleton(TimeProvider.System);

        return builder;
    }

    /// <summary>
    /// /health/live answers while the process runs (the ASG replaces an instance that fails it);
    /// /health/ready checks every dependency (the ALB stops routing to an instance that fails it), answering
    /// from a result at most <see cref="ReadinessCache.MaxAge"/> old.
    /// </summary>
    public static WebApplication MapFoodCommunityHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteReportAsync })
            .ExcludeFromDescription();
        app.MapGet("/health/ready", ReadyAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task ReadyAsync(HttpContext context, ReadinessCache readiness)
    {
        var report = await readiness.GetAsync();
        // As MapHealthChecks answers: Degraded still takes traffic.
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store, no-cache";
        await WriteReportAsync(context, report);
    }

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            totalMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status.ToString(),
                    description = Describe(entry.Value),
                    ms = Math.Round(entry.Value.Duration.TotalMilliseconds, 1),
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }

    /// <summary>
    /// A failed check's exception (host names, ports, driver messages) goes to the log, which the health check
    /// service writes; anyone who can reach the endpoint learns only that the dependency failed.
    /// </summary>
    private static string? Describe(HealthReportEntry entry) => entry.Exception switch
    {
        null => entry.Description,
        OperationCanceledException => "timed out",
        _ => "unreachable",
    };
}
