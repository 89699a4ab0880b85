using Microsoft.Extensions.Options;
using MySqlConnector;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>
/// Pings the read replica every few seconds. While it does not answer, <see cref="ReadDatabase"/>
/// sends every read to the primary: a dead replica costs the primary some load, not the users errors.
/// </summary>
public sealed partial class ReplicaMonitor(IOptions<ConnectionStringsOptions> connectionStrings, IOptions<DatabaseOptions> database, ILogger<ReplicaMonitor> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    // Not trusted until it has answered once: the first reads of a new instance go to the primary.
    private volatile bool _available;

    public bool Available => _available;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(connectionStrings.Value.MySqlReplica))
        {
            return;
        }

        var connectionString = new MySqlConnectionStringBuilder(DataSetup.NormalizeConnectionString(connectionStrings.Value.MySqlReplica, database.Value))
        {
            Pooling = false,
            ConnectionTimeout = 2,
        }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            var available = await PingAsync(connectionString, stoppingToken);
            if (available != _available)
            {
                LogChanged(logger, available);
                _available = available;
            }

            await Task.Delay(Interval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task<bool> PingAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            return await connection.PingAsync(cancellationToken);
        }
        catch (MySqlException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read replica available: {Available}; reads go to the primary while it is not")]
    private static partial void LogChanged(ILogger logger, bool available);
}
