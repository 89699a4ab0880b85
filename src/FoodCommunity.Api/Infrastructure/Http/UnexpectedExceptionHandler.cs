using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using MySqlConnector;
using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Http;

/// <summary>
/// The one place exceptions become responses. Expected outcomes are results, never exceptions,
/// so what reaches here is either a dependency that is down (503, the client may retry) or a bug (500).
/// </summary>
internal sealed partial class UnexpectedExceptionHandler(IProblemDetailsService problemDetails, ILogger<UnexpectedExceptionHandler> logger)
    : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    private static readonly string[] RedisUnavailableReplies = ["LOADING", "READONLY", "OOM", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "NOREPLICAS", "BUSY"];

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = httpContext.RequestAborted.IsCancellationRequested
            ? (499, "Client closed request", "The client went away before the response was written.")
            : Classify(exception);
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            LogDependencyDown(logger, httpContext.Request.Path, exception);
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status >= 500)
        {
            LogUnexpected(logger, httpContext.Request.Path, exception);
        }

        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>True when MySQL did not answer (the exception or any cause within it), for callers that can do without it.</summary>
    public static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (IsMySqlUnavailable(cause))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// MySQL refused the connection, or dropped one in use: a server that crashed or restarted mid-query leaves
    /// "Failed to read the result set" over a reset socket or a truncated packet, which the driver does not call
    /// transient. The transaction it was in rolled back or committed whole; the client may retry.
    /// </summary>
    private static bool IsMySqlUnavailable(Exception exception) =>
        exception is MySqlException { IsTransient: true }
            or MySqlException { ErrorCode: MySqlErrorCode.UnableToConnectToHost }
            or MySqlException { InnerException: IOException or System.Net.Sockets.SocketException };

    private static (int Status, string Title, string Detail) Classify(Exception exception)
    {
        // EF Core and the execution strategy wrap driver exceptions; the cause is further in.
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (ClassifyOne(cause) is { } known)
            {
                return known;
            }
        }

        return (StatusCodes.Status500InternalServerError, "Internal server error",
            "An unexpected error occurred; it has been logged with the trace id.");
    }

    private static (int Status, string Title, string Detail)? ClassifyOne(Exception exception) => exception switch
    {
        BadHttpRequestException bad => (bad.StatusCode, ReasonPhrases.GetReasonPhrase(bad.StatusCode), bad.Message),
        RedisConnectionException or RedisTimeoutException =>
            (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The cache is unreachable; retry shortly."),
        // Redis answering but not serving: reloading its AOF after a restart, a replica mid-failover,
        // out of memory, a cluster reconfiguring. The client should retry, not report a bug.
        RedisServerException server when RedisUnavailableReplies.Any(reply => server.Message.StartsWith(reply, StringComparison.Ordinal)) =>
            (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The cache is not serving right now; retry shortly."),
        MySqlException mysql when IsMySqlUnavailable(mysql) =>
            (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The database is unreachable; retry shortly."),
        Amazon.Runtime.AmazonServiceException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError } or Amazon.Runtime.AmazonClientException =>
            (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "Object storage is unreachable; retry shortly."),
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dependency unavailable while serving {Path}")]
    private static partial void LogDependencyDown(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception while serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, string path, Exception exception);
}
