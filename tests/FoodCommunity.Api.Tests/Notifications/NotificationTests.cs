using System.Net;
using System.Text.Json;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Notifications;

/// <summary>Notifications end to end across two instances: grouped likes from the like buffer's stream, comments, follows, mentions.</summary>
public sealed class NotificationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALikeStorm_IsOneGroupedNotification_AnUnlikeTakesItsActorOut_AndReadMarksCount()
    {
        await using var first = ApiFactory.WithOwnState();
        await first.InitializeAsync();
        await using var second = await ApiFactory.SharingStateWithAsync(first);
        using var one = first.CreateClient();
        using var other = second.CreateClient();
        var author = await one.RegisterAsync();
        var postId = await one.CreatePostAsync(first, author);
        var fans = new List<TokenResponse>();
        for (var i = 0; i < 6; i++)
        {
            fans.Add(await one.RegisterAsync());
        }

        await Task.WhenAll(fans.Select((fan, i) => (i % 2 == 0 ? one : other).ExpectStatusAsync(HttpMethod.Put, $"/api/v1/posts/{postId}/like", fan, HttpStatusCode.OK)));
        await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/posts/{postId}/like", author, HttpStatusCode.OK);

        var grouped = await Eventually.AnswerAsync(() => ListAsync(other, author), n => n.Count == 1 && n[0].GetProperty("actorCount").GetInt64() == 6, TimeSpan.FromSeconds(20));
        Assert.Single(grouped);
        Assert.Equal("like", grouped[0].GetProperty("type").GetString());
        Assert.Equal(3, grouped[0].GetProperty("actors").GetArrayLength());
        Assert.Equal(postId, grouped[0].GetProperty("post").GetProperty("id").GetString());
        Assert.False(grouped[0].GetProperty("read").GetBoolean());
        Assert.Equal(1, await UnreadAsync(one, author));

        await other.ExpectStatusAsync(HttpMethod.Delete, $"/api/v1/posts/{postId}/like", fans[0], HttpStatusCode.OK);
        var afterUnlike = await Eventually.AnswerAsync(() => ListAsync(one, author), n => n.Count == 1 && n[0].GetProperty("actorCount").GetInt64() == 5, TimeSpan.FromSeconds(20));
        Assert.Equal(5, afterUnlike[0].GetProperty("actorCount").GetInt64());
        Assert.DoesNotContain(afterUnlike[0].GetProperty("actors").EnumerateArray(), a => a.GetProperty("id").GetString() == fans[0].User.Id);

        await one.ExpectStatusAsync(HttpMethod.Post, "/api/v1/notifications/read", author, HttpStatusCode.NoContent, new { upTo = afterUnlike[0].GetProperty("id").GetString() });
        Assert.Equal(0, await UnreadAsync(other, author));
        Assert.True((await ListAsync(other, author))[0].GetProperty("read").GetBoolean());
    }

    [Fact]
    public async Task CommentsFollowsAndMentions_Notify_NeverForOnesOwnActionsOrFromABlockedUser_AndADeletedPostTakesItsOwn()
    {
        await using var api = ApiFactory.WithOwnState();
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var friend = await client.RegisterAsync();
        var mentioned = await client.RegisterAsync();
        var blocked = await client.RegisterAsync();
        var postId = await client.CreatePostAsync(api, author, "lunch");
        await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{blocked.User.Id}/block", author, HttpStatusCode.NoContent);

        await client.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/comments", friend, HttpStatusCode.Created, new { text = $"looks great @{mentioned.User.Username}" });
        await client.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/comments", author, HttpStatusCode.Created, new { text = "thanks!" });
        await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{author.User.Id}/follow", friend, HttpStatusCode.NoContent);
        await client.CreatePostAsync(api, blocked, $"hey @{author.User.Username}");
        await client.CreatePostAsync(api, friend, $"with @{author.User.Username} today");

        var forAuthor = await ListAsync(client, author);
        Assert.Equal(["mention", "follow", "comment"], forAuthor.Select(n => n.GetProperty("type").GetString()));
        Assert.All(forAuthor, n => Assert.Equal(friend.User.Id, n.GetProperty("actors")[0].GetProperty("id").GetString()));
        Assert.Equal($"looks great @{mentioned.User.Username}", forAuthor[2].GetProperty("comment").GetProperty("text").GetString());
        var forMentioned = await ListAsync(client, mentioned);
        Assert.Equal("mention", Assert.Single(forMentioned).GetProperty("type").GetString());
        Assert.Empty(await ListAsync(client, friend));

        await client.ExpectStatusAsync(HttpMethod.Delete, $"/api/v1/posts/{postId}", author, HttpStatusCode.NoContent);

        Assert.Equal(["mention", "follow"], (await ListAsync(client, author)).Select(n => n.GetProperty("type").GetString()));
        Assert.Empty(await ListAsync(client, mentioned));
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, TokenResponse user)
    {
        using var response = await client.GetAsync("/api/v1/notifications", user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray()];
    }

    private static async Task<long> UnreadAsync(HttpClient client, TokenResponse user)
    {
        using var response = await client.GetAsync("/api/v1/notifications/unread-count", user.AccessToken);
        return (await response.ReadJsonAsync()).GetProperty("count").GetInt64();
    }
}
