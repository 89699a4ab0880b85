using System.Net;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Users;

/// <summary>After A blocks B, neither sees nor reaches the other anywhere, on any instance; an unblock undoes it but for follows.</summary>
public sealed class BlockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABlock_HidesEachFromTheOther_InEveryReadAndInteraction_OnEveryInstance_AndAnUnblockRestoresAllButFollows()
    {
        await using var first = ApiFactory.WithOwnState();
        await first.InitializeAsync();
        await using var second = await ApiFactory.SharingStateWithAsync(first);
        using var one = first.CreateClient();
        using var other = second.CreateClient();
        var a = await one.RegisterAsync();
        var b = await one.RegisterAsync();
        var c = await one.RegisterAsync();
        var postA = await one.CreatePostAsync(first, a);
        var postB = await one.CreatePostAsync(first, b);
        var postC = await one.CreatePostAsync(first, c);
        await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{b.User.Id}/follow", a, HttpStatusCode.NoContent);
        await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{a.User.Id}/follow", b, HttpStatusCode.NoContent);
        foreach (var user in new[] { a, b })
        {
            await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{c.User.Id}/follow", user, HttpStatusCode.NoContent);
            await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{postC}/comments", user, HttpStatusCode.Created, new { text = $"from {user.User.Username}" });
        }

        // The block goes to one instance; every read below goes to the other.
        await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{b.User.Id}/block", a, HttpStatusCode.NoContent);
        await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{b.User.Id}/block", a, HttpStatusCode.NoContent);

        foreach (var (me, them, theirPost) in new[] { (a, b, postB), (b, a, postA) })
        {
            await other.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/users/{them.User.Username}", me, HttpStatusCode.NotFound);
            await other.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/posts/{theirPost}", me, HttpStatusCode.NotFound);
            await other.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/posts/{theirPost}/comments", me, HttpStatusCode.NotFound);
            await other.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/users/{them.User.Id}/followers", me, HttpStatusCode.NotFound);
            await other.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/users/{them.User.Id}/following", me, HttpStatusCode.NotFound);
            Assert.DoesNotContain(theirPost, await other.ReadAllPagesAsync("/api/v1/feed/latest", me.AccessToken));
            Assert.DoesNotContain(theirPost, await other.ReadAllPagesAsync("/api/v1/feed/home", me.AccessToken));
            Assert.DoesNotContain(theirPost, await other.ReadAllPagesAsync($"/api/v1/users/{them.User.Id}/posts", me.AccessToken));
            Assert.Equal([me.User.Id], await IdsAsync(other, $"/api/v1/users/{c.User.Id}/followers", me, "id"));
            Assert.Equal([$"from {me.User.Username}"], await IdsAsync(other, $"/api/v1/posts/{postC}/comments", me, "text"));
            await other.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{them.User.Id}/follow", me, HttpStatusCode.NotFound);
            await other.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/posts/{theirPost}/like", me, HttpStatusCode.NotFound);
            await other.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{theirPost}/comments", me, HttpStatusCode.NotFound, new { text = "hello?" });
        }

        // Follows ended both ways, counters right; strangers still see both.
        foreach (var user in new[] { a, b })
        {
            var profile = await ProfileAsync(other, user.User.Username, c);
            Assert.Equal((1, 0), (profile.GetProperty("followingCount").GetInt32(), profile.GetProperty("followerCount").GetInt32()));
        }

        Assert.Contains(postB, await other.ReadAllPagesAsync("/api/v1/feed/latest", c.AccessToken));
        Assert.Equal([b.User.Id], await IdsAsync(other, "/api/v1/me/blocks", a, "id"));
        Assert.Empty(await IdsAsync(other, "/api/v1/me/blocks", b, "id"));

        await one.ExpectStatusAsync(HttpMethod.Delete, $"/api/v1/users/{b.User.Id}/block", a, HttpStatusCode.NoContent);

        await other.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/users/{b.User.Username}", a, HttpStatusCode.OK);
        await other.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/posts/{postA}", b, HttpStatusCode.OK);
        Assert.Contains(postB, await other.ReadAllPagesAsync("/api/v1/feed/latest", a.AccessToken));
        Assert.Empty(await IdsAsync(other, "/api/v1/me/blocks", a, "id"));
        // Follows are not restored: A follows only C.
        Assert.Equal(1, (await ProfileAsync(other, a.User.Username, c)).GetProperty("followingCount").GetInt32());
    }

    [Fact]
    public async Task BlockingYourself_Is400_AndAnUnknownUser_Is404()
    {
        await using var api = ApiFactory.WithOwnState();
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var me = await client.RegisterAsync();

        await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{me.User.Id}/block", me, HttpStatusCode.BadRequest);
        await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{Guid.CreateVersion7()}/block", me, HttpStatusCode.NotFound);
    }

    private static async Task<List<string>> IdsAsync(HttpClient client, string path, TokenResponse caller, string field)
    {
        using var response = await client.GetAsync(path, caller.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(item => item.GetProperty(field).GetString()!)];
    }

    private static async Task<System.Text.Json.JsonElement> ProfileAsync(HttpClient client, string username, TokenResponse caller)
    {
        using var response = await client.GetAsync($"/api/v1/users/{username}", caller.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }
}
