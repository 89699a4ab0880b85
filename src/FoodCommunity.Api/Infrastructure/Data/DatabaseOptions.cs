using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>The "Database" configuration section; connection strings live under "ConnectionStrings".</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>
    /// The server the SQL is generated for, in Pomelo's form: "8.4.0-mysql" (RDS) or "10.11.6-mariadb".
    /// Stated rather than auto-detected so that the API starts (and reports not ready) while the database is down.
    /// </summary>
    [Required]
    [RegularExpression(@"^\d+\.\d+\.\d+-(mysql|mariadb)$", ErrorMessage = "Database:ServerVersion must look like 8.4.0-mysql or 10.11.6-mariadb.")]
    public string ServerVersion { get; set; } = "8.4.0-mysql";

    [Range(5, 1000)]
    public int MaxPoolSize { get; set; } = 100;

    [Range(1, 300)]
    public int CommandTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// The longest a user's reads stay on the primary after a write. They return to the replica sooner, as
    /// soon as it has caught up with the write (ReadDatabase), and never later than the replica has either
    /// caught up or been taken out for lag: the window used is at least ReplicaMaxLagSeconds + 2.
    /// </summary>
    [Range(1, 300)]
    public int ReadYourWritesSeconds { get; set; } = 5;

    /// <summary>A replica lagging more than this (by its heartbeat, measured every second) gets no reads until it catches up.</summary>
    [Range(1, 3600)]
    public int ReplicaMaxLagSeconds { get; set; } = 3;

    /// <summary>How long a write keeps its author's reads on the primary at most: see <see cref="ReadYourWritesSeconds"/>.</summary>
    public TimeSpan ReadYourWritesWindow => TimeSpan.FromSeconds(Math.Max(ReadYourWritesSeconds, ReplicaMaxLagSeconds + 2));
}
