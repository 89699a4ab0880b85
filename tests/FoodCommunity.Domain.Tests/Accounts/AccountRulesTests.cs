using FoodCommunity.Domain.Accounts;

namespace FoodCommunity.Domain.Tests.Accounts;

public sealed class AccountRulesTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("food_lover.92")]
    [InlineData("a23456789012345678901234567890")]
    public void Username_WithinTheRules_IsAccepted(string username) =>
        Assert.Null(AccountRules.DescribeUsernameProblem(username));

    [Theory]
    [InlineData("ab")]
    [InlineData("a234567890123456789012345678901")]
    [InlineData("with space")]
    [InlineData("dash-name")]
    [InlineData("émile")]
    [InlineData("semi;colon")]
    public void Username_OutsideTheRules_IsRefused(string username) =>
        Assert.NotNull(AccountRules.DescribeUsernameProblem(username));

    [Fact]
    public void NormalizeUsername_LowerCasesAndTrims_SoCaseVariantsAreOneAccount() =>
        Assert.Equal("alice_k", AccountRules.NormalizeUsername("  Alice_K "));

    [Theory]
    [InlineData(9, false)]
    [InlineData(10, true)]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public void Password_LengthIsTenTo128(int length, bool accepted) =>
        Assert.Equal(accepted, AccountRules.DescribePasswordProblem(new string('p', length)) is null);

    [Theory]
    [InlineData("cook@example.com", true)]
    [InlineData("first.last+tag@sub.example.co.kr", true)]
    [InlineData("no-at-sign.example.com", false)]
    [InlineData("two@@example.com", false)]
    [InlineData("nodot@example", false)]
    [InlineData("space in@example.com", false)]
    public void Email_NeedsOneAtAndADottedDomain(string email, bool accepted) =>
        Assert.Equal(accepted, AccountRules.DescribeEmailProblem(email) is null);

    [Theory]
    [InlineData("Kim Minji", true)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("tab\there", false)]
    [InlineData("evil\u202Egpj.exe", false)] // right-to-left override
    [InlineData("\u2066isolate\u2069", false)]
    [InlineData("zero\u200Bwidth", false)]
    [InlineData("soft\u00ADhyphen", false)]
    [InlineData("\uFEFFbom", false)]
    [InlineData("김민지", true)]
    [InlineData("chef \U0001F469\u200D\U0001F373", true)] // 👩‍🍳: an emoji sequence joined by U+200D
    public void DisplayName_IsNonBlankWithoutControlOrFormattingCharacters(string displayName, bool accepted) =>
        Assert.Equal(accepted, AccountRules.DescribeDisplayNameProblem(AccountRules.NormalizeDisplayName(displayName)) is null);

    [Fact]
    public void DisplayName_IsNfcNormalised_SoDecomposedHangulCountsAsItsSyllables()
    {
        // "김치" as conjoining jamo (what some input methods send): 5 code units, 2 syllables.
        var decomposed = "\u1100\u1175\u11B7\u110E\u1175";

        Assert.Equal("김치", AccountRules.NormalizeDisplayName(decomposed));
    }

    [Fact]
    public void Normalizers_RefuseOverlongInput_WithoutReadingIt()
    {
        var huge = new string('a', 1_000_000);

        Assert.Null(AccountRules.NormalizeUsername(huge));
        Assert.Null(AccountRules.NormalizeEmail(huge + "@example.com"));
        Assert.Null(AccountRules.NormalizeDisplayName(huge));
        Assert.Null(AccountRules.NormalizeBio(huge));
        Assert.NotNull(AccountRules.DescribeUsernameProblem(null));
    }

    [Fact]
    public void Identifiers_AreFoldedTheSameWayEverywhere_CaseAndFullWidth() =>
        Assert.Equal("kim@example.com", AccountRules.NormalizeEmail(" ＫＩＭ＠Example.com "));
}
