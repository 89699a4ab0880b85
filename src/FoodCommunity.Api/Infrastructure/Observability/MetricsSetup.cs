using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace FoodCommunity.Api.Infrastructure.Observability;

internal static class MetricsSetup
{
    /// <summary>The meter every FoodCommunity feature records its own instruments on.</summary>
    public const string MeterName = "FoodCommunity";

    private const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddFoodCommunityObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ObservabilityOptions>()
            .BindConfiguration(ObservabilityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MeterName)
                .AddPrometheusExporter());

        if (builder.Configuration.GetSection(ObservabilityOptions.SectionName).Get<ObservabilityOptions>()?.ManagementPort is { } port)
        {
            // Listening in code would replace the configured addresses; adding to them keeps URLS/HTTP_PORTS working.
            builder.WebHost.UseUrls([.. ConfiguredUrls(builder.Configuration), $"http://*:{port}"]);
        }

        return builder;
    }

    /// <summary>
    /// Prometheus text format at /metrics, scraped by the CloudWatch agent or Prometheus: on the management port
    /// when one is set (the port the connection arrived on decides, not the Host header a client chooses), else here.
    /// </summary>
    public static WebApplication MapFoodCommunityMetrics(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.ManagementPort is { } port)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Connection.LocalPort == port && context.Request.Path == MetricsPath);
        }
        else
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).ExcludeFromDescription();
        }

        return app;
    }

    /// <summary>The addresses Kestrel would bind without a management port: URLS, else HTTP_PORTS/HTTPS_PORTS, else its default.</summary>
    private static string[] ConfiguredUrls(IConfiguration configuration)
    {
        static string[] Split(string? value) => value?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

        var urls = Split(configuration[WebHostDefaults.ServerUrlsKey]);
        if (urls.Length > 0)
        {
            return urls;
        }

        string[] ports = [
            .. Split(configuration[WebHostDefaults.HttpPortsKey]).Select(p => $"http://*:{p}"),
            .. Split(configuration[WebHostDefaults.HttpsPortsKey]).Select(p => $"https://*:{p}"),
        ];
        return ports.Length > 0 ? ports : ["http://localhost:5000"];
    }
}
