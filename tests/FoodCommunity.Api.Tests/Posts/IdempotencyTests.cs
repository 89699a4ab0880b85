using System.Net;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Posts;

/// <summary>An Idempotency-Key is recorded in the post's own transaction: no failure elsewhere can let a retry post twice.</summary>
public sealed class IdempotencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARetry_AfterRedisLostEverything_StillReturnsTheFirstPost()
    {
        var author = await _client.RegisterAsync();
        var key = await TestImages.UploadAsync(api, author.User.Id);
        var idempotencyKey = Guid.NewGuid().ToString();
        using var first = await _client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key } }, idempotencyKey);

        // What a Redis failover or restart right after the commit would leave: none of this class's keys.
        var redis = api.GetService<IConnectionMultiplexer>();
        // Every primary's keys: on a cluster each holds some of the slots.
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var stale in server.KeysAsync(pattern: $"{api.Isolation.RedisKeyPrefix}*"))
            {
                await redis.GetDatabase().KeyDeleteAsync(stale);
            }
        }

        using var retry = await _client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key } }, idempotencyKey);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal((await first.ReadJsonAsync()).GetProperty("id").GetString(), (await retry.ReadJsonAsync()).GetProperty("id").GetString());
        Assert.Equal(1, await CountPostsByAsync(author.User.Id));
    }

    [Fact]
    public async Task ConcurrentRequestsWithOneKey_AllAnswerTheSamePost_AndOneIsCreated()
    {
        var author = await _client.RegisterAsync();
        var key = await TestImages.UploadAsync(api, author.User.Id);
        var idempotencyKey = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await _client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key } }, idempotencyKey);
            return (response.StatusCode, Id: (await response.ReadJsonAsync()).GetProperty("id").GetString());
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(responses.Select(r => r.Id).Distinct());
        Assert.Equal(1, await CountPostsByAsync(author.User.Id));
    }

    [Fact]
    public async Task TheSameKey_FromAnotherUser_IsAnotherRequest()
    {
        var one = await _client.RegisterAsync();
        var two = await _client.RegisterAsync();
        var idempotencyKey = Guid.NewGuid().ToString();

        using var first = await _client.TryCreatePostAsync(one.AccessToken, new { imageKeys = new[] { await TestImages.UploadAsync(api, one.User.Id) } }, idempotencyKey);
        using var second = await _client.TryCreatePostAsync(two.AccessToken, new { imageKeys = new[] { await TestImages.UploadAsync(api, two.User.Id) } }, idempotencyKey);

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.NotEqual((await first.ReadJsonAsync()).GetProperty("id").GetString(), (await second.ReadJsonAsync()).GetProperty("id").GetString());
    }

    private async Task<int> CountPostsByAsync(string userId)
    {
        using var scope = api.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>().Posts.CountAsync(p => p.AuthorId == Guid.Parse(userId), Ct);
    }
}
