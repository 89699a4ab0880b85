namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>
/// One row on the primary that <see cref="ReplicaMonitor"/> stamps every second and reads back on the
/// replica: how old the replica's copy of the stamp is, is how far the replica lags (as pt-heartbeat does).
/// Every instance stamps the same row; the newest stamp wins, which is all the measure needs.
/// </summary>
public sealed class ReplicaHeartbeat
{
    /// <summary>The row every instance stamps.</summary>
    public const byte SingleRowId = 1;

    public byte Id { get; set; }

    /// <summary>The stamping instance's clock (UTC) just before the write.</summary>
    public DateTime BeatAt { get; set; }
}
