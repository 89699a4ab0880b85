using Serilog.Events;

namespace FoodCommunity.Api.Infrastructure.Observability;

/// <summary>
/// One log line per request is ~470 bytes, at the fleet's volume about a terabyte of CloudWatch Logs a
/// month. So a fast success is logged at Debug (off in production); what an operator looks for
/// (client errors, slow requests, failures) stays visible. The ALB's access log counts everything.
/// </summary>
internal static class RequestLogLevel
{
    private const double SlowMilliseconds = 500;

    public static LogEventLevel For(HttpContext context, double elapsedMilliseconds, Exception? exception) =>
        exception is not null || context.Response.StatusCode >= StatusCodes.Status500InternalServerError ? LogEventLevel.Error
        : elapsedMilliseconds > SlowMilliseconds ? LogEventLevel.Warning
        : context.Response.StatusCode >= StatusCodes.Status400BadRequest ? LogEventLevel.Information
        : LogEventLevel.Debug;
}
