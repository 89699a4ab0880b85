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
        var explicitTags = Enumerable.Range(0, 25).Select(i => $"t{i}");
        var caption = string.Join(' ', Enumerable.Range(100, 6).Select(i => $"#t{i}"));

        Assert.NotNull(PostRules.CollectTags(explicitTags, caption).Problem);
        Assert.Null(PostRules.CollectTags(explicitTags.Take(24), caption).Problem);
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
}
