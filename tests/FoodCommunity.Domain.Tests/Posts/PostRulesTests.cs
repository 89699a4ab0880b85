using FoodCommunity.Domain.Posts;

namespace FoodCommunity.Domain.Tests.Posts;

public sealed class PostRulesTests
{
    [Fact]
    public void CollectTags_MergesExplicitAndCaptionTags_LowerCasedWithoutRepeats()
    {
        var (tags, problem) = PostRules.CollectTags(["Kimchi", "#stew"], "Friday #kimchi #Jjigae and #맛집 with friends #stew");

        Assert.Null(problem);
        Assert.Equal(["kimchi", "stew", "jjigae", "맛집"], tags);
    }

    [Fact]
    public void CollectTags_IgnoresAnOverlongCaptionHashtag_ButRefusesAnOverlongExplicitTag()
    {
        var overlong = new string('a', PostRules.TagMaxLength + 1);

        var (fromCaption, captionProblem) = PostRules.CollectTags([], $"#{overlong} #ok");
        var (_, explicitProblem) = PostRules.CollectTags([overlong], "");

        Assert.Null(captionProblem);
        Assert.Equal(["ok"], fromCaption);
        Assert.NotNull(explicitProblem);
    }

    [Theory]
    [InlineData("with space")]
    [InlineData("dash-tag")]
    [InlineData("")]
    [InlineData("emoji😀")]
    public void CollectTags_RefusesAnExplicitTagOutsideTheAlphabet(string tag) =>
        Assert.NotNull(PostRules.CollectTags([tag], "").Problem);

    [Fact]
    public void CollectTags_CountsCaptionTagsTowardsTheLimitOfThirty()
    {
        var explicitTags = Enumerable.Range(0, 25).Select(i => $"t{i}").ToList();
        var caption = string.Join(' ', Enumerable.Range(100, 6).Select(i => $"#t{i}"));

        Assert.NotNull(PostRules.CollectTags(explicitTags, caption).Problem);
        Assert.Null(PostRules.CollectTags(explicitTags.Take(24).ToList(), caption).Problem);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(10, true)]
    [InlineData(11, false)]
    public void ImageCount_IsOneToTen(int count, bool accepted) =>
        Assert.Equal(accepted, PostRules.DescribeImageCountProblem(count) is null);

    [Theory]
    [InlineData(2200, true)]
    [InlineData(2201, false)]
    public void Caption_IsAtMost2200Characters(int length, bool accepted) =>
        Assert.Equal(accepted, PostRules.DescribeCaptionProblem(new string('c', length)) is null);

    [Theory]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("Looks delicious!", true)]
    public void Comment_IsNonBlank(string text, bool accepted) =>
        Assert.Equal(accepted, PostRules.DescribeCommentProblem(text) is null);

    [Fact]
    public void CollectTags_StopsAtTheLimit_HoweverManyDistinctTagsTheCaptionHolds()
    {
        // A caption at the length limit packed with distinct #tags: refused, and the answer is the same as for 31.
        var packed = string.Join(' ', Enumerable.Range(0, 1000).Select(i => $"#t{i}"))[..PostRules.CaptionMaxLength];

        Assert.NotNull(PostRules.CollectTags([], packed).Problem);
        Assert.Throws<ArgumentException>(() => PostRules.CollectTags([], new string('#', PostRules.CaptionMaxLength + 1)));
    }

    [Fact]
    public void CollectTags_RefusesMoreThanThirtyExplicitTags_BeforeReadingAny()
    {
        var tags = Enumerable.Range(0, 31).Select(_ => (string?)null).ToList();

        Assert.Equal($"A post has at most {PostRules.MaxTags} tags, counting #tags in the caption.", PostRules.CollectTags(tags, "").Problem);
    }

    [Theory]
    [InlineData("नमस्ते")] // Devanagari: letters with combining vowel signs
    [InlineData("ไทย")]
    [InlineData("cafe\u0301")] // é written as e + combining acute
    public void Tags_AcceptCombiningMarks(string tag)
    {
        var (tags, problem) = PostRules.CollectTags([tag], "");

        Assert.Null(problem);
        Assert.Single(tags);
    }

    [Fact]
    public void Tags_AreNfcNormalised_SoComposedAndDecomposedAreOneTag()
    {
        var (tags, _) = PostRules.CollectTags(["caf\u00e9"], "#cafe\u0301");

        Assert.Equal(["café"], tags);
    }
}
