namespace FoodCommunity.Api.Posts;

/// <param name="ImageKeys">1 to 10 keys from the upload function, uploaded by the caller.</param>
/// <param name="Caption">Up to 2,200 characters; #tags in it count as tags.</param>
/// <param name="Tags">Up to 30 in all, each 1 to 50 letters, digits or '_'.</param>
public sealed record CreatePostRequest(IReadOnlyList<string>? ImageKeys, string? Caption, IReadOnlyList<string>? Tags);

public sealed record ReportPostRequest(string? Reason);

/// <param name="Caption">Up to 2,200 characters; absent keeps the caption. Its #tags count as tags, as at creation.</param>
/// <param name="Tags">The explicit tags (up to 30 in all with the caption's); absent keeps the ones given before.</param>
public sealed record EditPostRequest(string? Caption, IReadOnlyList<string?>? Tags);
