using System.Net;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Tests.Infrastructure;
using FoodCommunity.Api.Tests.Likes;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Users;

/// <summary>
/// DELETE /api/v1/me: the account leaves every read at once; its content is erased in the background,
/// with other people's counters exact, also when the instance erasing it stops half-way.
/// </summary>
public sealed class AccountDeletionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string?> QuickErasure = new()
    {
        ["Accounts:LikeSettleSeconds"] = "1",
        ["Accounts:ErasureIntervalSeconds"] = "1",
        ["Accounts:ErasureLeaseSeconds"] = "3",
        ["Accounts:UsernameHold"] = "00:00:02",
    };

    [Fact]
    public async Task DeletingAnAccount_HidesItAtOnce_AndErasesEverything_EvenWhenTheErasingInstanceStopsHalfWay()
    {
        await using var first = ApiFactory.WithOwnState(QuickErasure);
        await first.InitializeAsync();
        using var client = first.CreateClient();
        var doomed = await client.RegisterAsync();
        var friend = await client.RegisterAsync();
        var doomedPost = await client.CreatePostAsync(first, doomed, "bye #leaving");
        var friendPost = await client.CreatePostAsync(first, friend, "hello");
        var avatar = await TestImages.UploadAsync(first, doomed.User.Id);
        await client.ExpectStatusAsync(HttpMethod.Patch, "/api/v1/me", doomed, HttpStatusCode.OK, new { avatarKey = avatar });
        await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/posts/{doomedPost}/like", friend, HttpStatusCode.OK);
        await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/posts/{friendPost}/like", doomed, HttpStatusCode.OK);
        await client.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{friendPost}/comments", doomed, HttpStatusCode.Created, new { text = "nice" });
        await client.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{doomedPost}/comments", friend, HttpStatusCode.Created, new { text = "will miss you" });
        await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{friend.User.Id}/follow", doomed, HttpStatusCode.NoContent);
        await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{doomed.User.Id}/follow", friend, HttpStatusCode.NoContent);
        await client.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{friendPost}/reports", doomed, HttpStatusCode.Accepted, new { reason = "test" });
        await LikeTestData.WaitForMySqlAsync(first, Guid.Parse(friendPost), new HashSet<Guid> { Guid.Parse(doomed.User.Id) });
        var imageKey = await first.ScalarTextAsync($"SELECT image_key FROM post_images WHERE post_id = UNHEX(REPLACE('{doomedPost}', '-', ''))");

        await client.ExpectStatusAsync(HttpMethod.Delete, "/api/v1/me", doomed, HttpStatusCode.Forbidden, new { password = "not the password" });
        await client.ExpectStatusAsync(HttpMethod.Delete, "/api/v1/me", doomed, HttpStatusCode.Accepted, new { password = ApiClient.Password });

        // At once: no session, no token, no trace in any read.
        await client.ExpectStatusAsync(HttpMethod.Get, "/api/v1/me", doomed, HttpStatusCode.Unauthorized);
        using (var refresh = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = doomed.RefreshToken }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }

        await client.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/users/{doomed.User.Username}", friend, HttpStatusCode.NotFound);
        Assert.DoesNotContain(doomedPost, await client.ReadAllPagesAsync("/api/v1/feed/latest", friend.AccessToken));
        using (var comments = await client.GetAsync($"/api/v1/posts/{friendPost}/comments", friend.AccessToken))
        {
            Assert.Empty((await comments.ReadJsonAsync()).GetProperty("items").EnumerateArray());
        }

        // The instance erasing it stops half-way; another takes over once its lease lapses.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        var isolation = first.Isolation;
        await first.DisposeAsync();
        await using var second = ApiFactory.SharingState(isolation, QuickErasure);
        await second.InitializeAsync();
        // The host (and with it the erasure worker) starts with its first use.
        _ = second.Services;
        var done = await Eventually.AnswerAsync(
            () => second.ScalarAsync($"SELECT COUNT(*) FROM account_erasures WHERE completed_at IS NOT NULL"), n => n == 1, TimeSpan.FromSeconds(60));
        Assert.Equal(1, done);

        var doomedId = $"UNHEX(REPLACE('{doomed.User.Id}', '-', ''))";
        var friendId = $"UNHEX(REPLACE('{friend.User.Id}', '-', ''))";
        foreach (var (what, sql) in new[]
        {
            ("user row", $"SELECT COUNT(*) FROM users WHERE id = {doomedId}"),
            ("posts", $"SELECT COUNT(*) FROM posts WHERE author_id = {doomedId}"),
            ("comments", $"SELECT COUNT(*) FROM comments WHERE author_id = {doomedId}"),
            ("likes", $"SELECT COUNT(*) FROM post_likes WHERE user_id = {doomedId}"),
            ("follows", $"SELECT COUNT(*) FROM follows WHERE follower_id = {doomedId} OR followee_id = {doomedId}"),
            ("reports", $"SELECT COUNT(*) FROM post_reports WHERE reporter_id = {doomedId}"),
            ("the friend's like count", $"SELECT like_count FROM posts WHERE id = UNHEX(REPLACE('{friendPost}', '-', ''))"),
            ("the friend's comment count", $"SELECT comment_count FROM posts WHERE id = UNHEX(REPLACE('{friendPost}', '-', ''))"),
            ("the friend's followers", $"SELECT follower_count FROM users WHERE id = {friendId}"),
            ("the friend's following", $"SELECT following_count FROM users WHERE id = {friendId}"),
        })
        {
            Assert.True(await second.ScalarAsync(sql) == 0, $"{what} left after the erasure");
        }

        Assert.DoesNotContain(Guid.Parse(doomed.User.Id), (await LikeTestData.ReadRedisAsync(second, Guid.Parse(friendPost)))?.Likers ?? []);
        var redis = second.GetService<IConnectionMultiplexer>();
        Assert.False(await redis.GetDatabase().KeyExistsAsync(second.GetService<RedisKeys>().UserSessions(Guid.Parse(doomed.User.Id))));
        await TestImages.WaitUntilGoneAsync(second, imageKey, TimeSpan.FromSeconds(30));
        await TestImages.WaitUntilGoneAsync(second, avatar, TimeSpan.FromSeconds(30));
        // After the hold, the username is free again.
        using var secondClient = second.CreateClient();
        await secondClient.RegisterAsync(doomed.User.Username);
    }
}
