using System.Security.Cryptography;
using FoodCommunity.Api.Users;
using Microsoft.AspNetCore.Identity;

namespace FoodCommunity.Api.Auth;

/// <summary>ASP.NET Core Identity's PBKDF2 hasher, plus a decoy so an unknown login costs as much as a wrong password.</summary>
public sealed class Passwords(IPasswordHasher<User> hasher)
{
    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(null!, RandomNumberGenerator.GetHexString(32)));

    public string Hash(User user, string password) => hasher.HashPassword(user, password);

    /// <summary>Verifies against the user's hash, or against the decoy when there is no such user, so timing tells nothing.</summary>
    public PasswordVerificationResult Verify(User? user, string password)
    {
        if (user is null)
        {
            hasher.VerifyHashedPassword(null!, _decoyHash.Value, password);
            return PasswordVerificationResult.Failed;
        }

        return hasher.VerifyHashedPassword(user, user.PasswordHash, password);
    }
}
