using System.Diagnostics.Metrics;
using FoodCommunity.Api.Infrastructure.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>
/// Measures how far the read replica lags, every second: stamps the <see cref="ReplicaHeartbeat"/> row on the
/// primary with this instance's clock, then reads the row back on the replica; the lag is how old the
/// replica's stamp is. While the replica does not answer, or lags more than
/// <see cref="DatabaseOptions.ReplicaMaxLagSeconds"/>, <see cref="ReadDatabase"/> sends every read to the
/// primary: a dead or lagging replica costs the primary some load, not the users errors or stale pages.
/// The lag is published as the gauge <c>foodcommunity.db.replica_lag</c> (seconds).
/// </summary>
public sealed partial class ReplicaMonitor : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly IOptions<ConnectionStringsOptions> _connectionStrings;
    private readonly IOptions<DatabaseOptions> _database;
    private readonly TimeProvider _time;
    private readonly ILogger<ReplicaMonitor> _logger;

    // Not trusted until it has answered once: the first reads of a new instance go to the primary.
    private volatile Reading _reading = Reading.None;
    private DateTime? _lastStamp;

    public ReplicaMonitor(
        IOptions<ConnectionStringsOptions> connectionStrings,
        IOptions<DatabaseOptions> database,
        IMeterFactory meters,
        TimeProvider time,
        ILogger<ReplicaMonitor> logger)
    {
        _connectionStrings = connectionStrings;
        _database = database;
        _time = time;
        _logger = logger;
        meters.Create(MetricsSetup.MeterName).CreateObservableGauge(
            "foodcommunity.db.replica_lag",
            ObserveLag,
            unit: "s",
            description: "How far the read replica lags behind the primary, by the heartbeat row; absent while it does not answer.");
    }

    /// <summary>The replica answers and lags no more than the limit: reads may go there.</summary>
    public bool Available => _reading.Available;

    /// <summary>The lag last measured, in seconds; null while the replica does not answer (or none is configured).</summary>
    public double? LagSeconds => _reading.LagSeconds;

    /// <summary>
    /// True when the replica has applied everything committed on the primary before <paramref name="writtenAt"/>
    /// (UTC): it holds a heartbeat stamped later, and replication applies commits in order.
    /// </summary>
    public bool HasCaughtUpWith(DateTime writtenAt) => _reading.ReplicatedUpTo is { } upTo && upTo >= writtenAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(_connectionStrings.Value.MySqlReplica))
        {
            return;
        }

        var primary = MonitorConnectionString(_connectionStrings.Value.MySql);
        var replica = MonitorConnectionString(_connectionStrings.Value.MySqlReplica);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            if (await StampAsync(primary, now, stoppingToken))
            {
                _lastStamp = now;
            }

            var beat = await ReadBeatAsync(replica, stoppingToken);
            Record(beat, _time.GetUtcNow().UtcDateTime);
            await Task.Delay(Interval, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Record(DateTime? beat, DateTime readAt)
    {
        Reading reading;
        if (beat is not { } upTo)
        {
            reading = Reading.None;
        }
        else
        {
            // While the primary cannot be stamped, the replica lags by what it misses of the last stamp that
            // was written, not by the time since: a replica serving reads while the primary is down is fine.
            var reference = _lastStamp is { } last && readAt - last > Interval * 3 ? last : readAt;
            var lag = Math.Max(0, (reference - upTo).TotalSeconds);
            reading = new Reading(lag <= _database.Value.ReplicaMaxLagSeconds, lag, upTo);
        }

        var before = _reading;
        _reading = reading;
        if (reading.Available != before.Available)
        {
            LogChanged(_logger, reading.Available, reading.LagSeconds is { } lag ? $"lag {lag:0.0} s (limit {_database.Value.ReplicaMaxLagSeconds} s)" : "not answering");
        }
    }

    private IEnumerable<Measurement<double>> ObserveLag()
    {
        if (_reading.LagSeconds is { } lag)
        {
            yield return new Measurement<double>(lag);
        }
    }

    private string MonitorConnectionString(string connectionString) =>
        new MySqlConnectionStringBuilder(DataSetup.NormalizeConnectionString(connectionString, _database.Value))
        {
            // A small pool of its own: never waits behind a busy API pool. A pooled connection is reset when
            // taken, so a dead server still fails the next round.
            MinimumPoolSize = 0,
            MaximumPoolSize = 2,
            ConnectionTimeout = 2,
            DefaultCommandTimeout = 2,
        }.ConnectionString;

    private async Task<bool> StampAsync(string connectionString, DateTime now, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            // GREATEST: an instance whose clock runs behind never moves the stamp back.
            await using var command = new MySqlCommand(
                "INSERT INTO replica_heartbeat (id, beat_at) VALUES (@id, @beat) ON DUPLICATE KEY UPDATE beat_at = GREATEST(beat_at, @beat)",
                connection);
            command.Parameters.AddWithValue("@id", ReplicaHeartbeat.SingleRowId);
            command.Parameters.AddWithValue("@beat", now);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (MySqlException e)
        {
            LogStampFailed(_logger, e.Message);
            return false;
        }
    }

    private static async Task<DateTime?> ReadBeatAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new MySqlCommand("SELECT beat_at FROM replica_heartbeat WHERE id = @id", connection);
            command.Parameters.AddWithValue("@id", ReplicaHeartbeat.SingleRowId);
            return await command.ExecuteScalarAsync(cancellationToken) is DateTime beat ? DateTime.SpecifyKind(beat, DateTimeKind.Utc) : null;
        }
        catch (MySqlException)
        {
            return null;
        }
    }

    private sealed record Reading(bool Available, double? LagSeconds, DateTime? ReplicatedUpTo)
    {
        public static readonly Reading None = new(false, null, null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read replica available: {Available} ({Reason}); reads go to the primary while it is not")]
    private static partial void LogChanged(ILogger logger, bool available, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not stamp the replica heartbeat on the primary: {Error}")]
    private static partial void LogStampFailed(ILogger logger, string error);
}
