using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace FoodCommunity.Api.Infrastructure.Observability;

internal static class LoggingSetup
{
    private const string DevelopmentTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {TraceId}{NewLine}{Exception}";

    private const string SqlCommandCategory = "Microsoft.EntityFrameworkCore.Database.Command";

    /// <summary>
    /// Human-readable lines for a developer's terminal; one compact JSON object per event
    /// everywhere else, so CloudWatch Logs Insights can query fields such as @tr (trace id).
    /// </summary>
    public static WebApplicationBuilder AddFoodCommunityLogging(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext();
            LogSql(logger, builder.Configuration.GetSection(ObservabilityOptions.SectionName).Get<ObservabilityOptions>()?.SqlLogging ?? SqlLogging.Off);
            if (development)
            {
                logger.WriteTo.Console(outputTemplate: DevelopmentTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
        });
        return builder;
    }

    private static void LogSql(LoggerConfiguration logger, SqlLogging sql)
    {
        if (sql == SqlLogging.Off)
        {
            return;
        }

        logger.MinimumLevel.Override(SqlCommandCategory, LogEventLevel.Information);
        if (sql == SqlLogging.Requests)
        {
            // ASP.NET Core opens a logging scope with the RequestId around each request; background services run outside any.
            logger.Filter.ByExcluding(e => e.Properties.TryGetValue("SourceContext", out var source)
                && source is ScalarValue { Value: SqlCommandCategory }
                && !e.Properties.ContainsKey("RequestId"));
        }
    }
}
