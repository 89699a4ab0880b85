extern alias presign;

using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FoodCommunity.Api.Tests.Infrastructure;
using FoodCommunity.Domain.Uploads;
using Microsoft.Extensions.Configuration;
using NetVips;
using PresignComposition = presign::FoodCommunity.Presign.Lambda.PresignComposition;
using PresignEvents = presign::FoodCommunity.Presign.Lambda.Events;

namespace FoodCommunity.Api.Tests.Posts;

/// <summary>The image path as a client lives it: presigned form, upload to S3, the image function, the post, the feed.</summary>
public sealed class ImagePipelineTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PresignUploadProcessPost_Answers409UntilProcessed_Then201_AndTheFeedServesRenditionsThatDownload()
    {
        await using var held = ApiFactory.WithImageProcessingHeld();
        await held.InitializeAsync();
        using var client = held.CreateClient();
        var author = await client.RegisterAsync();
        // A 12 MP phone photo, stored sideways (orientation 6), with a GPS position in its EXIF.
        var photo = PhoneJpegWithGps(4000, 3000);

        var form = await PresignAsync(held, author.User.Id, "image/jpeg", photo.Length);
        using (var http = new HttpClient())
        using (var upload = await http.PostAsync(form.Url, form.ToMultipart(photo), Ct))
        {
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync(Ct));
        }

        using (var early = await client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { form.Key }, caption = "fresh #kimbap" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), early.Headers.RetryAfter?.Delta);
            Assert.Contains(form.Key, await early.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        held.StartProcessingImages();
        // What a client does with a 409: wait Retry-After, ask again.
        var created = await Eventually.AnswerAsync(
            () => client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { form.Key }, caption = "fresh #kimbap" }),
            r => r.StatusCode != HttpStatusCode.Conflict, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        var postId = (await created.ReadJsonAsync()).GetProperty("id").GetString();

        using var feed = await client.GetAsync("/api/v1/feed/latest", Ct);
        var post = (await feed.ReadJsonAsync()).GetProperty("items").EnumerateArray().Single(p => p.GetProperty("id").GetString() == postId);
        var image = post.GetProperty("images")[0];
        Assert.Equal(form.Key, image.GetProperty("key").GetString());
        Assert.Equal((2048, 2731), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
        var variants = image.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal([320, 640, 1080, 2048], variants.Select(v => v.GetProperty("width").GetInt32()));
        Assert.Equal(variants[^1].GetProperty("url").GetString(), image.GetProperty("url").GetString());
        using var downloads = new HttpClient();
        foreach (var variant in variants)
        {
            var url = variant.GetProperty("url").GetString()!;
            Assert.DoesNotContain("/uploads/", url, StringComparison.Ordinal);
            using var response = await downloads.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
            var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
            using var decoded = Image.NewFromBuffer(bytes);
            Assert.Equal((variant.GetProperty("width").GetInt32(), variant.GetProperty("height").GetInt32()), (decoded.Width, decoded.Height));
            Assert.DoesNotContain(decoded.GetFields(), f => f is "exif-data" or "xmp-data" or "iptc-data" or "icc-profile-data");
        }

        // The raw upload, GPS and all, is gone once the post took its renditions.
        using var raw = await downloads.GetAsync($"{held.Endpoints.S3ServiceUrl}/{held.Isolation.BucketName}/{form.Key}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
    }

    public enum Refused
    {
        DecompressionBomb,
        TruncatedJpeg,
        PngNamedJpg,
    }

    [Theory]
    [InlineData(Refused.DecompressionBomb)]
    [InlineData(Refused.TruncatedJpeg)]
    [InlineData(Refused.PngNamedJpg)]
    public async Task CreatePost_WithAnUploadTheFunctionRefused_Answers400NamingTheKey(Refused refused)
    {
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var (bytes, type) = refused switch
        {
            Refused.DecompressionBomb => (PngDeclaring(50_000, 50_000), UploadPolicy.Png),
            Refused.TruncatedJpeg => (TestImages.Photo(1600, 1200)[..20_000], UploadPolicy.Jpeg),
            _ => (PngDeclaring(64, 64), UploadPolicy.Jpeg),
        };
        var key = await TestImages.UploadAsync(api, author.User.Id, bytes, type.ContentType, UploadKey.CreateNew(author.User.Id, type, DateTimeOffset.UtcNow).Value);

        using var response = await client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var messages = (await response.ReadJsonAsync()).GetProperty("errors").GetProperty("imageKeys");
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.StartsWith(key, StringComparison.Ordinal));
    }

    private static async Task<Form> PresignAsync(ApiFactory factory, string userId, string contentType, long contentLength)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:BucketName"] = factory.Isolation.BucketName,
            ["Storage:ServiceUrl"] = factory.Endpoints.S3ServiceUrl,
            ["Storage:ForcePathStyle"] = "true",
        }).Build();
        var function = PresignComposition.CreateFunction(configuration, TimeProvider.System);
        // The event API Gateway hands the function after its JWT authorizer accepted the API's token.
        var claims = new Dictionary<string, string> { ["sub"] = userId, ["scope"] = "api uploads" };
        var response = await function.HandleAsync(new PresignEvents.ApiGatewayHttpRequest(
            "2.0", "POST /uploads", "/uploads", null,
            new PresignEvents.ApiGatewayRequestContext("e2e", new PresignEvents.ApiGatewayAuthorizer(new PresignEvents.JwtAuthorizerContext(claims, null)), null),
            JsonSerializer.Serialize(new { contentType, contentLength }), false), Ct);
        Assert.True(response.StatusCode == 200, response.Body);
        var root = JsonDocument.Parse(response.Body!).RootElement;
        return new Form(
            root.GetProperty("key").GetString()!,
            new Uri(root.GetProperty("url").GetString()!),
            root.GetProperty("fields").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
    }

    private sealed record Form(string Key, Uri Url, IReadOnlyDictionary<string, string> Fields)
    {
        /// <summary>What a browser sends: every field as given, then the file, last, as <c>file</c>.</summary>
        public MultipartFormDataContent ToMultipart(byte[] file)
        {
            var form = new MultipartFormDataContent();
            foreach (var (name, value) in Fields)
            {
                var content = new StringContent(value, Encoding.UTF8);
                content.Headers.ContentType = null;
                form.Add(content, name);
            }

            var fileContent = new ByteArrayContent(file);
            fileContent.Headers.ContentType = new MediaTypeHeaderValue(Fields["Content-Type"]);
            form.Add(fileContent, "file", "photo");
            return form;
        }
    }

    /// <summary>A JPEG with an EXIF APP1 segment (orientation 6, a GPS latitude) spliced in after SOI, as a phone writes it.</summary>
    private static byte[] PhoneJpegWithGps(int width, int height)
    {
        var jpeg = TestImages.Photo(width, height);
        var tiff = new byte[74];
        var span = tiff.AsSpan();
        "II"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], 42);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], 2);
        Entry(span[10..], 0x0112, 3, 1, 6);
        Entry(span[22..], 0x8825, 4, 1, 38);
        BinaryPrimitives.WriteUInt16LittleEndian(span[38..], 2);
        Entry(span[40..], 0x0001, 2, 2, 'N');
        Entry(span[52..], 0x0002, 5, 1, 66);
        BinaryPrimitives.WriteUInt32LittleEndian(span[66..], 37);
        BinaryPrimitives.WriteUInt32LittleEndian(span[70..], 1);
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        byte[] segment = [0xFF, 0xE1, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2), .. payload];
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];

        static void Entry(Span<byte> at, ushort tag, ushort type, uint count, uint value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(at, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(at[2..], type);
            BinaryPrimitives.WriteUInt32LittleEndian(at[4..], count);
            BinaryPrimitives.WriteUInt32LittleEndian(at[8..], value);
        }
    }

    /// <summary>A small, valid PNG whose header declares the given size.</summary>
    private static byte[] PngDeclaring(int width, int height)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(new byte[1024 * 1024]);
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 2;
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        foreach (var (type, data) in new[] { ("IHDR", header), ("IDAT", compressed.ToArray()), ("IEND", Array.Empty<byte>()) })
        {
            var typeBytes = Encoding.ASCII.GetBytes(type);
            var word = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
            png.Write(word);
            png.Write(typeBytes);
            png.Write(data);
            BinaryPrimitives.WriteUInt32BigEndian(word, System.IO.Hashing.Crc32.HashToUInt32([.. typeBytes, .. data]));
            png.Write(word);
        }

        return png.ToArray();
    }
}
