using System.Globalization;
using System.Threading.RateLimiting;
using FoodCommunity.Api.Infrastructure.Http;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace FoodCommunity.Api.Auth;

/// <summary>
/// Shared rate limits of the auth endpoints, on RedisRateLimiting's fixed windows. Per-network limits
/// run in the rate-limiting middleware (named policies); per-name limits need the request body, so the
/// handlers ask <see cref="TryAcquireAsync"/> once they have read and bounded the name.
/// </summary>
public sealed class AuthRateLimits(IConnectionMultiplexer redis, RedisKeys keys, IOptions<RateLimitOptions> options) : IDisposable
{
    // Per client IP, applied by the rate-limiting middleware to the endpoint.
    public const string RegisterPerIp = "register-ip";
    public const string LoginPerIp = "login-ip";
    public const string RefreshPerIp = "refresh-ip";
    public const string PasswordResetPerIp = "reset-ip";

    // Per account name (or session), applied by the handler.
    public const string RegisterPerUsername = "register-username";
    public const string RefreshPerSession = "refresh-session";
    public const string PasswordResetPerAddress = "reset-address";

    private readonly PartitionedRateLimiter<(string Policy, string Partition)> _limiter =
        PartitionedRateLimiter.Create<(string Policy, string Partition), string>(request =>
            RedisRateLimitPartition.GetFixedWindowRateLimiter(
                keys.RateLimitPartition(request.Policy, request.Partition),
                _ =>
                {
                    var rule = options.Value.RuleFor(request.Policy);
                    return new RedisFixedWindowRateLimiterOptions
                    {
                        ConnectionMultiplexerFactory = () => redis,
                        PermitLimit = rule.PermitLimit,
                        Window = TimeSpan.FromSeconds(rule.WindowSeconds),
                    };
                }));

    /// <summary>Null when allowed; otherwise how long the caller should wait.</summary>
    public async Task<TimeSpan?> TryAcquireAsync(string policy, string partition, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync((policy, partition), 1, cancellationToken);
        return lease.IsAcquired ? null : RetryAfter(lease, options.Value.RuleFor(policy));
    }

    public void Dispose() => _limiter.Dispose();

    public static void AddPolicies(RateLimiterOptions limiter)
    {
        foreach (var policy in new[] { RegisterPerIp, LoginPerIp, RefreshPerIp, PasswordResetPerIp })
        {
            limiter.AddPolicy(policy, Partitioned(policy, ClientNetwork.Of));
        }

        UserWriteLimits.AddPolicies(limiter);

        limiter.OnRejected = (context, _) =>
        {
            var policy = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
            var rule = context.HttpContext.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.RuleFor(policy);
            return new ValueTask(WriteTooManyRequestsAsync(context.HttpContext, RetryAfter(context.Lease, rule)));
        };
    }

    /// <summary>The 429 every rate limit answers with: a problem body and Retry-After in whole seconds.</summary>
    public static Task WriteTooManyRequestsAsync(HttpContext context, TimeSpan retryAfter)
    {
        SetRetryAfter(context, retryAfter);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = "Too many attempts; retry after the time in Retry-After." },
        }).AsTask();
    }

    public static void SetRetryAfter(HttpContext context, TimeSpan retryAfter) =>
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>A middleware policy counted in Redis per partition (a client network, a user).</summary>
    public static Func<HttpContext, RateLimitPartition<string>> Partitioned(string policy, Func<HttpContext, string> partitionOf) => context =>
    {
        var services = context.RequestServices;
        var partition = services.GetRequiredService<RedisKeys>().RateLimitPartition(policy, partitionOf(context));
        return RedisRateLimitPartition.GetFixedWindowRateLimiter(partition, _ =>
        {
            var rule = services.GetRequiredService<IOptions<RateLimitOptions>>().Value.RuleFor(policy);
            return new RedisFixedWindowRateLimiterOptions
            {
                ConnectionMultiplexerFactory = services.GetRequiredService<IConnectionMultiplexer>,
                PermitLimit = rule.PermitLimit,
                Window = TimeSpan.FromSeconds(rule.WindowSeconds),
            };
        });
    };

    private static TimeSpan RetryAfter(RateLimitLease lease, RateLimitRule rule) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(rule.WindowSeconds);
}
