using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Tests.Infrastructure;
using FoodCommunity.Api.Tests.Likes;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Feeds;

/// <summary>The popular snapshot is built by one instance at a time; the others serve the previous one.</summary>
public sealed class PopularSnapshotTests
{
    [Fact]
    public async Task ManyInstancesAskingAtOnce_BuildTheDueSnapshotOnce()
    {
        // An hour per snapshot: the background builders leave the due one alone after their first round.
        var hourly = new Dictionary<string, string?> { ["Feeds:PopularSnapshotSeconds"] = "3600" };
        await using var first = ApiFactory.WithOwnState(hourly);
        await first.InitializeAsync();
        await using var second = await ApiFactory.SharingStateWithAsync(first, hourly);
        // Both instances up, their first background round done; the next one is 5 s away.
        _ = second.Services;
        await WaitForAPointerAsync(first);
        await ForgetSnapshotsAsync(first);

        var builders = new[] { first, second }.Select(api => api.GetService<PopularSnapshotBuilder>()).ToArray();
        var built = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => builders[i % 2].BuildIfDueAsync())));

        Assert.Single(built, b => b);
        Assert.Equal(first.GetService<PopularRanking>().DueSnapshot, await first.GetService<PopularRanking>().NewestSnapshotAsync());
    }

    [Fact]
    public async Task ARequestServesTheNewestSnapshot_WithoutBuildingOne()
    {
        var hourly = new Dictionary<string, string?> { ["Feeds:PopularSnapshotSeconds"] = "3600" };
        await using var api = ApiFactory.WithOwnState(hourly);
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var fan = (await LikeTestData.CreateUsersAsync(api, 1))[0];
        var postId = await client.CreatePostAsync(api, author);
        var ranking = api.GetService<PopularRanking>();
        await WaitForAPointerAsync(api);
        await ForgetSnapshotsAsync(api);
        // The snapshot being served is an earlier one, taken before the like, while "another instance"
        // holds the build lease (so no background round of this one builds the due snapshot meanwhile).
        await ranking.BuildAsync(ranking.DueSnapshot - 1);
        var redis = api.GetService<IConnectionMultiplexer>().GetDatabase();
        var lease = api.GetService<RedisKeys>().PopularBuildLease();
        await redis.StringSetAsync(lease, "another instance", TimeSpan.FromSeconds(30));
        using (var like = await client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{postId}/like", fan.Token))
        {
            Assert.True(like.IsSuccessStatusCode);
        }

        var served = await client.ReadAllPagesAsync("/api/v1/feed/popular");
        await redis.KeyDeleteAsync(lease);
        Assert.True(await api.GetService<PopularSnapshotBuilder>().BuildIfDueAsync());
        var rebuilt = await client.ReadAllPagesAsync("/api/v1/feed/popular");

        Assert.Empty(served);
        Assert.Equal([postId], rebuilt);
    }

    private static async Task WaitForAPointerAsync(ApiFactory api)
    {
        var ranking = api.GetService<PopularRanking>();
        Assert.NotNull(await Eventually.AnswerAsync(ranking.NewestSnapshotAsync, newest => newest is not null, TimeSpan.FromSeconds(10)));
    }

    /// <summary>Removes the pointer and the due snapshot, as if none had been built yet.</summary>
    private static async Task ForgetSnapshotsAsync(ApiFactory api)
    {
        var keys = api.GetService<RedisKeys>();
        var due = api.GetService<PopularRanking>().DueSnapshot;
        await api.GetService<IConnectionMultiplexer>().GetDatabase().KeyDeleteAsync([keys.PopularPointer(), keys.PopularSnapshot(due)]);
    }
}
