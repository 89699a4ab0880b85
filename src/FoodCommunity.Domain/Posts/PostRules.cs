using System.Text.RegularExpressions;

namespace FoodCommunity.Domain.Posts;

/// <summary>What a post, its tags, a comment and a report may contain.</summary>
public static partial class PostRules
{
    public const int MinImages = 1;
    public const int MaxImages = 10;
    public const int CaptionMaxLength = 2200;
    public const int MaxTags = 30;
    public const int TagMaxLength = 50;
    public const int CommentMaxLength = 1000;
    public const int ReportReasonMaxLength = 500;

    public static string? DescribeCaptionProblem(string caption) =>
        caption.Length > CaptionMaxLength ? $"A caption has at most {CaptionMaxLength} characters." : null;

    public static string? DescribeImageCountProblem(int count) =>
        count is < MinImages or > MaxImages ? $"A post has {MinImages} to {MaxImages} images." : null;

    public static string? DescribeCommentProblem(string text) =>
        string.IsNullOrWhiteSpace(text) || text.Length > CommentMaxLength
            ? $"A comment has 1 to {CommentMaxLength} characters."
            : null;

    public static string? DescribeReportReasonProblem(string reason) =>
        string.IsNullOrWhiteSpace(reason) || reason.Length > ReportReasonMaxLength
            ? $"A reason has 1 to {ReportReasonMaxLength} characters."
            : null;

    public static bool IsValidTag(string tag) => TagPattern().IsMatch(tag);

    /// <summary>A tag as stored and looked up: lower-case, so #Kimchi and #kimchi are one tag.</summary>
    public static string NormalizeTag(string tag) => tag.Trim().TrimStart('#').ToLowerInvariant();

    /// <summary>
    /// The post's tags: those given explicitly and the #tags written in the caption, normalised and
    /// without repeats, in first-seen order. Explicit tags must be valid; a #word in the caption that
    /// is not a valid tag (too long) is just text.
    /// </summary>
    public static (IReadOnlyList<string> Tags, string? Problem) CollectTags(IEnumerable<string>? explicitTags, string caption)
    {
        var tags = new List<string>();
        foreach (var raw in explicitTags ?? [])
        {
            var tag = NormalizeTag(raw ?? "");
            if (!IsValidTag(tag))
            {
                return ([], $"Each tag has 1 to {TagMaxLength} letters, digits or '_'; '{raw}' does not.");
            }

            if (!tags.Contains(tag))
            {
                tags.Add(tag);
            }
        }

        foreach (Match match in CaptionTagPattern().Matches(caption))
        {
            var tag = match.Groups[1].Value.ToLowerInvariant();
            if (tag.Length <= TagMaxLength && !tags.Contains(tag))
            {
                tags.Add(tag);
            }
        }

        return tags.Count > MaxTags
            ? ([], $"A post has at most {MaxTags} tags, counting #tags in the caption; this one has {tags.Count}.")
            : (tags, null);
    }

    [GeneratedRegex(@"^[\p{L}\p{N}_]{1,50}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"#([\p{L}\p{N}_]+)", RegexOptions.CultureInvariant)]
    private static partial Regex CaptionTagPattern();
}
