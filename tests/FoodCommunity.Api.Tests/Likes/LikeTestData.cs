using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Tests.Infrastructure;
using FoodCommunity.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Likes;

/// <summary>Many users with real access tokens, fast: rows written directly, tokens signed by the API's own issuer.</summary>
public static class LikeTestData
{
    public static async Task<List<(Guid Id, string Token)>> CreateUsersAsync(ApiFactory api, int count)
    {
        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        var tokens = scope.ServiceProvider.GetRequiredService<AccessTokens>();
        var now = DateTimeOffset.UtcNow;
        var users = Enumerable.Range(0, count).Select(_ =>
        {
            var name = ApiClient.NewUsername("liker");
            return new User
            {
                Username = name, Email = $"{name}@example.com", EmailNormalized = $"{name}@example.com",
                PasswordHash = "unused", DisplayName = name, CreatedAt = now, UpdatedAt = now,
            };
        }).ToList();
        db.Users.AddRange(users);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return users.Select(u => (u.Id, tokens.Issue(u.Id))).ToList();
    }

    /// <summary>The like rows MySQL holds for the post, and its like_count.</summary>
    public static async Task<(HashSet<Guid> Likers, int Count)> ReadMySqlAsync(ApiFactory api, Guid postId)
    {
        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        var likers = await ReadMySqlLikersAsync(api, postId);
        var count = await db.Posts.AsNoTracking().Where(p => p.Id == postId).Select(p => p.LikeCount).SingleAsync(TestContext.Current.CancellationToken);
        return (likers.ToHashSet(), count);
    }

    /// <summary>The like rows MySQL holds for a post that may no longer exist.</summary>
    public static async Task<List<Guid>> ReadMySqlLikersAsync(ApiFactory api, Guid postId)
    {
        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        return await db.PostLikes.AsNoTracking().Where(l => l.PostId == postId).Select(l => l.UserId).ToListAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The post's like state in Redis: likers and count, or null when not loaded.</summary>
    public static async Task<(HashSet<Guid> Likers, long Count)?> ReadRedisAsync(ApiFactory api, Guid postId)
    {
        var keys = api.Services.GetRequiredService<RedisKeys>();
        var shards = api.Services.GetRequiredService<IOptions<LikeOptions>>().Value.Shards;
        var entries = await api.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase()
            .HashGetAllAsync(keys.LikeState(postId, RedisKeys.LikeShard(postId, shards)));
        if (entries.Length == 0)
        {
            return null;
        }

        var count = (long)entries.Single(e => e.Name == LikeStore.CountField).Value;
        return (entries.Where(e => e.Name != LikeStore.CountField).Select(e => Guid.ParseExact((string)e.Name!, "N")).ToHashSet(), count);
    }

    public static Task EvictAsync(ApiFactory api, Guid postId)
    {
        var keys = api.Services.GetRequiredService<RedisKeys>();
        var shards = api.Services.GetRequiredService<IOptions<LikeOptions>>().Value.Shards;
        return api.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase()
            .KeyDeleteAsync(keys.LikeState(postId, RedisKeys.LikeShard(postId, shards)));
    }

    /// <summary>Polls until MySQL holds exactly the expected likers (with a matching like_count), or fails at the deadline.</summary>
    public static async Task WaitForMySqlAsync(ApiFactory api, Guid postId, IReadOnlySet<Guid> expected, TimeSpan? timeout = null)
    {
        var (likers, count) = await Eventually.AnswerAsync(() => ReadMySqlAsync(api, postId),
            mysql => mysql.Likers.SetEquals(expected) && mysql.Count == expected.Count,
            timeout ?? TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.True(likers.SetEquals(expected) && count == expected.Count,
            $"post {postId}: MySQL has {likers.Count} like rows and like_count {count}; expected {expected.Count}");
    }
}
