using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Presign.Lambda.Uploads;

/// <summary>A browser-upload form: where to POST, and the fields (policy, signature...) to send before the file.</summary>
public sealed record SignedUploadForm(string Url, IReadOnlyDictionary<string, string> Fields);

/// <summary>Signs an upload form for one key; the seam that lets handler tests see whether anything was signed.</summary>
public interface IUploadFormSigner
{
    Task<SignedUploadForm> SignAsync(UploadKey key, DateTime expiresAtUtc, CancellationToken cancellationToken);
}
