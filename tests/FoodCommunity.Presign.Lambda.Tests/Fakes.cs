using FoodCommunity.Domain.Uploads;
using FoodCommunity.Presign.Lambda.Uploads;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>Records what the handler asked to sign, so that tests can prove a refused request signed nothing.</summary>
public sealed class RecordingSigner : IUploadFormSigner
{
    public List<(UploadKey Key, DateTime ExpiresAt)> Signed { get; } = [];

    public Task<SignedUploadForm> SignAsync(UploadKey key, DateTime expiresAtUtc, CancellationToken cancellationToken)
    {
        Signed.Add((key, expiresAtUtc));
        return Task.FromResult(new SignedUploadForm(
            "https://bucket.example/",
            new Dictionary<string, string> { ["key"] = key.Value, ["Content-Type"] = key.Type.ContentType, ["Policy"] = "e30=" }));
    }
}

/// <summary>A clock that stands still, so expiry arithmetic can be asserted exactly.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
