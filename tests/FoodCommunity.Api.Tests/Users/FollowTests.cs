using System.Net;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FoodCommunity.Api.Tests.Users;

public sealed class FollowTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Follow_IsIdempotent_AndKeepsBothCountersExact()
    {
        var fan = await _client.RegisterAsync();
        var chef = await _client.RegisterAsync();

        using var first = await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{chef.User.Id}/follow", fan.AccessToken);
        using var second = await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{chef.User.Id}/follow", fan.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        Assert.Equal((0, 1), await CountsAsync(chef.User.Id));
        Assert.Equal((1, 0), await CountsAsync(fan.User.Id));

        using var unfollow = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/users/{chef.User.Id}/follow", fan.AccessToken);
        using var unfollowAgain = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/users/{chef.User.Id}/follow", fan.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, unfollow.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, unfollowAgain.StatusCode);
        Assert.Equal((0, 0), await CountsAsync(chef.User.Id));
        Assert.Equal((0, 0), await CountsAsync(fan.User.Id));
    }

    [Fact]
    public async Task Follow_Concurrently_CountsOnce()
    {
        var fan = await _client.RegisterAsync();
        var chef = await _client.RegisterAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{chef.User.Id}/follow", fan.AccessToken)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        // Both sides counted once, one row, and each list shows it once.
        Assert.Equal((0, 1), await CountsAsync(chef.User.Id));
        Assert.Equal((1, 0), await CountsAsync(fan.User.Id));
        using (var scope = api.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
            Assert.Equal(1, await db.Follows.CountAsync(f => f.FollowerId == Guid.Parse(fan.User.Id) || f.FolloweeId == Guid.Parse(fan.User.Id), Ct));
        }

        Assert.Equal([fan.User.Id], await _client.ReadAllPagesAsync($"/api/v1/users/{chef.User.Id}/followers"));
        Assert.Equal([chef.User.Id], await _client.ReadAllPagesAsync($"/api/v1/users/{fan.User.Id}/following"));
    }

    [Fact]
    public async Task MutualFollows_AtTheSameTime_AllSucceed_WithExactCounters()
    {
        var pairs = new List<(FoodCommunity.Api.Auth.TokenResponse A, FoodCommunity.Api.Auth.TokenResponse B)>();
        for (var i = 0; i < 8; i++)
        {
            pairs.Add((await _client.RegisterAsync(), await _client.RegisterAsync()));
        }

        var responses = await Task.WhenAll(pairs.SelectMany(p => new[]
        {
            _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{p.B.User.Id}/follow", p.A.AccessToken),
            _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{p.A.User.Id}/follow", p.B.AccessToken),
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        foreach (var (a, b) in pairs)
        {
            Assert.Equal((1, 1), await CountsAsync(a.User.Id));
            Assert.Equal((1, 1), await CountsAsync(b.User.Id));
        }
    }

    [Fact]
    public async Task Follow_Yourself_Answers400_AndAnUnknownUser404_AndWithoutToken401()
    {
        var me = await _client.RegisterAsync();

        using var self = await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{me.User.Id}/follow", me.AccessToken);
        using var unknown = await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{Guid.CreateVersion7()}/follow", me.AccessToken);
        using var anonymous = await _client.PutAsync($"/api/v1/users/{me.User.Id}/follow", null, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal((0, 0), await CountsAsync(me.User.Id));
    }

    [Fact]
    public async Task FollowersAndFollowing_ArePaginatedNewestFirst_WithFollowedByMe()
    {
        var chef = await _client.RegisterAsync();
        var fans = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var fan = await _client.RegisterAsync();
            using (await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{chef.User.Id}/follow", fan.AccessToken))
            {
            }

            fans.Add(fan.User.Id);
        }

        var viewer = await _client.RegisterAsync();
        using (await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{fans[3]}/follow", viewer.AccessToken))
        {
        }

        var followers = await _client.ReadAllPagesAsync($"/api/v1/users/{chef.User.Id}/followers", viewer.AccessToken, limit: 3);
        var following = await _client.ReadAllPagesAsync($"/api/v1/users/{fans[0]}/following", limit: 3);
        using var page = await _client.GetAsync($"/api/v1/users/{chef.User.Id}/followers?limit=50", viewer.AccessToken);

        Assert.Equal(Enumerable.Reverse(fans), followers);
        Assert.Equal([chef.User.Id], following);
        var flags = (await page.ReadJsonAsync()).GetProperty("items").EnumerateArray()
            .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("followedByMe").GetBoolean());
        Assert.True(flags[fans[3]]);
        Assert.Single(flags, f => f.Value);
    }

    [Fact]
    public async Task Profile_ShowsFollowedByMe_ForTheCaller()
    {
        var fan = await _client.RegisterAsync();
        var chef = await _client.RegisterAsync();
        using (await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{chef.User.Id}/follow", fan.AccessToken))
        {
        }

        using var asFan = await _client.GetAsync($"/api/v1/users/{chef.User.Username}", fan.AccessToken);
        using var anonymous = await _client.GetAsync($"/api/v1/users/{chef.User.Username}", Ct);

        Assert.True((await asFan.ReadJsonAsync()).GetProperty("followedByMe").GetBoolean());
        Assert.False((await anonymous.ReadJsonAsync()).GetProperty("followedByMe").GetBoolean());
    }

    private async Task<(int Following, int Followers)> CountsAsync(string userId)
    {
        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == Guid.Parse(userId), Ct);
        return (user.FollowingCount, user.FollowerCount);
    }
}
