using OpenTelemetry.Metrics;

namespace FoodCommunity.Api.Infrastructure.Observability;

internal static class MetricsSetup
{
    /// <summary>The meter every FoodCommunity feature records its own instruments on.</summary>
    public const string MeterName = "FoodCommunity";

    public static WebApplicationBuilder AddFoodCommunityObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MeterName)
                .AddPrometheusExporter());
        return builder;
    }

    /// <summary>Prometheus text format at /metrics, scraped by the CloudWatch agent or Prometheus.</summary>
    public static WebApplication MapFoodCommunityMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").ExcludeFromDescription();
        return app;
    }
}
