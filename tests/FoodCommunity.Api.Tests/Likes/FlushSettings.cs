namespace FoodCommunity.Api.Tests.Likes;

/// <summary>
/// Like-flusher settings for the tests that stress it (storms, kills, failovers, outages): small batches
/// flushed every few tens of milliseconds, so a run of seconds spans many batches, and 2 s leases, so a
/// killed flusher's shards pass to another instance within the test's time.
/// </summary>
public static class FlushSettings
{
    public static Dictionary<string, string?> SmallAndFrequent(int batchSize = 100, int intervalMilliseconds = 50) => new()
    {
        ["Likes:FlushBatchSize"] = $"{batchSize}",
        ["Likes:FlushIntervalMilliseconds"] = $"{intervalMilliseconds}",
        ["Likes:FlushLeaseSeconds"] = "2",
    };
}
