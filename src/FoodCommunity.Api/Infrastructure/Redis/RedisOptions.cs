using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Infrastructure.Redis;

/// <summary>The "Redis" section; the endpoint itself is ConnectionStrings:Redis.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>Put before every key, so several environments (or test runs) can share one Redis.</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.:-]{1,40}$", ErrorMessage = "Redis:KeyPrefix must be 1-40 of [A-Za-z0-9_.:-].")]
    public string KeyPrefix { get; set; } = "fc:";
}
