using System.Text;
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

    /// <summary>Checks a normalised caption (null: it was too long to normalise).</summary>
    public static string? DescribeCaptionProblem(string? caption) =>
        caption is null || caption.Length > CaptionMaxLength ? $"A caption has at most {CaptionMaxLength} characters." : null;

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

    /// <summary>
    /// A tag as stored and looked up: NFC, lower-case, without the '#', so #Kimchi and #kimchi are one
    /// tag. Null when the raw text is too long to be a tag at all (checked before any other work).
    /// </summary>
    public static string? NormalizeTag(string tag)
    {
        // Room for a leading '#' and surrounding spaces; anything longer cannot be a valid tag.
        if (tag.Length > 2 * TagMaxLength)
        {
            return null;
        }

        var bare = tag.Trim().TrimStart('#');
        return (bare.IsNormalized(NormalizationForm.FormC) ? bare : bare.Normalize(NormalizationForm.FormC)).ToLowerInvariant();
    }

    /// <summary>
    /// The post's tags: those given explicitly and the #tags written in the caption, normalised and
    /// without repeats, in first-seen order. Explicit tags must be valid; a #word in the caption that
    /// is not a valid tag (too long) is just text. The work is bounded by the limits, whatever the
    /// input: more than <see cref="MaxTags"/> explicit tags are refused before any is read, the caption
    /// must already be within its limit, and collecting stops at the first tag past the limit.
    /// </summary>
    public static (IReadOnlyList<string> Tags, string? Problem) CollectTags(IReadOnlyList<string?>? explicitTags, string caption)
    {
        if (caption.Length > CaptionMaxLength)
        {
            throw new ArgumentException("Check the caption's length before collecting its tags.", nameof(caption));
        }

        if (explicitTags is { Count: > MaxTags })
        {
            return ([], TooManyTags());
        }

        var tags = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in explicitTags ?? [])
        {
            var tag = NormalizeTag(raw ?? "");
            if (tag is null || !IsValidTag(tag))
            {
                var shown = raw is null ? "" : raw.Length > TagMaxLength ? raw[..TagMaxLength] + "…" : raw;
                return ([], $"Each tag has 1 to {TagMaxLength} letters, digits or '_'; '{shown}' does not.");
            }

            if (seen.Add(tag))
            {
                tags.Add(tag);
            }
        }

        var normalizedCaption = caption.IsNormalized(NormalizationForm.FormC) ? caption : caption.Normalize(NormalizationForm.FormC);
        foreach (Match match in CaptionTagPattern().Matches(normalizedCaption))
        {
            var tag = match.Groups[1].Value.ToLowerInvariant();
            if (tag.Length <= TagMaxLength && seen.Add(tag))
            {
                tags.Add(tag);
                if (tags.Count > MaxTags)
                {
                    return ([], TooManyTags());
                }
            }
        }

        return (tags, null);
    }

    private static string TooManyTags() => $"A post has at most {MaxTags} tags, counting #tags in the caption.";

    // Letters with their combining marks (Devanagari, Thai, decomposed Latin), digits and '_'.
    [GeneratedRegex(@"^[\p{L}\p{M}\p{N}_]{1,50}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"#([\p{L}\p{M}\p{N}_]+)", RegexOptions.CultureInvariant)]
    private static partial Regex CaptionTagPattern();
}
