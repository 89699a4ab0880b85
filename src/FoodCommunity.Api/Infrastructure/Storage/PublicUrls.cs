using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Storage;

/// <summary>Turns an object key into the URL clients load it from (the CDN in front of the bucket).</summary>
public sealed class PublicUrls(IOptions<StorageOptions> options)
{
    public string For(string key) => $"{options.Value.PublicBaseUrl.TrimEnd('/')}/{Uri.EscapeDataString(key).Replace("%2F", "/", StringComparison.Ordinal)}";
}
