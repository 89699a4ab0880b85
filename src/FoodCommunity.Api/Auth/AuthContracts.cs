using FoodCommunity.Api.Users;

namespace FoodCommunity.Api.Auth;

public sealed record RegisterRequest(string? Username, string? Email, string? Password, string? DisplayName);

/// <param name="Login">The username or the e-mail address.</param>
/// <param name="Password">The account's password.</param>
public sealed record LoginRequest(string? Login, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record LogoutRequest(string? RefreshToken);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken, Profile User);
