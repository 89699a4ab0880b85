using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Infrastructure.Observability;

/// <summary>Logs and operational endpoints; the "Observability" configuration section.</summary>
public sealed class ObservabilityOptions
{
    public const string SectionName = "Observability";

    /// <summary>
    /// When set, /metrics is served only on this port (on every interface, for the scraper), never on the
    /// public one, so a load balancer in front of the public port cannot expose it. Unset: /metrics on the public port.
    /// </summary>
    [Range(1, 65535)]
    public int? ManagementPort { get; set; }

    /// <summary>Which SQL commands EF Core logs (at Information).</summary>
    public SqlLogging SqlLogging { get; set; } = SqlLogging.Off;
}

/// <summary>How much of the SQL the API runs goes to the log.</summary>
public enum SqlLogging
{
    Off,

    /// <summary>
    /// Only the SQL of HTTP requests: what a developer wants while trying an endpoint, without the
    /// background services' polling (the like flusher and its backlog metric query MySQL every few seconds).
    /// </summary>
    Requests,

    /// <summary>Every command, background services included.</summary>
    All,
}
