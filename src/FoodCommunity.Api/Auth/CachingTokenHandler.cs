using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FoodCommunity.Api.Auth;

/// <summary>
/// Validates an access token's signature and claims once, then remembers the result until the token
/// expires: the RS256 check is most of what a cached feed page costs, and a client sends the same
/// token with every request for its whole life. Bounded (<see cref="Entries"/> tokens, each at most
/// <see cref="MaxTokenLength"/> characters, keyed by their SHA-256); revocation is still checked on
/// every request (AuthSetup's OnTokenValidated), so caching never keeps a revoked token alive.
/// </summary>
public sealed class CachingTokenHandler(TimeProvider clock) : JsonWebTokenHandler
{
    public const int Entries = 20_000;
    public const int MaxTokenLength = 4096;

    private readonly MemoryCache _validated = new(new MemoryCacheOptions { SizeLimit = Entries });

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (token.Length > MaxTokenLength)
        {
            return await base.ValidateTokenAsync(token, validationParameters);
        }

        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (_validated.TryGetValue(key, out TokenValidationResult? known) && known!.SecurityToken.ValidTo > clock.GetUtcNow().UtcDateTime)
        {
            // A copy of the identity per request: handlers may add claims to theirs.
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = known.SecurityToken,
                ClaimsIdentity = known.ClaimsIdentity.Clone(),
                TokenType = known.TokenType,
                Issuer = known.Issuer,
            };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken.ValidTo > clock.GetUtcNow().UtcDateTime)
        {
            _validated.Set(key, result, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = result.SecurityToken.ValidTo });
        }

        return result;
    }
}
