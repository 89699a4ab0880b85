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
    public void DisplayName_IsNonBlankWithoutControlCharacters(string displayName, bool accepted) =>
        Assert.Equal(accepted, AccountRules.DescribeDisplayNameProblem(displayName) is null);
}
