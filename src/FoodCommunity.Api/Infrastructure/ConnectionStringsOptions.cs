using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Infrastructure;

/// <summary>The "ConnectionStrings" section: every endpoint the API cannot serve without.</summary>
public sealed class ConnectionStringsOptions : IValidatableObject
{
    public const string SectionName = "ConnectionStrings";

    /// <summary>The MySQL primary: every write, and reads that must see the caller's own writes.</summary>
    [Required(ErrorMessage = "ConnectionStrings:MySql is required, e.g. Server=127.0.0.1;Port=3306;Database=foodcommunity;User ID=...;Password=...")]
    public string MySql { get; set; } = "";

    /// <summary>Optional read replica for feeds and profiles; empty means reads go to the primary.</summary>
    public string? MySqlReplica { get; set; }

    [Required(ErrorMessage = "ConnectionStrings:Redis is required, e.g. 127.0.0.1:6379 or a StackExchange.Redis configuration string.")]
    public string Redis { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(MySql) && DescribeMySqlProblem(MySql) is { } primary)
        {
            yield return new ValidationResult($"ConnectionStrings:MySql is malformed: {primary}", [nameof(MySql)]);
        }

        if (!string.IsNullOrWhiteSpace(MySqlReplica) && DescribeMySqlProblem(MySqlReplica) is { } replica)
        {
            yield return new ValidationResult($"ConnectionStrings:MySqlReplica is malformed: {replica}", [nameof(MySqlReplica)]);
        }

        if (!string.IsNullOrWhiteSpace(Redis) && DescribeRedisProblem(Redis) is { } redis)
        {
            yield return new ValidationResult($"ConnectionStrings:Redis is malformed: {redis}", [nameof(Redis)]);
        }
    }

    private static string? DescribeMySqlProblem(string connectionString)
    {
        try
        {
            var builder = new MySqlConnector.MySqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Server))
            {
                return "it names no Server.";
            }

            return string.IsNullOrWhiteSpace(builder.Database) ? "it names no Database." : null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static string? DescribeRedisProblem(string configuration)
    {
        try
        {
            return StackExchange.Redis.ConfigurationOptions.Parse(configuration).EndPoints.Count == 0
                ? "it names no endpoint."
                : null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
