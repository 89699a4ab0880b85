using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Users;
using FoodCommunity.Domain.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>
/// `FoodCommunity.Api seed-demo`: a few users who follow each other, posts with real (generated) PNG
/// images in the bucket, comments and likes, so a developer's client has something to show. Goes
/// through the same services as the API (likes through the Redis buffer, flushed when the API runs;
/// images through the image function, which must be running: scripts/dev.sh starts its local host).
/// Does nothing when the demo users exist already; refuses to run outside Development.
/// </summary>
internal static partial class DemoDataCommand
{
    public const string Password = "demo password";

    private static readonly (string Username, string DisplayName, string Caption, string[] Tags, (byte R, byte G, byte B) Color)[] Cooks =
    [
        ("demo_kimchi", "Kimchi Kim", "Three-week-old #kimchi, just right for #jjigae", ["korean"], (200, 40, 30)),
        ("demo_ramen", "Ramen Ryu", "Tonkotsu broth, 14 hours. #ramen #noodles", ["japanese"], (230, 200, 150)),
        ("demo_salad", "Green Grace", "Market haul salad #vegan #lunch", ["healthy"], (60, 160, 70)),
        ("demo_bakery", "Baker Bo", "Sourdough, 78% hydration #bread #baking", ["homemade"], (190, 140, 80)),
        ("demo_dessert", "Sweet Soo", "Bingsu season is back #dessert #bingsu", ["summer"], (240, 200, 220)),
    ];

    public static async Task<int> SeedDemoDataAsync(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoDataCommand));
        // Known users with a published password: in any shared environment, a way in for anyone.
        if (!app.Environment.IsDevelopment())
        {
            LogRefused(logger, app.Environment.EnvironmentName);
            return 1;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<FoodCommunityDbContext>();
        if (await db.Users.AnyAsync(u => u.Username == Cooks[0].Username))
        {
            LogAlreadySeeded(logger);
            return 0;
        }

        var passwords = services.GetRequiredService<Passwords>();
        var s3 = services.GetRequiredService<IAmazonS3>();
        var bucket = services.GetRequiredService<IOptions<StorageOptions>>().Value.BucketName;
        var writer = services.GetRequiredService<PostWriter>();
        var likes = services.GetRequiredService<LikeStore>();
        var now = DateTimeOffset.UtcNow;

        var users = Cooks.Select(c => new User
        {
            Username = c.Username,
            Email = $"{c.Username}@example.com",
            EmailNormalized = $"{c.Username}@example.com",
            PasswordHash = "",
            DisplayName = c.DisplayName,
            CreatedAt = now,
            UpdatedAt = now,
        }).ToList();
        foreach (var user in users)
        {
            user.PasswordHash = passwords.Hash(user, Password);
        }

        db.Users.AddRange(users);
        users.ForEach(user => Users.UserSearch.AddNew(db, user));
        foreach (var follower in users)
        {
            db.Follows.AddRange(users.Where(u => u != follower).Select(u => new Follow { FollowerId = follower.Id, FolloweeId = u.Id, CreatedAt = now }));
            follower.FollowingCount = follower.FollowerCount = users.Count - 1;
        }

        await db.SaveChangesAsync();

        var keys = new List<string>();
        for (var i = 0; i < Cooks.Length; i++)
        {
            var key = UploadKey.CreateNew(users[i].Id.ToString(), UploadPolicy.Png, now).Value;
            // As a presigned upload leaves it: tagged state=pending, for the image function to process.
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(SolidPng(1200, Cooks[i].Color)),
                ContentType = UploadPolicy.Png.ContentType,
                UseChunkEncoding = false,
                TagSet = [new Amazon.S3.Model.Tag { Key = UploadPolicy.PendingTagKey, Value = UploadPolicy.PendingTagValue }],
            });
            keys.Add(key);
        }

        var images = services.GetRequiredService<UploadedImages>();
        var posts = new List<Post>();
        for (var i = 0; i < Cooks.Length; i++)
        {
            var image = await WaitUntilProcessedAsync(images, keys[i], users[i].Id);
            await images.MarkAttachedAsync([image], CancellationToken.None);
            var (tags, _) = Domain.Posts.PostRules.CollectTags(Cooks[i].Tags, Cooks[i].Caption);
            var created = await writer.CreateAsync(users[i].Id, [image], Cooks[i].Caption, tags, idempotencyKeyHash: null, CancellationToken.None);
            posts.Add(((Posts.PostCreation.Created)created).Post);
        }

        db.ChangeTracker.Clear();
        foreach (var post in posts)
        {
            foreach (var fan in users.Where(u => u.Id != post.AuthorId).Take(3))
            {
                db.Comments.Add(new Comments.Comment { PostId = post.Id, AuthorId = fan.Id, Text = $"Looks delicious, {Cooks[users.FindIndex(u => u.Id == post.AuthorId)].DisplayName}!", CreatedAt = now });
                await likes.SetAsync(post.Id, fan.Id, liked: true, db, CancellationToken.None);
            }

            await db.Posts.Where(p => p.Id == post.Id).ExecuteUpdateAsync(p => p.SetProperty(x => x.CommentCount, 3));
        }

        await db.SaveChangesAsync();
        LogSeeded(logger, users.Count, posts.Count, Password);
        return 0;
    }

    /// <summary>Waits for the image function, as a client would after a 409; fails with what to start if it never comes.</summary>
    private static async Task<ProcessedImage> WaitUntilProcessedAsync(UploadedImages images, string key, Guid ownerId)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            switch (await images.CheckAsync(key, ownerId, CancellationToken.None))
            {
                case ImageCheck.Ready ready:
                    return ready.Image;
                case ImageCheck.Refused refused:
                    throw new InvalidOperationException($"The image function refused the demo image {key}: {refused.Problem}");
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"The demo image {key} was not processed within 60 s. Is the image function's local host running? " +
                    "`dotnet run --project src/FoodCommunity.Images.Lambda` (scripts/dev.sh starts it).");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>A square PNG of one colour: a real image any client can show, made without an imaging library.</summary>
    internal static byte[] SolidPng(int size, (byte R, byte G, byte B) color)
    {
        var scanline = 1 + (3 * size);
        var raw = new byte[size * scanline];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var at = (y * scanline) + 1 + (3 * x);
                (raw[at], raw[at + 1], raw[at + 2]) = color;
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, size);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "IDAT"u8, compressed.ToArray());
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(type);
        png.Write(data);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        png.Write(word);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "seed-demo runs only in Development (ASPNETCORE_ENVIRONMENT=Development), not in {Environment}: its users have a published password")]
    private static partial void LogRefused(ILogger logger, string environment);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data exists already; nothing to do")]
    private static partial void LogAlreadySeeded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Users} demo users and {Posts} posts; log in as demo_kimchi (or any demo_*) with the password \"{Password}\"")]
    private static partial void LogSeeded(ILogger logger, int users, int posts, string password);
}
