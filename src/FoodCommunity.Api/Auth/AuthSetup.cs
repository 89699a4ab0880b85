using FoodCommunity.Api.Users;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Auth;

public static class AuthSetup
{
    /// <summary>Authenticated with a token that carries the "api" scope.</summary>
    public const string ApiPolicy = "api";

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
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<Passwords>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, SigningKeys>((jwt, auth, keys) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = AccessTokens.ValidationParameters(auth.Value, keys);
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => context.User.FindFirst("scope")?.Value.Split(' ').Contains("api") == true));
        builder.Services.AddRateLimiter(AuthRateLimits.AddPolicies);
        return builder;
    }

    /// <summary>Requires a token with the "api" scope, and says so in the OpenAPI document (401 without one, 403 without the scope).</summary>
    public static TBuilder RequireApiScope<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ApiPolicy)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));

    /// <summary>Relative key paths are relative to the content root, not to wherever the process was started.</summary>
    private static string? ResolvePath(string? path, IHostEnvironment environment) =>
        string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(path, environment.ContentRootPath);
}
