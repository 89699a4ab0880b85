using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Comments;
using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Infrastructure.Caching;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Health;
using FoodCommunity.Api.Infrastructure.Http;
using FoodCommunity.Api.Infrastructure.Mail;
using FoodCommunity.Api.Infrastructure.Observability;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Moderation;
using FoodCommunity.Api.Notifications;
using FoodCommunity.Api.Users;
using Scalar.AspNetCore;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.AddFoodCommunityLogging();
builder.AddFoodCommunityHttp();
builder.AddFoodCommunityCors();
builder.AddFoodCommunityObservability();
builder.AddFoodCommunityData();
builder.AddFoodCommunityRedis();
builder.AddFoodCommunityCaching();
builder.AddFoodCommunityStorage();
builder.AddFoodCommunityMail();
builder.AddFoodCommunityAuth();
builder.AddFoodCommunityUsers();
builder.AddFoodCommunityNotifications();
builder.AddFoodCommunityPosts();
builder.AddFoodCommunityLikes();
builder.AddFoodCommunityHealthChecks();
builder.Services.AddOpenApi(openApi =>
{
    openApi.AddDocumentTransformer<BearerSecurityTransformer>();
    openApi.AddOperationTransformer<BearerSecurityTransformer>();
    openApi.AddDocumentTransformer<ApiDescriptionTransformer>();
    openApi.AddOperationTransformer<ApiDescriptionTransformer>();
});

var app = builder.Build();

if (args is ["migrate", ..])
{
    // One-shot migrator: deployments and the dev script run this before the API serves traffic.
    return await app.MigrateDatabaseAsync();
}

if (args is ["seed-demo", ..])
{
    return await app.SeedDemoDataAsync();
}

if (args is ["moderator", ..])
{
    return await ModeratorCommand.RunAsync(app, args);
}

// Load the signing keys now: a missing or unreadable key stops the start, not the first login.
app.Services.GetRequiredService<SigningKeys>();

app.UseFoodCommunityHttp();
app.UseFoodCommunityCors();
app.UseWebClientInDevelopment();
app.UseSerilogRequestLogging(requests => requests.GetLevel = RequestLogLevel.For);
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

app.MapFoodCommunityHealthChecks();
app.MapFoodCommunityMetrics();
app.MapWellKnownApi();
app.MapAuthApi();
app.MapPasswordResetApi();
app.MapMeApi();
app.MapUsersApi();
app.MapFollowsApi();
app.MapBlocksApi();
app.MapPostsApi();
app.MapCommentsApi();
app.MapLikesApi();
app.MapModerationApi();
app.MapNotificationsApi();
if (app.Configuration.GetValue<bool>($"{BenchmarkOptions.SectionName}:{nameof(BenchmarkOptions.EnableDirectLikeBaseline)}"))
{
    app.MapDirectLikeBaseline();
}
app.MapFeedsApi();

await app.RunAsync();
return 0;

/// <summary>Entry point, public so that WebApplicationFactory&lt;Program&gt; can host the API in tests.</summary>
public partial class Program;
