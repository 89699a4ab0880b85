using System.Text.Json;
using System.Text.Json.Serialization;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Comments;
using FoodCommunity.Api.Infrastructure.Paging;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Users;

namespace FoodCommunity.Api.Infrastructure.Http;

/// <summary>
/// Source-generated serialization for the payloads on the hot paths (feeds, posts, likes, sign-in):
/// no reflection per request. Other types fall back to the reflection-based resolver.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Page<PostView>))]
[JsonSerializable(typeof(PostView))]
[JsonSerializable(typeof(Page<CommentView>))]
[JsonSerializable(typeof(CommentView))]
[JsonSerializable(typeof(Page<Profile>))]
[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(LikeResponse))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(CreatePostRequest))]
[JsonSerializable(typeof(CreateCommentRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(RefreshRequest))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
