using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace FoodCommunity.Api.Auth;

/// <summary>
/// The RSA keys tokens are signed and checked with. Each key's id is its RFC 7638 thumbprint, so every
/// instance derives the same kid from the same PEM without coordination.
/// </summary>
public sealed class SigningKeys
{
    private SigningKeys(RsaSecurityKey current, RsaSecurityKey? previous)
    {
        Current = new SigningCredentials(current, SecurityAlgorithms.RsaSha256);
        ValidationKeys = previous is null ? [current] : [current, previous];
        PublicJwks = ValidationKeys.Select(ToPublicJwk).ToList();
    }

    public SigningCredentials Current { get; }

    /// <summary>The private keys, current first: other secrets (page cursors) are derived from them.</summary>
    public IReadOnlyList<System.Security.Cryptography.RSA> PrivateKeys => ValidationKeys.Select(k => ((RsaSecurityKey)k).Rsa).ToList();

    public IReadOnlyList<SecurityKey> ValidationKeys { get; }

    /// <summary>What /.well-known/jwks.json publishes: public parts only.</summary>
    public IReadOnlyList<PublicJwk> PublicJwks { get; }

    public static SigningKeys Load(AuthOptions options, IHostEnvironment environment)
    {
        var current = ReadPem(options.SigningKeyPem, options.SigningKeyPath)
            ?? (environment.IsDevelopment() && options.SigningKeyPath is { Length: > 0 } path
                ? GenerateDevelopmentKey(path)
                : throw new OptionsValidationException(AuthOptions.SectionName, typeof(AuthOptions),
                    ["Auth:SigningKeyPem or Auth:SigningKeyPath must give the RSA private key (PEM) that signs access tokens."]));
        var previous = ReadPem(options.PreviousSigningKeyPem, options.PreviousSigningKeyPath);
        return new SigningKeys(ToSecurityKey(current), previous is null ? null : ToSecurityKey(previous));
    }

    private static RSA? ReadPem(string? pem, string? path)
    {
        if (string.IsNullOrWhiteSpace(pem) && !string.IsNullOrWhiteSpace(path) && File.Exists(path))
        {
            pem = File.ReadAllText(path);
        }

        if (string.IsNullOrWhiteSpace(pem))
        {
            return null;
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        if (rsa.KeySize < 2048)
        {
            throw new OptionsValidationException(AuthOptions.SectionName, typeof(AuthOptions), ["Auth signing keys must be RSA keys of at least 2048 bits."]);
        }

        return rsa;
    }

    /// <summary>First run on a developer's machine: a key of its own, in a git-ignored file, never a checked-in one.</summary>
    private static RSA GenerateDevelopmentKey(string path)
    {
        var rsa = RSA.Create(2048);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return rsa;
    }

    private static RsaSecurityKey ToSecurityKey(RSA rsa)
    {
        var key = new RsaSecurityKey(rsa);
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }

    private static PublicJwk ToPublicJwk(SecurityKey key)
    {
        var parameters = ((RsaSecurityKey)key).Rsa.ExportParameters(includePrivateParameters: false);
        return new PublicJwk("RSA", "sig", SecurityAlgorithms.RsaSha256, key.KeyId,
            Base64UrlEncoder.Encode(parameters.Modulus), Base64UrlEncoder.Encode(parameters.Exponent));
    }
}

/// <summary>An RSA public key as RFC 7517 publishes it.</summary>
public sealed record PublicJwk(string Kty, string Use, string Alg, string Kid, string N, string E);
