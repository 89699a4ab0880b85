using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Auth;

/// <summary>
/// What anonymous requests can make Redis hold: with noeviction, a Redis filled by strangers refuses
/// like and session writes. No client-chosen string longer than its documented limit may become a
/// key or a value; long identifiers are hashed.
/// </summary>
public sealed class AnonymousRedisFootprintTests
{
    private const int Attempts = 1000;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AThousandMaximalSignInSignUpAndRefreshAttempts_GrowRedisByLessThanAMegabyte()
    {
        await using var api = ApiFactory.WithOwnState();
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var taken = await client.RegisterAsync();
        var redis = api.Services.GetRequiredService<IConnectionMultiplexer>();
        var before = await FootprintAsync(redis, api.Isolation.RedisKeyPrefix);

        var longest = new string('x', 64 * 1024);
        await Parallel.ForEachAsync(Enumerable.Range(0, Attempts), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, _) =>
        {
            var (path, body, expected) = (i % 4) switch
            {
                // A login far past any account name, and one at the longest an address may be.
                0 => ("/api/v1/auth/login", (object)new { login = $"{i}{longest}", password = "wrong password!" }, HttpStatusCode.BadRequest),
                1 => ("/api/v1/auth/login", new { login = $"{i}@{new string('d', 240)}.example", password = "wrong password!" }, HttpStatusCode.Unauthorized),
                // A sign-up for a taken name with every other field at its limit.
                2 => ("/api/v1/auth/register", new
                {
                    username = taken.User.Username,
                    email = $"{i}@{new string('e', 240)}.example",
                    password = new string('p', 128),
                    displayName = new string('n', 50),
                }, HttpStatusCode.Conflict),
                // A well-formed refresh token of a family that does not exist, each its own.
                _ => ("/api/v1/auth/refresh", new { refreshToken = ForgedRefreshToken() }, HttpStatusCode.Unauthorized),
            };
            using var response = await client.PostJsonAsync(path, body);
            Assert.Equal(expected, response.StatusCode);
        });

        var grown = await FootprintAsync(redis, api.Isolation.RedisKeyPrefix) - before;
        TestContext.Current.TestOutputHelper?.WriteLine($"Redis grew by {grown:N0} bytes for {Attempts} attempts");
        Assert.InRange(grown, 0, 1024 * 1024);
    }

    private static string ForgedRefreshToken() =>
        Convert.ToBase64String([.. Guid.CreateVersion7().ToByteArray(bigEndian: true), .. new byte[32]])
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Bytes Redis holds for every key of this test's prefix (MEMORY USAGE: key, value and overhead).</summary>
    private static async Task<long> FootprintAsync(IConnectionMultiplexer redis, string prefix)
    {
        long total = 0;
        var database = redis.GetDatabase();
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(pattern: $"{prefix}*", pageSize: 1000))
            {
                total += (long)await database.ExecuteAsync("MEMORY", "USAGE", key);
            }
        }

        return total;
    }
}
