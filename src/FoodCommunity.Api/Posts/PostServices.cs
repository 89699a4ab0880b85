using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;

namespace FoodCommunity.Api.Posts;

/// <summary>What the post-writing handlers use, bound as one parameter ([AsParameters]).</summary>
public sealed record PostServices(
    FoodCommunityDbContext Db,
    PostWriter Writer,
    PostViews Views,
    UploadedImages Images,
    PostIdempotency Idempotency,
    ReadDatabase Reads,
    FeedCache FeedCache,
    Notifications.Notifier Notifier);
