using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>The API's own clients reach the real services: each is written to and read back.</summary>
public sealed class FoundationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Migrations_CreateTheSchema_AndRecordEachInTheHistoryTable()
    {
        await using var connection = new MySqlConnection(api.MySqlConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var history = new MySqlCommand("SELECT MigrationId FROM __ef_migrations_history ORDER BY MigrationId", connection);
        var applied = new List<string>();
        await using (var reader = await history.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                applied.Add(reader.GetString(0));
            }
        }

        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        Assert.Equal(db.Database.GetMigrations(), applied);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UserRow_IsWrittenAndReadBack_WithIdsThatSortByCreationTime()
    {
        var ct = TestContext.Current.CancellationToken;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var start = DateTimeOffset.UtcNow;
        // UUIDv7 orders by its millisecond timestamp (ids minted within one millisecond are in random order).
        var users = Enumerable.Range(0, 3).Select(i => new User
        {
            Id = Guid.CreateVersion7(start.AddMilliseconds(i)),
            Username = $"u{i}_{suffix}",
            Email = $"U{i}.{suffix}@Example.com",
            EmailNormalized = $"u{i}.{suffix}@example.com",
            PasswordHash = "not-a-real-hash",
            DisplayName = $"User {i}",
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        }).ToList();

        using (var scope = api.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
            db.Users.AddRange(users[2], users[0], users[1]);
            await db.SaveChangesAsync(ct);
        }

        using (var scope = api.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
            // Ordered by the BINARY(16) column in MySQL, not in memory: UUIDv7 bytes must sort by time.
            var readBack = await db.Users.AsNoTracking()
                .Where(u => u.Username.EndsWith(suffix))
                .OrderBy(u => u.Id)
                .ToListAsync(ct);
            Assert.Equal(users.Select(u => u.Id), readBack.Select(u => u.Id));
            Assert.Equal(users[1].EmailNormalized, readBack[1].EmailNormalized);
            Assert.Equal(users[1].CreatedAt, readBack[1].CreatedAt, TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task UniqueUsernameIndex_RejectsASecondRowWithTheSameName()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = $"dup_{Guid.NewGuid():N}"[..20];
        User Make(string email) => new()
        {
            Username = name, Email = email, EmailNormalized = email, PasswordHash = "x", DisplayName = "x",
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        };

        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        db.Users.Add(Make($"{name}@a.example"));
        await db.SaveChangesAsync(ct);
        db.Users.Add(Make($"{name}@b.example"));

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        Assert.Equal(MySqlErrorCode.DuplicateKeyEntry, Assert.IsType<MySqlException>(error.InnerException).ErrorCode);
    }

    [Fact]
    public async Task Redis_RoundTripsAValue_ThroughTheApisMultiplexer()
    {
        var redis = api.GetService<IConnectionMultiplexer>().GetDatabase();
        var key = $"{api.Isolation.RedisKeyPrefix}roundtrip";

        await redis.StringSetAsync(key, "hello", TimeSpan.FromMinutes(1));

        Assert.Equal("hello", (string?)await redis.StringGetAsync(key));
        Assert.True(await redis.KeyTimeToLiveAsync(key) > TimeSpan.Zero);
    }

    [Fact]
    public async Task S3_PutsAnObject_AndReadsItBackByteForByte_ThroughTheApisClient()
    {
        var ct = TestContext.Current.CancellationToken;
        var s3 = api.GetService<IAmazonS3>();
        var bytes = Encoding.UTF8.GetBytes($"round trip {Guid.NewGuid()}");

        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = api.Isolation.BucketName,
            Key = "foundation/roundtrip.txt",
            InputStream = new MemoryStream(bytes),
            ContentType = "text/plain",
            UseChunkEncoding = false,
        }, ct);
        using var response = await s3.GetObjectAsync(api.Isolation.BucketName, "foundation/roundtrip.txt", ct);
        using var read = new MemoryStream();
        await response.ResponseStream.CopyToAsync(read, ct);

        Assert.Equal(bytes, read.ToArray());
        Assert.Equal("text/plain", response.Headers.ContentType);
    }
}
