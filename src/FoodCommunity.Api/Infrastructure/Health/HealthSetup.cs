using System.Text.Json;
using FoodCommunity.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Health;

internal static class HealthSetup
{
    private const string ReadyTag = "ready";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static WebApplicationBuilder AddFoodCommunityHealthChecks(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration("mysql", services => MySqlHealthCheck.For(
                services.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.MySql,
                services.GetRequiredService<IOptions<DatabaseOptions>>().Value), HealthStatus.Unhealthy, [ReadyTag], CheckTimeout))
            // Degraded, not unhealthy: without the replica, reads go to the primary (ReplicaMonitor),
            // so an instance stays in service; every instance failing readiness would be an outage.
            .Add(new HealthCheckRegistration("mysql-replica", services => MySqlHealthCheck.For(
                services.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.MySqlReplica,
                services.GetRequiredService<IOptions<DatabaseOptions>>().Value), HealthStatus.Degraded, [ReadyTag], CheckTimeout))
            .AddCheck<RedisHealthCheck>("redis", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout)
            .AddCheck<S3HealthCheck>("s3", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);

        return builder;
    }

    /// <summary>
    /// /health/live answers while the process runs (the ASG replaces an instance that fails it);
    /// /health/ready checks every dependency (the ALB stops routing to an instance that fails it).
    /// </summary>
    public static WebApplication MapFoodCommunityHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteReportAsync })
            .ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteReportAsync })
            .ExcludeFromDescription();
        return app;
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
                    description = entry.Value.Description ?? entry.Value.Exception?.Message,
                    ms = Math.Round(entry.Value.Duration.TotalMilliseconds, 1),
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}
