using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Infrastructure.Http;

/// <summary>Kestrel limits and shutdown behaviour; the "Http" configuration section.</summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    /// <summary>
    /// Photos never pass through the API, and the largest valid JSON body (a post: a 2,200-character
    /// caption, 30 tags, 10 keys, even fully \u-escaped and decomposed) stays under 48 KiB. A larger
    /// body is refused before it is read: a megabyte of tiny JSON elements costs ~8 ms to parse.
    /// </summary>
    [Range(1024, 16 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    [Range(4096, 256 * 1024)]
    public int MaxRequestHeadersTotalBytes { get; set; } = 32 * 1024;

    [Range(1, 120)]
    public int RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>Longer than the ALB's 60 s idle timeout, so the ALB closes idle connections first and never sends a request into one Kestrel is closing (a 502).</summary>
    [Range(1, 3600)]
    public int KeepAliveTimeoutSeconds { get; set; } = 75;

    /// <summary>
    /// CIDRs of the load balancer's subnets: only their X-Forwarded-For is believed, so rate limits
    /// see the client's address and a client cannot forge one. Empty: only loopback proxies are trusted,
    /// which Production refuses (<see cref="HttpOptionsValidator"/>).
    /// </summary>
    public IList<string> TrustedProxyNetworks { get; } = [];

    /// <summary>Spot instances get two minutes' notice: drain in-flight requests and background flushes well within it.</summary>
    [Range(1, 110)]
    public int ShutdownTimeoutSeconds { get; set; } = 30;
}
