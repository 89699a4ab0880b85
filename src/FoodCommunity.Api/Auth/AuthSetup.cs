using FoodCommunity.Api.Users;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Auth;

public static class AuthSetup
{
    /// <summary>Authenticated with a token that carries the "api" scope.</summary>
    public const string ApiPolicy = "api";

    /// <summary>Authenticated with a token that carries the "moderate" scope besides "api".</summary>
    public const string ModeratePolicy = "moderate";

    public static WebApplicationBuilder AddFoodCommunityAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                options.SigningKeyPath = ResolvePath(options.SigningKeyPath, environment);
                options.PreviousSigningKeyPath = ResolvePath(options.PreviousSigningKeyPath, environment);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => SigningKeys.Load(
            services.GetRequiredService<IOptions<AuthOptions>>().Value, services.GetRequiredService<IHostEnvironment>()));
        builder.Services.AddSingleton<AccessTokens>();
        builder.Services.AddSingleton<RefreshSessions>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<AuthRateLimits>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<AccessRevocation>();
        builder.Services.AddSingleton<PasswordResets>();
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<Passwords>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddSingleton<CachingTokenHandler>();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, SigningKeys, CachingTokenHandler>((jwt, auth, keys, tokenHandler) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(tokenHandler);
                jwt.TokenValidationParameters = AccessTokens.ValidationParameters(auth.Value, keys);
                jwt.Events = new JwtBearerEvents { OnTokenValidated = RefuseRevokedAsync };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => HasScope(context.User, "api")))
            .AddPolicy(ModeratePolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => HasScope(context.User, "api") && HasScope(context.User, AccessTokens.ModerateScope)));
        builder.Services.AddRateLimiter(AuthRateLimits.AddPolicies);
        return builder;
    }

    /// <summary>Requires a token with the "api" scope, and says so in the OpenAPI document (401 without one, 403 without the scope).</summary>
    public static TBuilder RequireApiScope<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ApiPolicy)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));

    private static bool HasScope(System.Security.Claims.ClaimsPrincipal user, string scope) =>
        user.FindFirst("scope")?.Value.Split(' ').Contains(scope) == true;

    /// <summary>A token of a user whose tokens were all revoked (suspended, deleted, password reset) is refused.</summary>
    private static async Task RefuseRevokedAsync(TokenValidatedContext context)
    {
        if (context.Principal?.FindUserId() is { } userId
            && context.SecurityToken is Microsoft.IdentityModel.JsonWebTokens.JsonWebToken token
            && await context.HttpContext.RequestServices.GetRequiredService<AccessRevocation>().IsRevokedAsync(userId, token.IssuedAt))
        {
            context.Fail("The token was revoked.");
        }
    }

    /// <summary>Requires a token with the "moderate" scope (403 without it), and says so in the OpenAPI document.</summary>
    public static TBuilder RequireModerateScope<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ModeratePolicy)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));

    /// <summary>Relative key paths are relative to the content root, not to wherever the process was started.</summary>
    private static string? ResolvePath(string? path, IHostEnvironment environment) =>
        string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(path, environment.ContentRootPath);
}
