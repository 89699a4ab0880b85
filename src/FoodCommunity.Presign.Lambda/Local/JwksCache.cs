using Microsoft.IdentityModel.Tokens;

namespace FoodCommunity.Presign.Lambda.Local;

/// <summary>
/// The issuer's signing keys, fetched from its JWKS and kept for an hour. A token with an unknown <c>kid</c> may
/// mean the issuer rotated its keys, so it triggers a refresh, but at most one every 30 seconds: otherwise
/// tokens with made-up kids would turn this host into a load generator against the API.
/// </summary>
public sealed class JwksCache(HttpClient http, Uri jwksUrl, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim gate = new(1, 1);
    private IReadOnlyList<SecurityKey>? keys;
    private DateTimeOffset fetchedAt;
    private DateTimeOffset lastForcedRefresh = DateTimeOffset.MinValue;
    private DateTimeOffset lastFailure = DateTimeOffset.MinValue;

    public async Task<IReadOnlyList<SecurityKey>> GetKeysAsync(CancellationToken cancellationToken)
    {
        var current = keys;
        if (current is not null && time.GetUtcNow() - fetchedAt < MaxAge)
        {
            return current;
        }

        await RefreshAsync(force: false, cancellationToken);
        return keys ?? throw new HttpRequestException($"The signing keys at {jwksUrl} could not be fetched; the next try is at most {MinRefreshInterval.TotalSeconds} s away.");
    }

    /// <summary>Fetches the keys again for a token with an unknown kid, unless one did so moments ago; true when it fetched.</summary>
    public Task<bool> TryRefreshAsync(CancellationToken cancellationToken) => RefreshAsync(force: true, cancellationToken);

    private async Task<bool> RefreshAsync(bool force, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (force)
            {
                if (now - lastForcedRefresh < MinRefreshInterval)
                {
                    return false;
                }

                lastForcedRefresh = now;
            }
            else if ((keys is not null && now - fetchedAt < MaxAge) || now - lastFailure < MinRefreshInterval)
            {
                // Another request fetched while this one waited, or the issuer failed moments ago.
                return false;
            }

            IReadOnlyList<SecurityKey> fetched;
            try
            {
                var json = await http.GetStringAsync(jwksUrl, cancellationToken);
                // Only RSA signing keys: the authorizer accepts RS256 and nothing else.
                fetched = [.. new JsonWebKeySet(json).Keys
                    .Where(k => k.Kty == JsonWebAlgorithmsKeyTypes.RSA && k.Use is null or "sig" && !string.IsNullOrEmpty(k.Kid))];
            }
            catch (HttpRequestException)
            {
                lastFailure = now;
                throw;
            }
            catch (ArgumentException e)
            {
                lastFailure = now;
                throw new HttpRequestException($"{jwksUrl} did not return a JWKS.", e);
            }

            keys = fetched;
            fetchedAt = now;
            return true;
        }
        finally
        {
            gate.Release();
        }
    }
}
