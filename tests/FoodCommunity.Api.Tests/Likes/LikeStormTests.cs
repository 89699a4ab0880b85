using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Likes;

/// <summary>
/// The like buffer under load and crashes: 200 users like and unlike 20 posts 20,000 times through the
/// HTTP API from many concurrent clients, while three instances flush and one of them is killed
/// mid-flight again and again. Afterwards MySQL, its counters and Redis all agree with what the
/// clients were told.
/// </summary>
public sealed class LikeStormTests
{
    private const int Users = 200;
    private const int Posts = 20;
    private const int Operations = 20_000;
    private const int Clients = 32;

    private static readonly Dictionary<string, string?> SmallFastBatches = FlushSettings.SmallAndFrequent();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Storm_WithAFlusherKilledRepeatedly_EndsWithMySqlAndRedisEqualToTheFinalLikes()
    {
        await using var first = ApiFactory.WithOwnState(SmallFastBatches);
        await first.InitializeAsync();
        await using var second = await ApiFactory.SharingStateWithAsync(first, SmallFastBatches);
        var third = await ApiFactory.SharingStateWithAsync(first, SmallFastBatches);
        _ = third.Services; // start its flusher

        using var setupClient = first.CreateClient();
        var author = await setupClient.RegisterAsync();
        var posts = new List<Guid>();
        for (var i = 0; i < Posts; i++)
        {
            posts.Add(Guid.Parse(await setupClient.CreatePostAsync(first, author)));
        }

        var users = await LikeTestData.CreateUsersAsync(first, Users);
        var clients = new[] { first.CreateClient(), second.CreateClient() };

        using var stopKilling = new CancellationTokenSource();
        var kills = 0;
        var killer = Task.Run(async () =>
        {
            while (!stopKilling.IsCancellationRequested)
            {
                await Task.Delay(Random.Shared.Next(300, 900), CancellationToken.None);
                // Disposing stops the host: the flusher is cancelled wherever it is (mid-transaction,
                // or between commit and trim), as a killed process would stop.
                await third.DisposeAsync();
                kills++;
                third = await ApiFactory.SharingStateWithAsync(first, SmallFastBatches);
                _ = third.Services;
            }
        }, CancellationToken.None);

        // Each client task owns a disjoint set of users, so every user's operations happen in order.
        var finalLikes = new Dictionary<(Guid Post, Guid User), bool>[Clients];
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            var mine = users.Where((_, i) => i % Clients == c).ToList();
            var state = finalLikes[c] = [];
            var random = new Random(c);
            for (var op = 0; op < Operations / Clients; op++)
            {
                var (userId, token) = mine[random.Next(mine.Count)];
                var postId = posts[random.Next(posts.Count)];
                var like = random.Next(3) != 0;
                using var response = await clients[op % 2].SendAsync(like ? HttpMethod.Put : HttpMethod.Delete, $"/api/v1/posts/{postId}/like", token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                state[(postId, userId)] = like;
            }
        }, Ct)));

        await stopKilling.CancelAsync();
        await killer;
        await third.DisposeAsync();

        var expected = posts.ToDictionary(p => p, _ => new HashSet<Guid>());
        foreach (var ((postId, userId), liked) in finalLikes.SelectMany(d => d))
        {
            if (liked)
            {
                expected[postId].Add(userId);
            }
        }

        Assert.True(kills >= 3, $"the flusher was killed only {kills} time(s)");
        foreach (var postId in posts)
        {
            await LikeTestData.WaitForMySqlAsync(first, postId, expected[postId], TimeSpan.FromSeconds(90));
            var redis = await LikeTestData.ReadRedisAsync(first, postId);
            Assert.NotNull(redis);
            Assert.True(redis.Value.Likers.SetEquals(expected[postId]), $"post {postId}: Redis disagrees");
            Assert.Equal(expected[postId].Count, redis.Value.Count);
        }
    }
}
